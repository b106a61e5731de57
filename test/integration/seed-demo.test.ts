// `npm run seed:demo -- --json` against a real database: the Suzhou tree, logins, API keys that
// work, the 2027 campaign, and a last line that is one JSON object; then the demo data written
// through the services: one submitted list per enterprise, capacity, a published allocation run
// (everyone seated or unassigned with a reason), wage cases with payments; a second run adds nothing.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, call, testConfig } from "../helpers/app.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

// The test configuration's PII keys, so that the test app reads what the seed sealed.
const config = testConfig();
const piiEnv = {
  PII_ENCRYPTION_KEYS: config.PII_ENCRYPTION_KEYS!.map((k) => `${k.id}:${k.key}`).join(","),
  PII_HMAC_KEY: config.PII_HMAC_KEY!,
};

async function runSeed() {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/seed-demo.ts", "--json"], {
    env: { ...process.env, ...piiEnv, DATABASE_URL: database.url, LOG_LEVEL: "warn" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

type Org = { id: string; kind: string; name: string; apiKey: string; username: string };

async function counts() {
  const db = database.db;
  return {
    organisations: await db.organisation.count(),
    users: await db.user.count(),
    campaigns: await db.campaign.count(),
    lists: await db.ticketList.count(),
    travelers: await db.traveler.count(),
    places: await db.place.count(),
    capacities: await db.capacity.count(),
    runs: await db.allocationRun.count(),
    assignments: await db.assignment.count(),
    wageCases: await db.wageCase.count(),
    payments: await db.wagePayment.count(),
    calendarYears: await db.calendarYear.count(),
  };
}

let first: { campaignId: string; organisations: Org[] };

describe("seed:demo", () => {
  it("fills the Suzhou demo and prints one JSON line with the campaign and every organisation's key", async () => {
    first = await runSeed();
    expect(Object.keys(first).sort()).toEqual(["campaignId", "organisations"]);
    const result = first;
    const kinds = result.organisations.map((o) => o.kind);
    expect(kinds.filter((k) => k === "CITY_UNION")).toHaveLength(1);
    expect(kinds.filter((k) => k === "DISTRICT_UNION").length).toBeGreaterThanOrEqual(9);
    expect(kinds.filter((k) => k === "ENTERPRISE_UNION")).toHaveLength(40);
    expect(kinds.filter((k) => k === "TRANSPORT_OPERATOR")).toHaveLength(2);
    for (const o of result.organisations) expect(Object.keys(o).sort()).toEqual(["apiKey", "id", "kind", "name", "username"]);
    const names = result.organisations.map((o) => o.name);
    for (const district of ["吴江区", "吴中区", "相城区", "姑苏区", "苏州工业园区", "常熟市", "张家港市", "昆山市", "太仓市"]) {
      expect(names.some((n) => n.startsWith(district))).toBe(true);
    }

    const app = buildTestApp(database.db);
    const city = result.organisations.find((o) => o.kind === "CITY_UNION")!;
    const campaign = await call(app, "GET", `/v1/campaigns/${result.campaignId}`, { key: city.apiKey });
    expect(campaign.json).toMatchObject({ year: 2027, originRegionCode: "320500", holidayDate: "2027-02-06" });
    const enterprise = result.organisations.find((o) => o.kind === "ENTERPRISE_UNION")!;
    expect((await call(app, "GET", "/v1/me", { key: enterprise.apiKey })).json.organisation.id).toBe(enterprise.id);
    expect(await database.db.user.count()).toBe(result.organisations.length);
  }, 240_000);

  it("submits one list of synthetic travellers per enterprise, with groups, readable through the API", async () => {
    const app = buildTestApp(database.db);
    const city = first.organisations.find((o) => o.kind === "CITY_UNION")!;
    const lists = await call(app, "GET", `/v1/ticket-lists?campaignId=${first.campaignId}`, { key: city.apiKey });
    const enterprises = first.organisations.filter((o) => o.kind === "ENTERPRISE_UNION");
    expect(lists.json.items).toHaveLength(40);
    expect(new Set(lists.json.items.map((l: { orgId: string }) => l.orgId))).toEqual(new Set(enterprises.map((e) => e.id)));
    // Published: every list with seats is ALLOCATED.
    for (const list of lists.json.items) expect(["SUBMITTED", "ALLOCATED"]).toContain(list.status);
    const total = lists.json.items.reduce((sum: number, l: { travelerCount: number }) => sum + l.travelerCount, 0);
    expect(total).toBe(2000);
    expect(await database.db.traveler.count({ where: { campaignId: first.campaignId, status: "ACTIVE" } })).toBe(2000);
    expect(await database.db.traveler.count({ where: { campaignId: first.campaignId, groupTag: { not: null } } })).toBeGreaterThan(50);

    // An enterprise reads its own list, masked; the city admin can open one identity (sealed with the configured keys).
    const own = lists.json.items.find((l: { orgId: string }) => l.orgId === enterprises[0]!.id);
    const detail = await call(app, "GET", `/v1/ticket-lists/${own.id}`, { key: enterprises[0]!.apiKey });
    expect(detail.status).toBe(200);
    const traveler = detail.json.travelers[0];
    expect(traveler.idNumberMasked).toMatch(/\*/);
    const identity = await call(app, "GET", `/v1/travelers/${traveler.id}/identity`, { key: city.apiKey });
    expect(identity.status).toBe(200);
    expect(identity.json.idNumber).toMatch(/^\d{17}[\dX]$/);
  });

  it("registers places and capacity and publishes one run in which everyone is seated or unassigned with a reason", async () => {
    const app = buildTestApp(database.db);
    const city = first.organisations.find((o) => o.kind === "CITY_UNION")!;
    const places = await call(app, "GET", "/v1/places", { key: city.apiKey });
    expect(places.json.items.map((p: { name: string }) => p.name)).toContain("苏州站");
    const capacity = await call(app, "GET", `/v1/campaigns/${first.campaignId}/capacity`, { key: city.apiKey });
    const modes = new Set(capacity.json.items.map((c: { mode: string }) => c.mode));
    expect(modes).toEqual(new Set(["BUS", "RESERVED_CARRIAGE", "SPECIAL_TRAIN", "GROUP_TICKET"]));
    const buses = capacity.json.items.filter((c: { mode: string }) => c.mode === "BUS");
    expect(new Set(buses.map((b: { departureDate: string }) => b.departureDate)).size).toBe(6);
    const operators = first.organisations.filter((o) => o.kind === "TRANSPORT_OPERATOR").map((o) => o.id);
    for (const c of capacity.json.items) expect(operators).toContain(c.operatorOrgId);

    const runs = await call(app, "GET", `/v1/campaigns/${first.campaignId}/allocation-runs`, { key: city.apiKey });
    expect(runs.json.items).toHaveLength(1);
    expect(runs.json.items[0].status).toBe("PUBLISHED");
    const run = await call(app, "GET", `/v1/allocation-runs/${runs.json.items[0].id}?unassignedLimit=10000`, { key: city.apiKey });
    const assigned = await database.db.assignment.count({ where: { runId: run.json.id } });
    expect(assigned + run.json.unassignedTotal).toBe(2000);
    expect(run.json.report.assigned).toBe(assigned);
    for (const u of run.json.unassigned) {
      expect(u.reason).toMatch(/^[A-Z_]+$/);
      expect(u.detail.length).toBeGreaterThan(0);
    }
    // Each traveller seated at most once.
    const seated = await database.db.assignment.groupBy({ by: ["travelerId"], where: { runId: run.json.id }, _count: true });
    expect(seated).toHaveLength(assigned);
  });

  it("registers a dozen wage cases across the districts, in various statuses, with payments", async () => {
    const app = buildTestApp(database.db);
    const city = first.organisations.find((o) => o.kind === "CITY_UNION")!;
    const cases = await call(app, "GET", `/v1/wage-cases?campaignId=${first.campaignId}&pageSize=200`, { key: city.apiKey });
    expect(cases.json.total).toBe(12);
    const statuses = new Set(cases.json.items.map((c: { status: string }) => c.status));
    for (const status of ["REGISTERED", "ACCEPTED", "INVESTIGATING", "MEDIATING", "TRANSFERRED", "PARTIALLY_RECOVERED", "RECOVERED", "CLOSED", "REJECTED"]) {
      expect(statuses).toContain(status);
    }
    expect(new Set(cases.json.items.map((c: { employer: { districtCode: string } }) => c.employer.districtCode)).size).toBeGreaterThanOrEqual(9);
    const recovered = cases.json.items.find((c: { status: string }) => c.status === "RECOVERED");
    const detail = await call(app, "GET", `/v1/wage-cases/${recovered.id}`, { key: city.apiKey });
    expect(detail.json.payments.length).toBeGreaterThan(0);
    expect(await database.db.wagePayment.count()).toBeGreaterThanOrEqual(8);
    expect(await database.db.calendarYear.findUnique({ where: { year: 2027 } })).not.toBeNull();
  });

  it("is idempotent: a second run adds nothing and prints the same contract", async () => {
    const before = await counts();
    const again = await runSeed();
    expect(await counts()).toEqual(before);
    expect(Object.keys(again).sort()).toEqual(["campaignId", "organisations"]);
    expect(again.campaignId).toBe(first.campaignId);
    expect(again.organisations.map((o: Org) => [o.id, o.kind, o.name, o.username])).toEqual(first.organisations.map((o) => [o.id, o.kind, o.name, o.username]));
    expect(before.campaigns).toBe(1);
  }, 240_000);
});
