export type CvrpErrorCode =
  | "CVRP_INVALID_INSTANCE"
  | "CVRP_DEMAND_EXCEEDS_CAPACITY"
  | "CVRP_CUSTOMER_BEYOND_ROUTE_LENGTH"
  | "CVRP_NO_FEASIBLE_SOLUTION"
  | "CVRP_PARSE_ERROR";

/** Failure with a stable machine code and messages a dispatcher can read in Chinese or English. */
export class CvrpError extends Error {
  readonly code: CvrpErrorCode;
  readonly messageZh: string;
  readonly messageEn: string;

  constructor(code: CvrpErrorCode, messageZh: string, messageEn: string) {
    super(`${code}: ${messageEn}`);
    this.name = "CvrpError";
    this.code = code;
    this.messageZh = messageZh;
    this.messageEn = messageEn;
  }
}
