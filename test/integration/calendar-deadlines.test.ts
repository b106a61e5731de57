// Working-day deadlines across the 2027 Spring Festival: the 2027 schedule (a test fixture, not the
// official notice) is loaded through the loadCalendarYear API, never written to the table directly.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { escalateOverdueWageCases } from "../../src/services/wages/escalation.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp, createTestCampaign } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

const schedule2027 = JSON.parse(readFileSync(new URL("../fixtures/calendar/2027.json", import.meta.url), "utf8"));

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let campaignId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  campaignId = await createTestCampaign(app, fx, { name: "2027年春运", departureWindow: { start: "2027-01-20", end: "2027-02-25" }, paidBeforeDate: "2027-02-25" });
});
afterAll(async () => database.drop());
afterEach(() => {
  vi.useRealTimers();
});

/** Registers a case as if it were `at` (an instant; the date that counts is the date in China). */
async function registerAt(at: string) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(at));
  try {
    const res = await call(app, "POST", "/v1/wage-cases", {
      key: fx.keys.enterpriseA1.STAFF,
      body: {
        campaignId,
        reportingOrgId: fx.enterpriseA1.id,
        source: "WALK_IN",
        employer: { name: "吴江某电子厂", uscc: "91110108551385082Q", address: "吴江区", districtCode: "320509" },
        workers: { count: 3, migrantCount: 3 },
        owedYuan: "36000",
        period: { from: "2026-10-01", to: "2026-12-31" },
      },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return res.json;
  } finally {
    vi.useRealTimers();
  }
}

describe("loading a year's schedule", () => {
  it("is for city-union admins only, validated, and refuses a body for another year", async () => {
    for (const key of [fx.keys.city.STAFF, fx.keys.districtA.ADMIN, fx.keys.enterpriseA1.ADMIN, fx.keys.operator.ADMIN]) {
      expect((await call(app, "PUT", "/v1/calendar/years/2027", { key, body: schedule2027 })).status).toBe(403);
    }
    const mismatch = await call(app, "PUT", "/v1/calendar/years/2028", { key: fx.keys.city.ADMIN, body: schedule2027 });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.errors[0].code).toBe("CALENDAR_YEAR_MISMATCH");
    const weekdayMakeUp = structuredClone(schedule2027);
    weekdayMakeUp.holidays[1].makeUpWorkdays = ["2027-02-01"];
    const bad = await call(app, "PUT", "/v1/calendar/years/2027", { key: fx.keys.city.ADMIN, body: weekdayMakeUp });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`)).toEqual(["body.holidays.1.makeUpWorkdays.0:CALENDAR_MAKE_UP_NOT_WEEKEND"]);
    const missing = structuredClone(schedule2027);
    missing.holidays = missing.holidays.filter((item: { names: string[] }) => !item.names.includes("春节"));
    expect((await call(app, "PUT", "/v1/calendar/years/2027", { key: fx.keys.city.ADMIN, body: missing })).json.errors[0].code).toBe("CALENDAR_HOLIDAY_MISSING");
    expect(await database.db.calendarYear.count()).toBe(0);
  });

  it("reads package years, and answers 404 for a year nobody loaded", async () => {
    const y2026 = await call(app, "GET", "/v1/calendar/years/2026", { key: fx.keys.operator.READ_ONLY });
    expect(y2026.status).toBe(200);
    expect(y2026.json.origin).toBe("PACKAGE");
    expect(y2026.json.holidays.find((item: { names: string[] }) => item.names.includes("春节"))).toMatchObject({ from: "2026-02-15", to: "2026-02-23" });
    const y2031 = await call(app, "GET", "/v1/calendar/years/2031", { key: fx.keys.city.READ_ONLY });
    expect(y2031.status).toBe(404);
  });
});

describe("acceptance deadlines across the 2027 Spring Festival", () => {
  it("wait for the 2027 schedule, then count working days around the holiday and its make-up days", async () => {
    // Wednesday 3 February 2027, 10:00 in China; the 2027 schedule is not loaded yet.
    const beforeHoliday = await registerAt("2027-02-03T02:00:00Z");
    expect(beforeHoliday.registeredOn).toBe("2027-02-03");
    expect(beforeHoliday.acceptanceDueOn).toBeNull();
    expect(beforeHoliday.calendarGap.missingYear).toBe(2027);
    expect(beforeHoliday.calendarGap.message.zh).toContain("2027");

    // The hourly job tells the city, once, that a year's schedule is awaited.
    const sys = { db: database.db, log: createLogger("silent"), pii: piiVaultFromConfig(testConfig()) };
    expect((await escalateOverdueWageCases(sys, new Date("2027-02-03T03:00:00Z"))).calendarGaps).toEqual([2027]);
    await escalateOverdueWageCases(sys, new Date("2027-02-03T04:00:00Z"));
    const gapNotices = await database.db.auditEntry.findMany({ where: { action: "calendar.year_missing" } });
    expect(gapNotices.map((n) => [n.orgId, (n.details as { year: number }).year])).toEqual([[fx.city.id, 2027]]);

    const loaded = await call(app, "PUT", "/v1/calendar/years/2027", { key: fx.keys.city.ADMIN, body: schedule2027 });
    expect(loaded.status).toBe(201);
    expect(loaded.json.deadlinesFilled).toBe(1);
    expect(loaded.json.calendarYear).toMatchObject({ year: 2027, origin: "LOADED" });
    const audit = await database.db.auditEntry.findMany({ where: { action: "calendar.year_loaded", entityId: "2027" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.orgId).toBe(fx.city.id);

    // Thu 4 Feb (1), 5–12 Feb off, Sat 13 Feb worked (2), Mon 15 (3), Tue 16 (4), Wed 17 (5).
    const filled = await call(app, "GET", `/v1/wage-cases/${beforeHoliday.id}`, { key: fx.keys.city.READ_ONLY });
    expect(filled.json.acceptanceDueOn).toBe("2027-02-17");
    // Thursday 4 February, late evening in China (still the 4th there, already the 4th in UTC too).
    expect((await registerAt("2027-02-04T15:30:00Z")).acceptanceDueOn).toBe("2027-02-18");
    // Friday 29 January: Sun 31 Jan is worked (1), then Mon 1 – Thu 4 Feb (2–5).
    expect((await registerAt("2027-01-29T01:00:00Z")).acceptanceDueOn).toBe("2027-02-04");
    // Registered during the holiday (Tue 9 Feb): Sat 13 (1), Mon 15 – Thu 18 (2–5).
    expect((await registerAt("2027-02-09T03:00:00Z")).acceptanceDueOn).toBe("2027-02-18");
    // 23:30 on 10 Feb in UTC is already 11 Feb in China.
    expect((await registerAt("2027-02-10T23:30:00Z")).registeredOn).toBe("2027-02-11");

    // Loading again replaces the year and is audited as a replacement.
    const again = await call(app, "PUT", "/v1/calendar/years/2027", { key: fx.keys.city.ADMIN, body: schedule2027 });
    expect(again.status).toBe(200);
    expect(await database.db.auditEntry.count({ where: { action: "calendar.year_replaced", entityId: "2027" } })).toBe(1);
  });

  it("make a case not accepted in time overdue on the next day, and escalate it", async () => {
    const wageCase = await registerAt("2027-02-03T02:00:00Z");
    expect(wageCase.acceptanceDueOn).toBe("2027-02-17");
    const overdueOn = async (at: string) => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date(at));
      try {
        const res = await call(app, "GET", `/v1/wage-cases?overdue=true&campaignId=${campaignId}`, { key: fx.keys.city.READ_ONLY });
        return res.json.items.map((c: { id: string }) => c.id);
      } finally {
        vi.useRealTimers();
      }
    };
    expect(await overdueOn("2027-02-17T12:00:00Z")).not.toContain(wageCase.id);
    expect(await overdueOn("2027-02-18T01:00:00Z")).toContain(wageCase.id);
    const sys = { db: database.db, log: createLogger("silent"), pii: piiVaultFromConfig(testConfig()) };
    const escalatedAt = async () => (await database.db.wageCase.findUniqueOrThrow({ where: { id: wageCase.id } })).escalatedAt;
    // The evening of its deadline day in China: on time (the case registered on 29 January is not).
    await escalateOverdueWageCases(sys, new Date("2027-02-17T12:00:00Z"));
    expect(await escalatedAt()).toBeNull();
    await escalateOverdueWageCases(sys, new Date("2027-02-18T01:00:00Z"));
    expect((await escalatedAt())?.toISOString()).toBe("2027-02-18T01:00:00.000Z");
    const notice = await database.db.auditEntry.findFirst({ where: { entityId: wageCase.id, action: "wage_case.overdue_notice", orgId: fx.districtA.id } });
    expect((notice!.details as { reasons: string[] }).reasons).toEqual(["ACCEPTANCE_DEADLINE_PASSED"]);
  });
});
