import { describe, expect, it } from "vitest";
import {
  addWageCaseEventSchema,
  createWageCaseSchema,
  recordWageRecoverySchema,
  transitionWageCaseSchema,
} from "../../../src/wages/schemas.ts";
import { WagePaymentMethod } from "../../../src/generated/prisma/enums.ts";
import { PAYMENT_METHODS } from "../../../src/wages/vocabulary.ts";

const validCase = {
  campaignId: "0b6c2f7e-3a51-4f0e-9d0a-6f1f2d3c4b5a",
  reportingOrgId: "5d2b8c1a-7e44-4d9b-a3f1-2c6e8b9d0f12",
  source: "HOTLINE_12351",
  employer: { name: "腾讯科技（深圳）有限公司", uscc: "９１４４０３００７０８４６１１３６ｔ", address: "苏州市吴江区松陵镇", districtCode: "320509" },
  workers: { count: 23, migrantCount: 21 },
  namedWorkers: [{ name: "张三", idNumber: "11010519491231002x", mobile: "+86 138-1234-5678" }],
  owedYuan: "1,234,567.89",
  period: { from: "2026-09-01", to: "2026-12-31" },
  notes: "12351 热线来电，反映 9 月起未发工资",
};

function customCodes(schema: { safeParse(input: unknown): { success: boolean; error?: { issues: unknown[] } } }, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return (result.error!.issues as { code: string; params?: { code?: string } }[]).map((issue) => issue.params?.code ?? issue.code);
}

describe("createWageCase", () => {
  it("normalises a valid case: credit code, ID number, mobile, amount in fen", () => {
    const parsed = createWageCaseSchema.parse(validCase);
    expect(parsed.employer.uscc).toBe("91440300708461136T");
    expect(parsed.namedWorkers[0]).toEqual({ name: "张三", idNumber: "11010519491231002X", mobile: "+8613812345678" });
    expect(parsed.owedYuan).toBe(123_456_789n);
    expect(parsed.handlingOrg).toBe("UNION");
  });

  it("accepts a construction case whose subcontractor has no credit code, given the general contractor's", () => {
    const construction = {
      ...validCase,
      employer: { name: "某劳务班组（包工头 李某）", address: "苏州市吴中区", districtCode: "320506" },
      constructionProject: { name: "某安置房二期工程", generalContractor: { name: "华为技术有限公司", uscc: "914403001922038216" } },
    };
    expect(createWageCaseSchema.safeParse(construction).success).toBe(true);
    expect(customCodes(createWageCaseSchema, { ...construction, constructionProject: undefined })).toEqual(["WAGE_EMPLOYER_USCC_REQUIRED"]);
  });

  it("explains an invalid credit code with its GB 32100 error code", () => {
    expect(customCodes(createWageCaseSchema, { ...validCase, employer: { ...validCase.employer, uscc: "91440300708461136X" } })).toEqual([
      "USCC_CHECKSUM",
    ]);
  });

  it("refuses more migrant workers than workers, and more named workers than workers", () => {
    expect(customCodes(createWageCaseSchema, { ...validCase, workers: { count: 5, migrantCount: 6 } })).toEqual(["WAGE_MIGRANT_EXCEEDS_WORKERS"]);
    const twoNamed = [validCase.namedWorkers[0], { name: "李四", idNumber: "41142519880612003X" }];
    expect(customCodes(createWageCaseSchema, { ...validCase, workers: { count: 1, migrantCount: 1 }, namedWorkers: twoNamed })).toEqual([
      "WAGE_NAMED_WORKERS_EXCEED_COUNT",
    ]);
  });

  it("refuses the same worker twice, bad ID numbers and bad mobiles", () => {
    const twice = [validCase.namedWorkers[0], { name: "张三", idNumber: "11010519491231002X" }];
    expect(customCodes(createWageCaseSchema, { ...validCase, namedWorkers: twice })).toEqual(["WAGE_DUPLICATE_NAMED_WORKER"]);
    expect(customCodes(createWageCaseSchema, { ...validCase, namedWorkers: [{ name: "王五", idNumber: "511322199502280047" }] })).toEqual([
      "ID_CHECKSUM",
    ]);
    expect(customCodes(createWageCaseSchema, { ...validCase, namedWorkers: [{ ...validCase.namedWorkers[0], mobile: "1234567" }] })).toEqual([
      "MOBILE_FORMAT",
    ]);
  });

  it("takes money only as an exact positive string", () => {
    expect(customCodes(createWageCaseSchema, { ...validCase, owedYuan: "0" })).toEqual(["MONEY_NOT_POSITIVE"]);
    expect(customCodes(createWageCaseSchema, { ...validCase, owedYuan: "100.001" })).toEqual(["MONEY_TOO_MANY_DECIMALS"]);
    expect(customCodes(createWageCaseSchema, { ...validCase, owedYuan: 1234.5 })).toEqual(["invalid_type"]);
  });

  it("refuses a period that ends before it starts, and dates that do not exist", () => {
    expect(customCodes(createWageCaseSchema, { ...validCase, period: { from: "2026-12-01", to: "2026-09-30" } })).toEqual(["WAGE_PERIOD_REVERSED"]);
    expect(customCodes(createWageCaseSchema, { ...validCase, period: { from: "2026-02-30", to: "2026-09-30" } })).toEqual(["INVALID_DATE"]);
  });
});

describe("transitionWageCase", () => {
  it("needs a reason to reject and a target to transfer", () => {
    expect(customCodes(transitionWageCaseSchema, { to: "REJECTED", expectedVersion: 3 })).toEqual(["WAGE_CASE_REASON_REQUIRED"]);
    expect(customCodes(transitionWageCaseSchema, { to: "TRANSFERRED", expectedVersion: 3 })).toEqual(["WAGE_CASE_TRANSFER_TARGET_REQUIRED"]);
    expect(customCodes(transitionWageCaseSchema, { to: "TRANSFERRED", transferTo: "UNION", expectedVersion: 3 })).toEqual(["invalid_value"]);
    expect(customCodes(transitionWageCaseSchema, { to: "MEDIATING", transferTo: "COURT", expectedVersion: 3 })).toEqual([
      "WAGE_CASE_TRANSFER_TARGET_UNEXPECTED",
    ]);
    expect(transitionWageCaseSchema.parse({ to: "TRANSFERRED", transferTo: "COURT", expectedVersion: 3 })).toMatchObject({ transferTo: "COURT" });
  });

  it("requires the version the officer saw", () => {
    expect(customCodes(transitionWageCaseSchema, { to: "ACCEPTED" })).toEqual(["invalid_type"]);
  });
});

describe("addWageCaseEvent", () => {
  it("takes an officer's event kind and a non-empty note", () => {
    expect(addWageCaseEventSchema.parse({ kind: "EMPLOYER_INTERVIEW", note: " 约谈项目经理，承诺 1 月 20 日前支付 " }).note).toBe("约谈项目经理，承诺 1 月 20 日前支付");
    expect(customCodes(addWageCaseEventSchema, { kind: "STATUS_CHANGED", note: "x" })).toEqual(["invalid_value"]);
    expect(customCodes(addWageCaseEventSchema, { kind: "NOTE", note: "   " })).toEqual(["too_small"]);
  });
});

describe("recordWageRecovery", () => {
  const payment = { amountYuan: "56.86万", paidOn: "2027-01-20", workersPaid: 21, migrantWorkersPaid: 19, method: "WAGE_GUARANTEE_FUND" };

  it("parses a payment, with defaults for the flags", () => {
    expect(recordWageRecoverySchema.parse(payment)).toEqual({ ...payment, amountYuan: 56_860_000n, overRecovery: false, notifyWorkers: false });
  });

  it("takes every payment method the database knows, the general contractor's advance included", () => {
    expect([...PAYMENT_METHODS].sort()).toEqual(Object.values(WagePaymentMethod).sort());
    expect(recordWageRecoverySchema.parse({ ...payment, method: "GENERAL_CONTRACTOR_ADVANCE" }).method).toBe("GENERAL_CONTRACTOR_ADVANCE");
    expect(customCodes(recordWageRecoverySchema, { ...payment, method: "CHEQUE" })).toEqual(["invalid_value"]);
  });

  it("keeps migrant workers within the workers paid, and over-recovery explained", () => {
    expect(customCodes(recordWageRecoverySchema, { ...payment, migrantWorkersPaid: 22 })).toEqual(["WAGE_RECOVERY_MIGRANT_WORKERS_OUT_OF_RANGE"]);
    expect(customCodes(recordWageRecoverySchema, { ...payment, overRecovery: true })).toEqual(["WAGE_OVER_RECOVERY_REASON_REQUIRED"]);
    expect(customCodes(recordWageRecoverySchema, { ...payment, overRecovery: true, overRecoveryReason: "含加付赔偿金" })).toEqual([]);
  });
});
