export { checkSolution, type CvrpCheck, type CvrpViolation } from "./check-solution.ts";
export { CvrpError, type CvrpErrorCode } from "./cvrp-error.ts";
export { roundedEuclideanMatrix } from "./distance.ts";
export { vehicleLowerBound } from "./lower-bound.ts";
export { solveCvrp } from "./solve.ts";
export { parseSol, parseVrp, type TsplibSolution, type TsplibVrp } from "./tsplib.ts";
export type { CvrpInstance, CvrpSolution, CvrpSolveOptions } from "./types.ts";
