// The response cache of getHomewardTotals and the API-key principal cache: a cached totals answer
// changes in the very next request after a transaction that changed the records commits (publish,
// cancel, departure, boarding, wage payment, manual figure, a new organisation), access is checked on
// every cached answer, and API keys stop working at once when revoked through the API and within
// the cache's TTL when revoked elsewhere.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, call, createCityFixture, type CityFixture, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { API_KEY_CACHE_TTL_MS, apiKeyClock, authenticateApiKey } from "../../src/services/auth/authenticate.ts";
import { createOrganisationTree, issueApiKey } from "../../src/services/identity/bootstrap.ts";
import { publishRun, seedAssignment, seedCampaign, seedRun, seedTravelers, seedVehicle, seedWageCase, seedWagePayment } from "./totals-seed.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let campaignId: string;
let runId: string;
let vehicleId: string;
const seats: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  const db = database.db;
  campaignId = await seedCampaign(db, fx.city.id);
  const travelers = await seedTravelers(db, campaignId, fx.enterpriseA1.id, 4);
  runId = await seedRun(db, campaignId, 1);
  vehicleId = await seedVehicle(db, runId, campaignId, "BUS", "2027-01-25T08:00:00+08:00", "苏E-20001");
  for (const [i, t] of travelers.entries()) {
    seats.push(await seedAssignment(db, { runId, vehicleId, travelerId: t, campaignId, orgId: fx.enterpriseA1.id, seat: String(i + 1) }));
  }
});
afterAll(async () => database.drop());
afterEach(() => {
  apiKeyClock.now = () => Date.now();
});

const totals = async (key: string, query: Record<string, string> = {}) => {
  const res = await call(app, "GET", `/v1/totals?${new URLSearchParams({ campaignId, ...query })}`, { key });
  expect(res.status, res.text).toBe(200);
  return res.json;
};
const version = async () =>
  (await database.db.$queryRawUnsafe<{ v: string }[]>(`SELECT coalesce((SELECT version FROM totals_cache.versions WHERE campaign_id = $1::uuid), 0)::text AS v`, campaignId))[0]!.v;

describe("the totals response cache", () => {
  it("answers from the cache while nothing changes, and changes right after each committed change", async () => {
    const city = fx.keys.city.READ_ONLY;
    const district = fx.keys.districtA.READ_ONLY;
    // Not published yet: nothing counts, and writing the run's seats did not move the version.
    const v0 = await version();
    expect((await totals(city)).figures["10A"].persons.allocated).toBe(0);
    expect((await totals(city)).figures["10A"].persons.allocated).toBe(0);
    expect(await version()).toBe(v0);

    await publishRun(database.db, campaignId, runId);
    expect(await version()).not.toBe(v0);
    expect((await totals(city)).figures["10A"].persons).toEqual({ allocated: 4, departed: 0, boarded: 0 });
    expect((await totals(district)).figures["10A"].persons.allocated).toBe(4);

    // A cancelled seat leaves the count in the next answer, for every cached subtree.
    await database.db.$executeRawUnsafe(`UPDATE assignments SET status = 'CANCELLED', cancelled_at = now() WHERE id = $1::uuid`, seats[0]);
    expect((await totals(city)).figures["10A"].persons.allocated).toBe(3);
    expect((await totals(district)).figures["10A"].persons.allocated).toBe(3);
    const enterprise = await totals(fx.keys.enterpriseA1.READ_ONLY);
    expect(enterprise.figures["10A"].persons.allocated).toBe(3);

    // Departure and boarding reports through the API.
    const departed = await call(app, "POST", `/v1/vehicles/${vehicleId}/departure`, { key: fx.keys.city.STAFF, body: { departed: true } });
    expect(departed.status, departed.text).toBe(200);
    expect((await totals(city)).figures["10D"].persons.departed).toBe(3);
    const boarded = await call(app, "POST", `/v1/vehicles/${vehicleId}/boardings`, { key: fx.keys.city.STAFF, body: { assignmentIds: [seats[1]] } });
    expect(boarded.status, boarded.text).toBe(200);
    expect((await totals(district)).figures["10A"].persons.boarded).toBe(1);

    // A superseded run leaves every count.
    await database.db.$executeRawUnsafe(`UPDATE allocation_runs SET status = 'SUPERSEDED' WHERE id = $1::uuid`, runId);
    expect((await totals(city)).figures["10A"].persons).toEqual({ allocated: 0, departed: 0, boarded: 0 });
    await publishRun(database.db, campaignId, runId);
    expect((await totals(city)).figures["10A"].persons.allocated).toBe(3);
  });

  it("changes with wage payments, manual figures, the campaign and the organisation tree", async () => {
    const city = fx.keys.city.READ_ONLY;
    expect((await totals(city)).figures["08C"].cases).toBe(0);
    const caseId = await seedWageCase(database.db, { campaignId, orgId: fx.enterpriseB1.id, caseNo: "QX2027-000901", workers: 2, migrantWorkers: 1, owedFen: 100_000n });
    await seedWagePayment(database.db, { caseId, amountFen: 50_000n, paidOn: "2027-01-10", workersPaid: 2, migrantWorkersPaid: 1 });
    expect((await totals(city)).figures["08C"]).toMatchObject({ cases: 1, workers: 2, amountFen: "50000" });
    await database.db.$executeRawUnsafe(`UPDATE wage_payments SET amount_fen = 60000 WHERE case_id = $1::uuid`, caseId);
    expect((await totals(city)).figures["08C"].amountFen).toBe("60000");

    const manual = await call(app, "PUT", "/v1/totals/manual-figures", { key: fx.keys.districtB.STAFF, body: { campaignId, figure: "10H_CENTRES", value: "3" } });
    expect(manual.status, manual.text).toBe(200);
    expect((await totals(city)).figures["10H"].helpCentres).toBe(3);

    await database.db.$executeRawUnsafe(`UPDATE campaigns SET name = '改名后的活动' WHERE id = $1::uuid`, campaignId);
    expect((await totals(city)).campaign.name).toBe("改名后的活动");

    const before = (await totals(city, { orgId: fx.districtB.id })).byOrganisation.length;
    await createOrganisationTree(database.db, { parent: fx.districtB, kind: "ENTERPRISE_UNION", name: "新成立企业工会", regionCode: "320506" });
    expect((await totals(city, { orgId: fx.districtB.id })).byOrganisation.length).toBe(before + 1);
  });

  it("checks access on every cached answer", async () => {
    await totals(fx.keys.city.READ_ONLY, { orgId: fx.districtA.id });
    // Cached now; a caller of the other district still gets a 404, not the cached answer.
    const res = await call(app, "GET", `/v1/totals?${new URLSearchParams({ campaignId, orgId: fx.districtA.id })}`, { key: fx.keys.districtB.READ_ONLY });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain("figures");
    const other = await createOrganisationTree(database.db, { kind: "CITY_UNION", name: "无锡市总工会", regionCode: "320200" });
    const otherKey = (await issueApiKey(database.db, { orgId: other.id, name: "x", role: "READ_ONLY" })).key;
    expect((await call(app, "GET", `/v1/totals?campaignId=${campaignId}&orgId=${fx.city.id}`, { key: otherKey })).status).toBe(404);
  });

  it("shares reads between concurrent requests, each answered with what was committed before it arrived", async () => {
    const key = fx.keys.districtA.READ_ONLY;
    const before = (await totals(key)).figures["10A"].persons.allocated as number;
    const burst = async () => (await Promise.all(Array.from({ length: 12 }, () => totals(key)))).map((t) => t.figures["10A"].persons.allocated);
    expect(await burst()).toEqual(Array(12).fill(before));
    const inFlight = burst();
    await database.db.$executeRawUnsafe(`UPDATE assignments SET status = 'CANCELLED', cancelled_at = now() WHERE id = $1::uuid`, seats[2]);
    // Requests that arrived before the commit may see either; every one that arrives after sees it.
    for (const n of await inFlight) expect([before, before - 1]).toContain(n);
    expect(await burst()).toEqual(Array(12).fill(before - 1));
  });

  it("answers with the time of the request, not of the cached read", async () => {
    const first = await totals(fx.keys.city.READ_ONLY);
    await new Promise((r) => setTimeout(r, 5));
    const second = await totals(fx.keys.city.READ_ONLY);
    expect(second.figures).toEqual(first.figures);
    expect(second.generatedAt > first.generatedAt).toBe(true);
    // The cached JSON text is the service's answer as c.json would send it.
    const res = await app.request(`/v1/totals?campaignId=${campaignId}`, { headers: { authorization: `Bearer ${fx.keys.city.READ_ONLY}` } });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(Object.keys(body).at(-1)).toBe("generatedAt");
    expect(text).toBe(JSON.stringify(body));
  });
});

describe("the API-key principal cache", () => {
  it("a key revoked through the API stops working at once", async () => {
    const created = await call(app, "POST", `/v1/organisations/${fx.city.id}/api-keys`, { key: fx.keys.city.ADMIN, body: { name: "dashboard", role: "READ_ONLY" } });
    expect((await call(app, "GET", "/v1/me", { key: created.json.key })).status).toBe(200);
    expect((await call(app, "DELETE", `/v1/api-keys/${created.json.id}`, { key: fx.keys.city.ADMIN })).status).toBe(200);
    expect((await call(app, "GET", "/v1/me", { key: created.json.key })).status).toBe(401);
  });

  it("a key revoked by another process stops working within the TTL", async () => {
    let now = Date.now();
    apiKeyClock.now = () => now;
    const { key, id } = await issueApiKey(database.db, { orgId: fx.city.id, name: "elsewhere", role: "READ_ONLY" });
    expect((await call(app, "GET", "/v1/me", { key })).status).toBe(200);
    await database.db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    now += API_KEY_CACHE_TTL_MS;
    expect((await call(app, "GET", "/v1/me", { key })).status).toBe(401);
  });

  it("an expired key stops working when it expires, cached or not", async () => {
    let now = Date.now();
    apiKeyClock.now = () => now;
    const { key, id } = await issueApiKey(database.db, { orgId: fx.city.id, name: "short", role: "READ_ONLY" });
    await database.db.apiKey.update({ where: { id }, data: { expiresAt: new Date(now + 1_000) } });
    expect((await call(app, "GET", "/v1/me", { key })).status).toBe(200);
    now += 1_000;
    expect((await call(app, "GET", "/v1/me", { key })).status).toBe(401);
  });

  it("writes lastUsedAt at most once a minute per key, without the request waiting for it", async () => {
    let now = Date.now();
    apiKeyClock.now = () => now;
    const { key, id } = await issueApiKey(database.db, { orgId: fx.city.id, name: "used", role: "READ_ONLY" });
    const lastUsed = async () => (await database.db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt?.getTime() ?? null;
    const settled = async (expected: number) => {
      for (let i = 0; i < 100 && (await lastUsed()) !== expected; i++) await new Promise((r) => setTimeout(r, 20));
      return lastUsed();
    };
    expect(await authenticateApiKey(database.db, key)).toMatchObject({ actorId: id });
    const first = now;
    expect(await settled(first)).toBe(first);
    now += 30_000;
    await authenticateApiKey(database.db, key);
    now += 20_000;
    await authenticateApiKey(database.db, key);
    await new Promise((r) => setTimeout(r, 100));
    expect(await lastUsed()).toBe(first);
    now += 15_000;
    await authenticateApiKey(database.db, key);
    expect(await settled(now)).toBe(now);
  });
});
