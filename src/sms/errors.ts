import { AppError, type BaseErrorCode, type LocalisedMessage } from "../errors.ts";

// SMS errors are AppErrors, so the HTTP edge renders them like any other (problem+json with the
// stable code and both messages); the base code decides the HTTP status when one reaches a route.
const BASE_CODES = {
  SMS_UNKNOWN_TEMPLATE: "VALIDATION_FAILED",
  SMS_VARIABLE_MISSING: "VALIDATION_FAILED",
  SMS_VARIABLE_TOO_LONG: "VALIDATION_FAILED",
  SMS_VARIABLE_INVALID: "VALIDATION_FAILED",
  SMS_TOO_LONG: "VALIDATION_FAILED",
  SMS_TEMPLATE_CONFIG_INVALID: "INTERNAL",
  SMS_PERMANENT_FAILURE: "VALIDATION_FAILED",
  SMS_TRANSIENT_FAILURE: "SERVICE_UNAVAILABLE",
  SMS_RATE_LIMITED: "SERVICE_UNAVAILABLE",
  SMS_PROVIDER_CONFIGURATION: "INTERNAL",
  SMS_WEBHOOK_INVALID: "VALIDATION_FAILED",
} as const satisfies Record<string, BaseErrorCode>;

export type SmsErrorCode = keyof typeof BASE_CODES;

export class SmsError extends AppError {
  declare readonly code: SmsErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: SmsErrorCode, message: LocalisedMessage, details: Record<string, unknown> = {}) {
    super(BASE_CODES[code], { code, message, extensions: details });
    this.name = new.target.name;
    this.details = details;
  }
}
