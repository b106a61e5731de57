import { describe, expect, it } from "vitest";
import {
  allowedTransitions,
  AWAITING_PAYMENT_STATUSES,
  canRecordRecovery,
  checkRecovery,
  checkTransition,
  OPEN_STATUSES,
  WAGE_CASE_STATUS_LABELS,
  WAGE_CASE_STATUSES,
  WAGE_CASE_TRANSITIONS,
  type RecoveryInput,
  type WageCaseStatus,
} from "../../../src/wages/workflow.ts";

// The moves an officer makes by hand, written out as the specification of the workflow.
const MANUAL_MOVES = new Set([
  "REGISTERED→ACCEPTED",
  "REGISTERED→REJECTED",
  "ACCEPTED→INVESTIGATING",
  "ACCEPTED→MEDIATING",
  "ACCEPTED→TRANSFERRED",
  "ACCEPTED→REJECTED",
  "INVESTIGATING→MEDIATING",
  "INVESTIGATING→TRANSFERRED",
  "INVESTIGATING→REJECTED",
  "MEDIATING→INVESTIGATING",
  "MEDIATING→TRANSFERRED",
  "TRANSFERRED→INVESTIGATING",
  "TRANSFERRED→MEDIATING",
  "TRANSFERRED→CLOSED",
  "PARTIALLY_RECOVERED→MEDIATING",
  "PARTIALLY_RECOVERED→TRANSFERRED",
  "PARTIALLY_RECOVERED→CLOSED",
  "RECOVERED→CLOSED",
]);

// Every move that needs something more than the target status.
const DETAILS = { reason: "经核查，用人单位已破产清算", transferTo: "ARBITRATION" } as const;

describe("case status workflow", () => {
  it.each(WAGE_CASE_STATUSES.flatMap((from) => WAGE_CASE_STATUSES.map((to) => [from, to] as const)))(
    "%s → %s is allowed exactly when the specification says so",
    (from, to) => {
      const result = checkTransition(from, to, DETAILS);
      expect(result.ok).toBe(MANUAL_MOVES.has(`${from}→${to}`));
      if (!result.ok) expect(result.allowed).toEqual(allowedTransitions(from));
    },
  );

  it("answers an invalid move with the statuses that are allowed, in both languages", () => {
    const result = checkTransition("REGISTERED", "CLOSED");
    expect(result).toEqual({
      ok: false,
      code: "WAGE_CASE_INVALID_TRANSITION",
      allowed: ["ACCEPTED", "REJECTED"],
      message: {
        zh: "案件不能从“已登记”变为“已结案”；可选：已受理、不予处理",
        en: "A case cannot go from Registered to Closed; allowed: Accepted, Rejected",
      },
    });
    expect(checkTransition("CLOSED", "ACCEPTED")).toMatchObject({ allowed: [], message: { zh: expect.stringContaining("已终结") } });
  });

  it("lets only a recorded payment make a case (partially) recovered", () => {
    for (const from of ["INVESTIGATING", "MEDIATING", "TRANSFERRED"] as const) {
      expect(checkTransition(from, "RECOVERED")).toMatchObject({ ok: false, code: "WAGE_CASE_STATUS_SET_BY_RECOVERY" });
      expect(canRecordRecovery(from)).toBe(true);
    }
    expect(canRecordRecovery("PARTIALLY_RECOVERED")).toBe(true);
    for (const status of ["REGISTERED", "ACCEPTED", "RECOVERED", "CLOSED", "REJECTED"] as const) {
      expect(canRecordRecovery(status)).toBe(false);
    }
  });

  it("needs a reason to reject, and to close without full recovery", () => {
    expect(checkTransition("REGISTERED", "REJECTED")).toMatchObject({ ok: false, code: "WAGE_CASE_REASON_REQUIRED" });
    expect(checkTransition("REGISTERED", "REJECTED", { reason: "   " })).toMatchObject({ code: "WAGE_CASE_REASON_REQUIRED" });
    expect(checkTransition("PARTIALLY_RECOVERED", "CLOSED")).toMatchObject({ code: "WAGE_CASE_REASON_REQUIRED" });
    expect(checkTransition("TRANSFERRED", "CLOSED")).toMatchObject({ code: "WAGE_CASE_REASON_REQUIRED" });
    expect(checkTransition("RECOVERED", "CLOSED")).toEqual({ ok: true });
    expect(checkTransition("REGISTERED", "ACCEPTED")).toEqual({ ok: true });
  });

  it("needs to know who takes a transferred case, and never the union itself", () => {
    expect(checkTransition("MEDIATING", "TRANSFERRED")).toMatchObject({ code: "WAGE_CASE_TRANSFER_TARGET_REQUIRED" });
    expect(checkTransition("MEDIATING", "TRANSFERRED", { transferTo: "UNION" })).toMatchObject({ code: "WAGE_CASE_TRANSFER_TARGET_REQUIRED" });
    expect(checkTransition("MEDIATING", "TRANSFERRED", { transferTo: "LABOUR_INSPECTION" })).toEqual({ ok: true });
  });

  it("reaches every status from registration, and always leads to an end", () => {
    const reachable = new Set<WageCaseStatus>(["REGISTERED"]);
    for (let grew = true; grew; ) {
      const before = reachable.size;
      for (const status of [...reachable]) for (const next of WAGE_CASE_TRANSITIONS[status]) reachable.add(next);
      grew = reachable.size > before;
    }
    expect([...reachable].sort()).toEqual([...WAGE_CASE_STATUSES].sort());
    const leadsToEnd = (status: WageCaseStatus, path: WageCaseStatus[] = []): boolean =>
      WAGE_CASE_TRANSITIONS[status].length === 0 ||
      WAGE_CASE_TRANSITIONS[status].some((next) => !path.includes(next) && leadsToEnd(next, [...path, status]));
    for (const status of WAGE_CASE_STATUSES) expect(leadsToEnd(status), status).toBe(true);
  });

  it("counts every status but closed and rejected as open, and recovered cases as no longer awaiting money", () => {
    expect(OPEN_STATUSES).not.toContain("CLOSED");
    expect(OPEN_STATUSES).not.toContain("REJECTED");
    expect(OPEN_STATUSES).toHaveLength(7);
    expect(AWAITING_PAYMENT_STATUSES).toEqual(OPEN_STATUSES.filter((s) => s !== "RECOVERED"));
    expect(WAGE_CASE_STATUSES.every((s) => WAGE_CASE_STATUS_LABELS[s].zh.length > 0)).toBe(true);
  });
});

describe("recording a recovery", () => {
  const base: RecoveryInput = {
    status: "MEDIATING",
    owedFen: 12_000_000n, // 120,000 yuan
    recoveredSoFarFen: 0n,
    amountFen: 5_000_000n,
    overRecovery: false,
    workersPaid: 10,
    migrantWorkersPaid: 8,
    caseWorkers: { count: 12, migrantCount: 9 },
  };

  it("makes a case partially recovered, then recovered when the rest is paid", () => {
    expect(checkRecovery(base)).toEqual({
      ok: true,
      recoveredTotalFen: 5_000_000n,
      outstandingFen: 7_000_000n,
      overRecoveredFen: 0n,
      nextStatus: "PARTIALLY_RECOVERED",
    });
    const rest = checkRecovery({ ...base, status: "PARTIALLY_RECOVERED", recoveredSoFarFen: 5_000_000n, amountFen: 7_000_000n });
    expect(rest).toMatchObject({ ok: true, outstandingFen: 0n, nextStatus: "RECOVERED" });
  });

  it("refuses to go above the amount owed unless flagged with a reason", () => {
    const over = { ...base, recoveredSoFarFen: 10_000_000n, amountFen: 2_000_001n };
    expect(checkRecovery(over)).toMatchObject({ ok: false, errors: [{ code: "WAGE_OVER_RECOVERY" }] });
    expect((checkRecovery(over) as { errors: { message: { zh: string } }[] }).errors[0]!.message.zh).toContain("0.01 元");
    expect(checkRecovery({ ...over, overRecovery: true })).toMatchObject({ ok: false, errors: [{ code: "WAGE_OVER_RECOVERY_REASON_REQUIRED" }] });
    expect(checkRecovery({ ...over, overRecovery: true, overRecoveryReason: "含用人单位加付的赔偿金" })).toMatchObject({
      ok: true,
      overRecoveredFen: 1n,
      outstandingFen: 0n,
      nextStatus: "RECOVERED",
    });
    // Exactly the amount owed is not an over-recovery.
    expect(checkRecovery({ ...base, amountFen: 12_000_000n })).toMatchObject({ ok: true, nextStatus: "RECOVERED" });
  });

  it("keeps worker counts consistent: at least one paid, migrants among them, within the case", () => {
    expect(checkRecovery({ ...base, workersPaid: 0, migrantWorkersPaid: 0 })).toMatchObject({ errors: [{ code: "WAGE_RECOVERY_WORKERS_OUT_OF_RANGE" }] });
    expect(checkRecovery({ ...base, workersPaid: 13 })).toMatchObject({ errors: [{ code: "WAGE_RECOVERY_WORKERS_OUT_OF_RANGE" }] });
    expect(checkRecovery({ ...base, workersPaid: 5, migrantWorkersPaid: 6 })).toMatchObject({
      errors: [{ code: "WAGE_RECOVERY_MIGRANT_WORKERS_OUT_OF_RANGE" }],
    });
    expect(checkRecovery({ ...base, workersPaid: 12, migrantWorkersPaid: 10 })).toMatchObject({
      errors: [{ code: "WAGE_RECOVERY_MIGRANT_WORKERS_OUT_OF_RANGE" }],
    });
  });

  it("refuses payments on cases not being worked, and zero amounts, reporting all problems at once", () => {
    const result = checkRecovery({ ...base, status: "REGISTERED", amountFen: 0n });
    expect(result).toMatchObject({
      ok: false,
      errors: [{ code: "WAGE_RECOVERY_NOT_ALLOWED_IN_STATUS" }, { code: "WAGE_RECOVERY_AMOUNT_NOT_POSITIVE" }],
    });
  });
});
