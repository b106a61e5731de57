// Wage-arrears cases through the API: registration (USCC, ownership), subtree visibility, the
// transition table, optimistic locking, payments to the fen, over-recovery, the SMS hook, figures
// that reconcile with the payments, the travel flag and the overdue escalation.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { enqueueViaOutbox } from "../../src/queue/outbox.ts";
import { escalateOverdueWageCases } from "../../src/services/wages/escalation.ts";
import { allowedTransitions, WAGE_CASE_STATUSES, WAGE_CASE_TRANSITIONS, type WageCaseStatus } from "../../src/wages/workflow.ts";
import { runWorkers } from "../../workers/run-workers.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp, createTestCampaign } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let campaignId: string;
const vault = piiVaultFromConfig(testConfig());
const log = createLogger("silent");

const WORKER_ZHANG = { name: "张三", idNumber: "11010519491231002X", mobile: "13812345678" };
const WORKER_LI = { name: "李四", idNumber: "41142519880612003X" };

function caseBody(reportingOrgId: string, overrides: Record<string, unknown> = {}) {
  return {
    campaignId,
    reportingOrgId,
    source: "HOTLINE_12351",
    employer: { name: "苏州某建筑劳务有限公司", uscc: "91440300708461136T", address: "苏州市吴江区松陵镇", districtCode: "320509" },
    workers: { count: 10, migrantCount: 8 },
    owedYuan: "100000.00",
    period: { from: "2026-06-01", to: "2026-10-31" },
    ...overrides,
  };
}

async function createCase(key: string, reportingOrgId: string, overrides: Record<string, unknown> = {}) {
  const res = await call(app, "POST", "/v1/wage-cases", { key, body: caseBody(reportingOrgId, overrides) });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json;
}

async function move(id: string, to: WageCaseStatus, version: number, key = fx.keys.city.STAFF) {
  const body: Record<string, unknown> = { to, expectedVersion: version, reason: "依据核查结果" };
  if (to === "TRANSFERRED") body.transferTo = "LABOUR_INSPECTION";
  return call(app, "POST", `/v1/wage-cases/${id}/transitions`, { key, body });
}

async function pay(id: string, body: Record<string, unknown>, key = fx.keys.city.STAFF) {
  return call(app, "POST", `/v1/wage-cases/${id}/recoveries`, {
    key,
    body: { paidOn: "2026-11-20", workersPaid: 1, migrantWorkersPaid: 1, method: "BANK_TRANSFER", ...body },
  });
}

/** A case brought to `status` through the API only. */
async function caseIn(status: WageCaseStatus): Promise<{ id: string; version: number }> {
  const created = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id, { owedYuan: "1000" });
  let current = { id: created.id as string, version: created.version as number };
  const step = async (to: WageCaseStatus) => {
    const res = await move(current.id, to, current.version);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    current = { id: current.id, version: res.json.version };
  };
  const paid = async (amount: string) => {
    const res = await pay(current.id, { amountYuan: amount });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    current = { id: current.id, version: res.json.case.version };
  };
  const paths: Record<WageCaseStatus, () => Promise<void>> = {
    REGISTERED: async () => undefined,
    ACCEPTED: () => step("ACCEPTED"),
    INVESTIGATING: async () => (await step("ACCEPTED"), step("INVESTIGATING")),
    MEDIATING: async () => (await step("ACCEPTED"), step("MEDIATING")),
    TRANSFERRED: async () => (await step("ACCEPTED"), step("TRANSFERRED")),
    PARTIALLY_RECOVERED: async () => (await step("ACCEPTED"), await step("INVESTIGATING"), paid("400")),
    RECOVERED: async () => (await step("ACCEPTED"), await step("INVESTIGATING"), paid("1000")),
    CLOSED: async () => (await step("ACCEPTED"), await step("INVESTIGATING"), await paid("1000"), step("CLOSED")),
    REJECTED: () => step("REJECTED"),
  };
  await paths[status]();
  return current;
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  campaignId = await createTestCampaign(app, fx);
});
afterAll(async () => database.drop());
afterEach(() => {
  vi.useRealTimers();
});

describe("registering a case", () => {
  it("accepts real USCCs and refuses invalid ones with the field and code", async () => {
    for (const uscc of ["914403001922038216", "91100000100003962T", "91340111MA2RAD3M4R"]) {
      const created = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id, { employer: { name: "某公司", uscc, address: "苏州", districtCode: "320509" } });
      expect(created.employer.uscc).toBe(uscc);
      expect(created.caseNo).toMatch(/^QX2027-\d{6}$/);
    }
    const bad = async (uscc: string) => {
      const res = await call(app, "POST", "/v1/wage-cases", {
        key: fx.keys.enterpriseA1.STAFF,
        body: caseBody(fx.enterpriseA1.id, { employer: { name: "某公司", uscc, address: "苏州", districtCode: "320509" } }),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
      return res.json.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`);
    };
    expect(await bad("914403001922038217")).toEqual(["body.employer.uscc:USCC_CHECKSUM"]);
    expect(await bad("91440300708461136")).toEqual(["body.employer.uscc:USCC_LENGTH"]);
    expect(await bad("9144030070846113IT")).toEqual(["body.employer.uscc:USCC_CHARSET"]);
  });

  it("refuses floats and malformed money, and gives case numbers in sequence", async () => {
    const res = await call(app, "POST", "/v1/wage-cases", { key: fx.keys.enterpriseA1.STAFF, body: caseBody(fx.enterpriseA1.id, { owedYuan: 1000.5 }) });
    expect(res.status).toBe(400);
    const decimals = await call(app, "POST", "/v1/wage-cases", { key: fx.keys.enterpriseA1.STAFF, body: caseBody(fx.enterpriseA1.id, { owedYuan: "10.005" }) });
    expect(decimals.json.errors[0].code).toBe("MONEY_TOO_MANY_DECIMALS");
    const a = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id, { owedYuan: "1.2万" });
    const b = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id);
    expect(a.owed).toEqual({ fen: "1200000", yuan: "12000.00", wanYuan: "1.20" });
    expect(Number(b.caseNo.slice(7))).toBe(Number(a.caseNo.slice(7)) + 1);
  });

  it("belongs to the reporter, or to the district named by the employer's region when the city reports", async () => {
    const byEnterprise = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id);
    expect(byEnterprise.orgId).toBe(fx.enterpriseA1.id);
    const byDistrict = await createCase(fx.keys.districtA.STAFF, fx.districtA.id);
    expect(byDistrict.orgId).toBe(fx.districtA.id);
    const byCity = await createCase(fx.keys.city.STAFF, fx.city.id, { employer: { name: "吴中某厂", uscc: "914403001922038216", address: "吴中区", districtCode: "320506" } });
    expect(byCity.orgId).toBe(fx.districtB.id);
    expect(byCity.reportingOrgId).toBe(fx.city.id);
    const nowhere = await call(app, "POST", "/v1/wage-cases", {
      key: fx.keys.city.STAFF,
      body: caseBody(fx.city.id, { employer: { name: "某厂", uscc: "914403001922038216", address: "某地", districtCode: "320599" } }),
    });
    expect(nowhere.status).toBe(400);
    expect(nowhere.json.code).toBe("WAGE_DISTRICT_UNION_NOT_FOUND");
    // An enterprise cannot report for another enterprise: outside its subtree is 404.
    const other = await call(app, "POST", "/v1/wage-cases", { key: fx.keys.enterpriseA1.STAFF, body: caseBody(fx.enterpriseA2.id) });
    expect(other.status).toBe(404);
  });

  it("keeps named workers' ID numbers and mobiles sealed and answers them masked", async () => {
    const created = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id, { namedWorkers: [WORKER_ZHANG, WORKER_LI] });
    const res = await call(app, "GET", `/v1/wage-cases/${created.id}`, { key: fx.keys.enterpriseA1.READ_ONLY });
    expect(res.json.namedWorkers.map((w: { idNumberMasked: string }) => w.idNumberMasked).sort()).toEqual(["110105********002X", "411425********003X"]);
    expect(res.json.namedWorkers.find((w: { name: string }) => w.name === "张三").mobileMasked).toBe("138****5678");
    expect(res.text).not.toContain(WORKER_ZHANG.idNumber);
    expect(res.text).not.toContain("13812345678");
    const rows = await database.db.wageCaseWorker.findMany({ where: { caseId: created.id } });
    for (const row of rows) {
      expect(row.idSealed).not.toContain(row.idMasked.slice(-4) + "X");
      expect(vault.open(row.idSealed)).toMatch(/^\d{17}[\dX]$/);
      expect(row.idHash).toBe(vault.hash(vault.open(row.idSealed)));
    }
    const audit = await database.db.auditEntry.findMany({ where: { entityId: created.id } });
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(WORKER_ZHANG.idNumber);
    expect(res.json.timeline.map((e: { kind: string }) => e.kind)).toEqual(["CREATED"]);
  });
});

describe("visibility", () => {
  it("an enterprise sees its own cases, a district its subtree, the city all; others get 404", async () => {
    const own = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id, { employer: { name: "可见性测试甲厂", uscc: "914403001922038216", address: "吴江", districtCode: "320509" } });
    const inB = await createCase(fx.keys.enterpriseB1.STAFF, fx.enterpriseB1.id, { employer: { name: "可见性测试乙厂", uscc: "914403001922038216", address: "吴中", districtCode: "320506" } });
    const get = (id: string, key: string) => call(app, "GET", `/v1/wage-cases/${id}`, { key });
    expect((await get(own.id, fx.keys.enterpriseA1.READ_ONLY)).status).toBe(200);
    expect((await get(own.id, fx.keys.districtA.READ_ONLY)).status).toBe(200);
    expect((await get(own.id, fx.keys.city.READ_ONLY)).status).toBe(200);
    expect((await get(own.id, fx.keys.enterpriseA2.ADMIN)).status).toBe(404);
    expect((await get(own.id, fx.keys.districtB.ADMIN)).status).toBe(404);
    expect((await get(inB.id, fx.keys.districtA.ADMIN)).status).toBe(404);
    expect((await get(own.id, fx.keys.operator.ADMIN)).status).toBe(403);
    // Changes from outside the subtree are 404 too.
    expect((await move(own.id, "ACCEPTED", own.version, fx.keys.districtB.STAFF)).status).toBe(404);
    expect((await pay(own.id, { amountYuan: "1" }, fx.keys.enterpriseA2.STAFF)).status).toBe(404);

    const names = async (key: string) => {
      const res = await call(app, "GET", `/v1/wage-cases?campaignId=${campaignId}&employer=${encodeURIComponent("可见性测试")}`, { key });
      expect(res.status).toBe(200);
      return res.json.items.map((c: { employer: { name: string } }) => c.employer.name).sort();
    };
    expect(await names(fx.keys.enterpriseA1.READ_ONLY)).toEqual(["可见性测试甲厂"]);
    expect(await names(fx.keys.enterpriseA2.READ_ONLY)).toEqual([]);
    expect(await names(fx.keys.districtA.READ_ONLY)).toEqual(["可见性测试甲厂"]);
    expect(await names(fx.keys.districtB.READ_ONLY)).toEqual(["可见性测试乙厂"]);
    expect(await names(fx.keys.city.READ_ONLY)).toEqual(["可见性测试乙厂", "可见性测试甲厂"]);
    // The city narrows to a district; a district cannot look into the other one.
    const narrowed = await call(app, "GET", `/v1/wage-cases?orgId=${fx.districtB.id}&employer=${encodeURIComponent("可见性测试")}`, { key: fx.keys.city.READ_ONLY });
    expect(narrowed.json.items.map((c: { id: string }) => c.id)).toEqual([inB.id]);
    expect((await call(app, "GET", `/v1/wage-cases?orgId=${fx.districtB.id}`, { key: fx.keys.districtA.READ_ONLY })).status).toBe(404);
  });
});

describe("the transition table, through the API", () => {
  it("allows exactly the table's hand-made moves and answers 409 with the allowed states otherwise", async () => {
    const outcomes: string[] = [];
    for (const from of WAGE_CASE_STATUSES) {
      const allowed = allowedTransitions(from);
      const probe = await caseIn(from);
      for (const to of WAGE_CASE_STATUSES) {
        if (allowed.includes(to)) continue;
        const res = await move(probe.id, to, probe.version);
        const expectedCode = (WAGE_CASE_TRANSITIONS[from] as readonly string[]).includes(to) ? "WAGE_CASE_STATUS_SET_BY_RECOVERY" : "WAGE_CASE_INVALID_TRANSITION";
        if (res.status !== 409 || res.json.code !== expectedCode || JSON.stringify(res.json.allowed) !== JSON.stringify(allowed)) {
          outcomes.push(`${from}→${to}: ${res.status} ${res.json.code} ${JSON.stringify(res.json.allowed)}`);
        }
      }
      for (const to of allowed) {
        const fresh = await caseIn(from);
        const res = await move(fresh.id, to, fresh.version);
        if (res.status !== 200 || res.json.status !== to || res.json.version !== fresh.version + 1) outcomes.push(`${from}→${to}: ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it("requires a reason to reject, records the move on the timeline and transfers set the handler", async () => {
    const created = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id);
    const noReason = await call(app, "POST", `/v1/wage-cases/${created.id}/transitions`, { key: fx.keys.city.STAFF, body: { to: "REJECTED", expectedVersion: created.version } });
    expect(noReason.status).toBe(400);
    expect(noReason.json.errors[0].code).toBe("WAGE_CASE_REASON_REQUIRED");
    const accepted = await move(created.id, "ACCEPTED", created.version);
    const transferred = await move(created.id, "TRANSFERRED", accepted.json.version);
    expect(transferred.json.handlingOrg).toBe("LABOUR_INSPECTION");
    expect(transferred.json.timeline.map((e: { kind: string; toStatus: string | null }) => `${e.kind}:${e.toStatus}`)).toEqual([
      "CREATED:REGISTERED",
      "STATUS_CHANGED:ACCEPTED",
      "STATUS_CHANGED:TRANSFERRED",
    ]);
    const note = await call(app, "POST", `/v1/wage-cases/${created.id}/events`, { key: fx.keys.districtA.STAFF, body: { kind: "PHONE_CALL", note: "已电话联系项目经理" } });
    expect(note.status).toBe(201);
    expect(note.json.kindLabel.zh).toBe("电话联系");
  });

  it("refuses a stale version with 409, so two officers cannot overwrite each other", async () => {
    const created = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id);
    const officerA = await move(created.id, "ACCEPTED", created.version, fx.keys.districtA.STAFF);
    expect(officerA.status).toBe(200);
    const officerB = await move(created.id, "REJECTED", created.version, fx.keys.city.STAFF);
    expect(officerB.status).toBe(409);
    expect(officerB.json.code).toBe("WAGE_CASE_VERSION_CONFLICT");
    expect(officerB.json.currentVersion).toBe(created.version + 1);
    const after = await call(app, "GET", `/v1/wage-cases/${created.id}`, { key: fx.keys.city.READ_ONLY });
    expect(after.json.status).toBe("ACCEPTED");
    // Two moves racing from the same version: exactly one wins.
    const racing = await Promise.all([move(created.id, "INVESTIGATING", after.json.version), move(created.id, "MEDIATING", after.json.version)]);
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});

describe("recording payments", () => {
  async function investigatingCase(owedYuan: string, overrides: Record<string, unknown> = {}) {
    const created = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id, { owedYuan, workers: { count: 500, migrantCount: 400 }, ...overrides });
    const accepted = await move(created.id, "ACCEPTED", created.version);
    const investigating = await move(created.id, "INVESTIGATING", accepted.json.version);
    return investigating.json;
  }

  it("adds many payments, in yuan strings and integer fen, exactly to the fen", async () => {
    const wageCase = await investigatingCase("100000000.00");
    let seed = 20270206;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    let expectedFen = 0n;
    for (let index = 0; index < 120; index += 1) {
      const fen = BigInt((next() % 9_999_999) + 1);
      expectedFen += fen;
      const body = index % 2 === 0 ? { amountFen: Number(fen) } : { amountYuan: `${fen / 100n}.${String(fen % 100n).padStart(2, "0")}` };
      const res = await pay(wageCase.id, body);
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      expect(res.json.payment.amount.fen).toBe(fen.toString());
    }
    const after = await call(app, "GET", `/v1/wage-cases/${wageCase.id}`, { key: fx.keys.city.READ_ONLY });
    expect(after.json.recovered.amount.fen).toBe(expectedFen.toString());
    expect(after.json.payments).toHaveLength(120);
    const summed = after.json.payments.reduce((total: bigint, p: { amount: { fen: string } }) => total + BigInt(p.amount.fen), 0n);
    expect(summed).toBe(expectedFen);
    expect(after.json.recovered.outstanding.fen).toBe((10_000_000_000n - expectedFen).toString());
    expect(after.json.status).toBe("PARTIALLY_RECOVERED");
    expect(after.json.recovered.workersPaid).toBe(120);
  });

  it("refuses floats, both amounts at once, and statuses where money cannot be recorded", async () => {
    const wageCase = await investigatingCase("500");
    expect((await pay(wageCase.id, { amountFen: 12.5 })).json.errors[0].code).toBe("WAGE_AMOUNT_FEN_NOT_INTEGER");
    expect((await pay(wageCase.id, { amountYuan: 12.5 })).status).toBe(400);
    expect((await pay(wageCase.id, { amountYuan: "1", amountFen: 100 })).json.errors.map((e: { code: string }) => e.code)).toContain("WAGE_AMOUNT_TWICE");
    const registered = await createCase(fx.keys.enterpriseA1.STAFF, fx.enterpriseA1.id);
    const tooEarly = await pay(registered.id, { amountYuan: "1" });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.json.code).toBe("WAGE_RECOVERY_NOT_ALLOWED_IN_STATUS");
  });

  it("refuses more than owed unless over-recovery is flagged with a reason, which is audited", async () => {
    const wageCase = await investigatingCase("1000.00", { workers: { count: 3, migrantCount: 3 } });
    expect((await pay(wageCase.id, { amountYuan: "999.99" })).json.case.status).toBe("PARTIALLY_RECOVERED");
    const over = await pay(wageCase.id, { amountYuan: "0.02" });
    expect(over.status).toBe(409);
    expect(over.json.code).toBe("WAGE_OVER_RECOVERY");
    expect(over.json.message.zh).toContain("0.01");
    const noReason = await pay(wageCase.id, { amountYuan: "0.02", overRecovery: true });
    expect(noReason.status).toBe(400);
    const flagged = await pay(wageCase.id, { amountYuan: "200.01", overRecovery: true, overRecoveryReason: "含经济补偿金" });
    expect(flagged.status).toBe(201);
    expect(flagged.json.case.status).toBe("RECOVERED");
    expect(flagged.json.case.recovered.amount.yuan).toBe("1200.00");
    expect(flagged.json.case.recovered.outstanding.fen).toBe("0");
    expect(flagged.json.payment.overRecovery).toBe(true);
    const audit = await database.db.auditEntry.findMany({ where: { entityId: wageCase.id, action: "wage_case.over_recovery" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ overRecoveredFen: "20000", overRecoveryReason: "含经济补偿金" });
    // Headcounts are checked against the case.
    const other = await investigatingCase("100", { workers: { count: 2, migrantCount: 1 } });
    const tooMany = await pay(other.id, { amountYuan: "10", workersPaid: 3, migrantWorkersPaid: 0 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.errors.map((e: { code: string }) => e.code)).toContain("WAGE_RECOVERY_WORKERS_OUT_OF_RANGE");
  });

  it("queues the 工资已追回 SMS through the outbox, with ids only, when named workers are paid", async () => {
    const wageCase = await investigatingCase("3000", { namedWorkers: [WORKER_ZHANG, WORKER_LI], workers: { count: 2, migrantCount: 2 } });
    const zhang = wageCase.namedWorkers.find((w: { name: string }) => w.name === "张三");
    const before = await database.db.outboxMessage.count({ where: { jobName: "sms.wages-recovered" } });
    const silent = await pay(wageCase.id, { amountYuan: "1000", paidWorkerIds: [zhang.id] });
    expect(silent.status).toBe(201);
    expect(await database.db.outboxMessage.count({ where: { jobName: "sms.wages-recovered" } })).toBe(before);
    const noOne = await pay(wageCase.id, { amountYuan: "1000", notifyWorkers: true });
    expect(noOne.json.code).toBe("WAGE_NOTIFY_WITHOUT_NAMED_WORKERS");
    const stranger = await pay(wageCase.id, { amountYuan: "1", paidWorkerIds: ["7b1e0f7e-2f5c-4a4e-9d8e-1f2a3b4c5d6e"] });
    expect(stranger.json.errors[0].code).toBe("WAGE_UNKNOWN_NAMED_WORKER");
    const notified = await pay(wageCase.id, { amountYuan: "1000", paidWorkerIds: [zhang.id], notifyWorkers: true });
    expect(notified.status).toBe(201);
    const rows = await database.db.outboxMessage.findMany({ where: { jobName: "sms.wages-recovered" } });
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)!.payload).toEqual({ caseId: wageCase.id, paymentId: notified.json.payment.id });
    expect(rows.at(-1)!.queue).toBe("sms");
    const worker = await database.db.wageCaseWorker.findUniqueOrThrow({ where: { id: zhang.id } });
    expect(worker.paymentId).toBe(notified.json.payment.id);
    expect(worker.paidAt).not.toBeNull();
  });

  it("requires the migrant workers' share when a payment pays migrants and others", async () => {
    const wageCase = await investigatingCase("1000", { workers: { count: 4, migrantCount: 2 } });
    const missing = await pay(wageCase.id, { amountYuan: "300", workersPaid: 3, migrantWorkersPaid: 2 });
    expect(missing.json.code).toBe("WAGE_MIGRANT_AMOUNT_REQUIRED");
    const given = await pay(wageCase.id, { amountYuan: "300", workersPaid: 3, migrantWorkersPaid: 2, migrantAmountYuan: "200.50" });
    expect(given.status).toBe(201);
    expect(given.json.case.recovered.migrantAmount.yuan).toBe("200.50");
    const none = await pay(wageCase.id, { amountYuan: "100", workersPaid: 1, migrantWorkersPaid: 0 });
    expect(none.json.payment.migrantAmount.fen).toBe("0");
  });
});

describe("figures", () => {
  it("reconcile exactly with the recorded payments, for the city and for each district", async () => {
    const figures = async (key: string, orgId?: string) => {
      const res = await call(app, "GET", `/v1/wage-figures?campaignId=${campaignId}${orgId ? `&orgId=${orgId}` : ""}`, { key });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return res.json;
    };
    const payments = await database.db.wagePayment.findMany({ include: { wageCase: { select: { orgId: true } } } });
    const under = (orgIds: string[]) => payments.filter((p) => orgIds.includes(p.wageCase.orgId));
    const check = (json: any, subset: typeof payments) => {
      const fen = subset.reduce((total, p) => total + p.amountFen, 0n);
      const migrantFen = subset.reduce((total, p) => total + p.migrantAmountFen, 0n);
      expect(json.recovered.all.amount.fen).toBe(fen.toString());
      expect(json.recovered.migrant.amount.fen).toBe(migrantFen.toString());
      expect(json.recovered.all.workers).toBe(subset.reduce((total, p) => total + p.workersPaid, 0));
      expect(json.recovered.migrant.workers).toBe(subset.reduce((total, p) => total + p.migrantWorkersPaid, 0));
      expect(json.recovered.payments).toBe(subset.length);
      expect(json.recovered.reconciled).toBe(true);
    };
    const city = await figures(fx.keys.city.READ_ONLY);
    check(city, payments);
    expect(payments.length).toBeGreaterThan(120);
    const districtA = await figures(fx.keys.districtA.READ_ONLY);
    check(districtA, under([fx.districtA.id, fx.enterpriseA1.id, fx.enterpriseA2.id]));
    check(await figures(fx.keys.city.READ_ONLY, fx.districtB.id), under([fx.districtB.id, fx.enterpriseB1.id]));
    expect(city.cases.byStatus.reduce((total: number, s: { count: number }) => total + s.count, 0)).toBe(city.cases.total);
    expect(city.cases.ageing.reduce((total: number, s: { count: number }) => total + s.count, 0)).toBe(city.cases.open);
    expect(city.cases.total).toBe(await database.db.wageCase.count());
    // 万元 is rounded once, on the total.
    const totalFen = BigInt(city.recovered.all.amount.fen);
    expect(city.recovered.all.amount.wanYuan).toBe(((totalFen + 5_000n) / 10_000n / 100n).toString() + "." + String(((totalFen + 5_000n) / 10_000n) % 100n).padStart(2, "0"));
    expect((await call(app, "GET", `/v1/wage-figures?campaignId=${campaignId}&orgId=${fx.districtB.id}`, { key: fx.keys.districtA.READ_ONLY })).status).toBe(404);
  });
});

describe("travel flags", () => {
  it("flags travellers who are named workers of an unpaid case, with their departure, to their own subtree", async () => {
    const wageCase = await createCase(fx.keys.districtA.STAFF, fx.districtA.id, { namedWorkers: [WORKER_ZHANG, WORKER_LI], workers: { count: 2, migrantCount: 2 }, owedYuan: "8000" });
    const list = await database.db.ticketList.create({ data: { campaignId, orgId: fx.enterpriseA1.id, title: "2027 返乡名单", status: "SUBMITTED" } });
    const traveller = (rowNumber: number, name: string, idNumber: string, earliest: string) =>
      database.db.traveler.create({
        data: {
          listId: list.id,
          campaignId,
          orgId: fx.enterpriseA1.id,
          rowNumber,
          name,
          idSealed: vault.seal(idNumber),
          idHash: vault.hash(idNumber),
          idMasked: `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`,
          mobileSealed: vault.seal("+8613900000000"),
          mobileHash: vault.hash("+8613900000000"),
          mobileMasked: "139****0000",
          gender: "M",
          birthDate: new Date("1988-06-12T00:00:00Z"),
          destinationCode: "411425",
          earliestDate: new Date(`${earliest}T00:00:00Z`),
          latestDate: new Date("2027-02-04T00:00:00Z"),
        },
      });
    const zhang = await traveller(1, "张三", WORKER_ZHANG.idNumber, "2027-01-25");
    const li = await traveller(2, "李四", WORKER_LI.idNumber, "2027-01-28");
    await traveller(3, "王五", "511322199502280047", "2027-01-22");
    const run = await database.db.allocationRun.create({ data: { campaignId, seq: 1, status: "PUBLISHED", parameters: {} } });
    const vehicle = await database.db.vehicle.create({
      data: { runId: run.id, capacityId: randomUUIDv4(), campaignId, mode: "BUS", label: "苏E-12345 包车", departureAt: new Date("2027-01-26T00:30:00Z"), route: [], seatsTotal: 45, seatsUsed: 1 },
    });
    await database.db.assignment.create({
      data: { runId: run.id, vehicleId: vehicle.id, travelerId: zhang.id, campaignId, orgId: fx.enterpriseA1.id, seat: "12", dropStop: 1, dropRegionCode: "411425" },
    });

    const flags = async (key: string) => {
      const res = await call(app, "GET", `/v1/wage-travel-flags?campaignId=${campaignId}`, { key });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return res.json.items;
    };
    const forEnterprise = await flags(fx.keys.enterpriseA1.READ_ONLY);
    expect(forEnterprise.map((f: any) => f.traveler.name)).toEqual(["张三", "李四"]);
    const [first, second] = forEnterprise;
    expect(first.departure).toMatchObject({ date: "2027-01-26", time: "08:30", vehicle: "苏E-12345 包车", seat: "12" });
    expect(first.message.zh).toBe("欠薪未结清，2027-01-26 08:30 乘 苏E-12345 包车出发");
    // Earlier tests named the same workers in other open cases: every unsettled case is listed.
    expect(first.cases.map((c: { id: string }) => c.id)).toContain(wageCase.id);
    expect(first.cases.find((c: { id: string }) => c.id === wageCase.id)).toMatchObject({ caseNo: wageCase.caseNo, outstandingYuan: "8000.00" });
    const otherOpen = await database.db.wageCaseWorker.count({ where: { idHash: vault.hash(WORKER_ZHANG.idNumber), wageCase: { status: { notIn: ["CLOSED", "REJECTED", "RECOVERED"] } } } });
    expect(first.cases).toHaveLength(otherOpen);
    expect(second.departure).toBeNull();
    expect(second.departsOn).toBe("2027-01-28");
    expect(second.traveler.idNumberMasked).toBe("411425********003X");
    expect(JSON.stringify(forEnterprise)).not.toContain(WORKER_LI.idNumber);
    expect(await flags(fx.keys.districtA.READ_ONLY)).toHaveLength(2);
    expect(await flags(fx.keys.city.READ_ONLY)).toHaveLength(2);
    expect(await flags(fx.keys.enterpriseA2.READ_ONLY)).toEqual([]);
    expect(await flags(fx.keys.districtB.READ_ONLY)).toEqual([]);
    expect((await call(app, "GET", `/v1/wage-travel-flags?campaignId=${campaignId}`, { key: fx.keys.operator.READ_ONLY })).status).toBe(403);

    // A cancelled traveller is not flagged; a case paid in full clears the flag.
    await database.db.traveler.update({ where: { id: li.id }, data: { status: "CANCELLED" } });
    expect((await flags(fx.keys.city.READ_ONLY)).map((f: any) => f.traveler.name)).toEqual(["张三"]);
    const accepted = await move(wageCase.id, "ACCEPTED", wageCase.version);
    await move(wageCase.id, "INVESTIGATING", accepted.json.version);
    expect((await pay(wageCase.id, { amountYuan: "8000", workersPaid: 2, migrantWorkersPaid: 2 })).json.case.status).toBe("RECOVERED");
    expect((await flags(fx.keys.city.READ_ONLY)).flatMap((f: any) => f.cases.map((c: { id: string }) => c.id))).not.toContain(wageCase.id);
    // Once every case naming him is settled, he is no longer flagged.
    await database.db.wageCase.updateMany({ where: { workers: { some: { idHash: vault.hash(WORKER_ZHANG.idNumber) } } }, data: { status: "CLOSED" } });
    expect(await flags(fx.keys.city.READ_ONLY)).toEqual([]);
  });
});

describe("overdue cases", () => {
  it("are listed as overdue after the paid-before date and escalated once, with notices to the district and the city", async () => {
    const wageCase = await createCase(fx.keys.enterpriseA2.STAFF, fx.enterpriseA2.id, { employer: { name: "逾期测试厂", uscc: "914403001922038216", address: "吴江", districtCode: "320509" } });
    const overdueNames = async () =>
      (await call(app, "GET", `/v1/wage-cases?overdue=true&employer=${encodeURIComponent("逾期测试厂")}`, { key: fx.keys.districtA.READ_ONLY })).json.items.map((c: { id: string }) => c.id);
    expect(await overdueNames()).toEqual([]);
    const notYet = await call(app, "GET", `/v1/wage-cases?overdue=false&employer=${encodeURIComponent("逾期测试厂")}`, { key: fx.keys.districtA.READ_ONLY });
    expect(notYet.json.items.map((c: { id: string }) => c.id)).toEqual([wageCase.id]);

    // The day after the campaign's "paid before leaving" date (2027-01-18), in China.
    const later = new Date("2027-01-19T02:00:00Z");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(later);
    expect(await overdueNames()).toEqual([wageCase.id]);
    const notOverdue = await call(app, "GET", `/v1/wage-cases?overdue=false&employer=${encodeURIComponent("逾期测试厂")}`, { key: fx.keys.districtA.READ_ONLY });
    expect(notOverdue.json.items).toEqual([]);
    const figures = await call(app, "GET", `/v1/wage-figures?campaignId=${campaignId}&orgId=${fx.enterpriseA2.id}`, { key: fx.keys.districtA.READ_ONLY });
    expect(figures.json.cases.overdue).toBe(1);
    vi.useRealTimers();

    const sys = { db: database.db, log, pii: vault };
    const first = await escalateOverdueWageCases(sys, later);
    expect(first.escalated).toBeGreaterThanOrEqual(1);
    const again = await escalateOverdueWageCases(sys, later);
    expect(again.escalated).toBe(0);
    const row = await database.db.wageCase.findUniqueOrThrow({ where: { id: wageCase.id } });
    expect(row.escalatedAt?.toISOString()).toBe(later.toISOString());
    const notices = await database.db.auditEntry.findMany({ where: { entityId: wageCase.id, action: "wage_case.overdue_notice" }, orderBy: { id: "asc" } });
    expect(notices.map((n) => [n.orgId, (n.details as { recipient: string }).recipient])).toEqual([
      [fx.districtA.id, "DISTRICT"],
      [fx.city.id, "CITY"],
    ]);
    // Registered 2026-11-25, still not accepted: both its acceptance deadline and the paid-before date have passed.
    expect((notices[0]!.details as { reasons: string[] }).reasons).toEqual(["ACCEPTANCE_DEADLINE_PASSED", "PAID_BEFORE_DATE_PASSED"]);
    const timeline = (await call(app, "GET", `/v1/wage-cases/${wageCase.id}`, { key: fx.keys.city.READ_ONLY })).json.timeline;
    expect(timeline.filter((e: { kind: string }) => e.kind === "ESCALATED")).toHaveLength(1);
  });

  it("are escalated by the scheduled job through the workers", async () => {
    const wageCase = await createCase(fx.keys.enterpriseB1.STAFF, fx.enterpriseB1.id);
    // Back-date the registration so that its acceptance deadline has passed today.
    await database.db.wageCase.update({ where: { id: wageCase.id }, data: { registeredOn: new Date("2026-10-09T00:00:00Z"), acceptanceDueOn: new Date("2026-10-16T00:00:00Z") } });
    const prefix = `t${randomBytes(4).toString("hex")}`;
    const workers = await runWorkers({ config: testConfig(), log, databaseUrl: database.url, redisUrl: inject("redisUrl"), prefix, queues: ["wages"] });
    try {
      await enqueueViaOutbox(database.db, "wages.escalate-overdue", {});
      await workers.drainOutbox();
      await vi.waitFor(
        async () => {
          const row = await database.db.wageCase.findUniqueOrThrow({ where: { id: wageCase.id } });
          expect(row.escalatedAt).not.toBeNull();
        },
        { timeout: 15_000, interval: 100 },
      );
    } finally {
      await workers.stop();
    }
    const notices = await database.db.auditEntry.findMany({ where: { entityId: wageCase.id, action: "wage_case.overdue_notice" } });
    expect(notices.map((n) => n.orgId).sort()).toEqual([fx.city.id, fx.districtB.id].sort());
    expect((notices[0]!.details as { reasons: string[] }).reasons).toEqual(["ACCEPTANCE_DEADLINE_PASSED"]);
  });
});

function randomUUIDv4(): string {
  return globalThis.crypto.randomUUID();
}
