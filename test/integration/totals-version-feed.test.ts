// The Node server's totals versions pushed by PostgreSQL (LISTEN/NOTIFY, src/services/totals/
// version-feed.ts): a cached answer is served without a database round trip while the listener is
// connected and the answer's version is the campaign's latest notified one; after a committed edit
// the answer changes as soon as its notification has arrived; with the listener down every request
// reads the version again (the strict path); ETag / If-None-Match; access is checked on every cached
// answer, 304s included. Also the API-key look-ups: shared, renewed in the background, and never
// stored when the key was forgotten (revoked) while one was in flight.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { buildTestApp, call, createCityFixture, type CityFixture, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import type { Db } from "../../src/db/types.ts";
import { createLogger } from "../../src/logger.ts";
import { API_KEY_CACHE_TTL_MS, apiKeyClock, authenticateApiKey, forgetApiKey } from "../../src/services/auth/authenticate.ts";
import { createOrganisationTree, issueApiKey } from "../../src/services/identity/bootstrap.ts";
import { startTotalsVersionListener, type TotalsVersionListener } from "../../src/services/totals/version-feed.ts";
import { publishRun, seedAssignment, seedCampaign, seedRun, seedTravelers, seedVehicle } from "./totals-seed.ts";

let database: TestDatabase;
/** The test database's client, counting the statements sent through $queryRawUnsafe (the totals read). */
let db: Db;
let reads = 0;
let app: TestApp;
let fx: CityFixture;
let listener: TotalsVersionListener;
let campaignId: string;
const seats: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const target = database.db;
  db = new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (prop === "$queryRawUnsafe") {
        return (...args: unknown[]) => {
          reads++;
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      }
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
  app = buildTestApp(db);
  fx = await createCityFixture(target);
  campaignId = await seedCampaign(target, fx.city.id);
  const travelers = await seedTravelers(target, campaignId, fx.enterpriseA1.id, 4);
  const runId = await seedRun(target, campaignId, 1);
  const vehicleId = await seedVehicle(target, runId, campaignId, "BUS", "2027-01-25T08:00:00+08:00", "苏E-30001");
  for (const [i, t] of travelers.entries()) {
    seats.push(await seedAssignment(target, { runId, vehicleId, travelerId: t, campaignId, orgId: fx.enterpriseA1.id, seat: String(i + 1) }));
  }
  await publishRun(target, campaignId, runId);
  listener = startTotalsVersionListener(db, database.url, createLogger("silent"));
  await listener.ready();
});
afterAll(async () => {
  await listener?.close();
  await database.drop();
});
afterEach(() => {
  apiKeyClock.now = () => Date.now();
});

const get = (key: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  call(app, "GET", `/v1/totals?${new URLSearchParams({ campaignId, ...query })}`, { key, headers });
const allocated = async (key: string, query: Record<string, string> = {}) => {
  const res = await get(key, query);
  expect(res.status, res.text).toBe(200);
  return res.json.figures["10A"].persons.allocated as number;
};
const dbVersion = async () =>
  (await database.db.$queryRawUnsafe<{ v: string }[]>(`SELECT coalesce((SELECT version FROM totals_cache.versions WHERE campaign_id = $1::uuid), 0)::text AS v`, campaignId))[0]!.v;
const cancelSeat = (id: string) => database.db.$executeRawUnsafe(`UPDATE assignments SET status = 'CANCELLED', cancelled_at = now() WHERE id = $1::uuid`, id);

describe("totals versions pushed by PostgreSQL", () => {
  it("knows every campaign's version once connected, and serves a current cached answer without a round trip", async () => {
    expect(listener.connected).toBe(true);
    expect(listener.currentVersion(campaignId)).toBe(await dbVersion());
    // A campaign without a version row is at version 0 (any bump of it would be notified).
    expect(listener.currentVersion("00000000-0000-4000-8000-000000000000")).toBe("0");

    const city = fx.keys.city.READ_ONLY;
    expect(await allocated(city)).toBe(4);
    const before = reads;
    for (let i = 0; i < 5; i++) expect(await allocated(city)).toBe(4);
    // Upper-case ids name the same campaign, and share its cached answer.
    expect((await call(app, "GET", `/v1/totals?campaignId=${campaignId.toUpperCase()}`, { key: city })).status).toBe(200);
    expect(reads - before).toBe(0);
  });

  it("after a committed edit, the next answer reflects it once its notification has arrived", async () => {
    const city = fx.keys.city.READ_ONLY;
    const district = fx.keys.districtA.READ_ONLY;
    const start = await allocated(city);
    expect(await allocated(district)).toBe(start);

    await cancelSeat(seats[0]!);
    const committed = await dbVersion();
    await listener.waitForVersion(campaignId, committed);
    expect(listener.currentVersion(campaignId)).toBe(committed);
    const before = reads;
    expect(await allocated(city)).toBe(start - 1);
    expect(await allocated(district)).toBe(start - 1);
    expect(reads - before).toBe(2); // one read per stale answer, then cached again
    expect(await allocated(city)).toBe(start - 1);
    expect(reads - before).toBe(2);
  });

  it("several campaigns bumped in one statement are each notified", async () => {
    const second = await seedCampaign(database.db, fx.city.id, "第二个活动");
    const [a, b] = [listener.currentVersion(campaignId)!, listener.currentVersion(second)!];
    // A change of the organisation tree moves every campaign of the city.
    await createOrganisationTree(database.db, { parent: fx.districtB, kind: "ENTERPRISE_UNION", name: "通知测试企业工会", regionCode: "320506" });
    await listener.waitForVersion(campaignId, BigInt(a) + 1n);
    await listener.waitForVersion(second, BigInt(b) + 1n);
  });

  it("with the listener down, every request reads the version (the strict path), and it reconnects", async () => {
    const city = fx.keys.city.READ_ONLY;
    const start = await allocated(city);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'homeward-totals-listener' AND datname = current_database()`);
      expect(killed.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    for (let i = 0; i < 200 && listener.connected; i++) await new Promise((r) => setTimeout(r, 5));
    expect(listener.connected).toBe(false);
    expect(listener.currentVersion(campaignId)).toBeUndefined();

    // Not waiting for anything: without the feed the answer is read after the commit.
    await cancelSeat(seats[1]!);
    const before = reads;
    expect(await allocated(city)).toBe(start - 1);
    expect(await allocated(city)).toBe(start - 1);
    expect(reads - before).toBe(2);

    await listener.ready();
    expect(listener.currentVersion(campaignId)).toBe(await dbVersion());
    const after = reads;
    expect(await allocated(city)).toBe(start - 1);
    expect(reads - after).toBe(0);
  });

  it("answers If-None-Match with 304 while the figures are unchanged, and 200 with a new ETag after a change", async () => {
    const city = fx.keys.city.READ_ONLY;
    const first = await get(city);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\/"t\d+-[0-9a-z]+"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");

    const again = await get(city, {}, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect((await get(city, {}, { "if-none-match": `"other", ${etag.slice(2)}` })).status).toBe(304);
    expect((await get(city, {}, { "if-none-match": `W/"t0-x"` })).status).toBe(200);
    // Another answer of the same campaign and version has another tag.
    const district = await get(city, { orgId: fx.districtA.id });
    expect(district.headers.get("etag")).not.toBe(etag);

    await cancelSeat(seats[2]!);
    await listener.waitForVersion(campaignId, await dbVersion());
    const changed = await get(city, {}, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("checks access on every cached answer, 304s included", async () => {
    const cached = await get(fx.keys.city.READ_ONLY, { orgId: fx.districtA.id });
    expect(cached.status).toBe(200);
    const etag = cached.headers.get("etag")!;
    // Cached now (no read needed); the other district still gets a 404, with or without the tag.
    const before = reads;
    for (const headers of [{}, { "if-none-match": etag }] as Record<string, string>[]) {
      const res = await get(fx.keys.districtB.READ_ONLY, { orgId: fx.districtA.id }, headers);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain("figures");
      expect(res.headers.get("etag")).toBeNull();
    }
    expect(reads - before).toBe(0);
    // A city union of another city: 404 for this city's campaign, cached or not.
    const other = await createOrganisationTree(database.db, { kind: "CITY_UNION", name: "常州市总工会", regionCode: "320400" });
    const otherKey = (await issueApiKey(database.db, { orgId: other.id, name: "x", role: "READ_ONLY" })).key;
    expect((await get(otherKey, { orgId: fx.city.id })).status).toBe(404);
    // An enterprise cannot read its district's totals.
    expect((await get(fx.keys.enterpriseA1.READ_ONLY, { orgId: fx.districtA.id }, { "if-none-match": etag })).status).toBe(404);
  });
});

describe("API-key look-ups", () => {
  /** A client whose apiKey.findUnique is counted and can be held back. */
  function countingDb() {
    const state = { lookups: 0, hold: null as Promise<void> | null };
    const fake = {
      apiKey: {
        findUnique: async (args: unknown) => {
          state.lookups++;
          const result = await database.db.apiKey.findUnique(args as never);
          if (state.hold) await state.hold;
          return result;
        },
        updateMany: async () => ({ count: 0 }),
      },
    } as unknown as Db;
    return { fake, state };
  }

  it("are shared by concurrent requests and renewed before the entry expires", async () => {
    let now = Date.now();
    apiKeyClock.now = () => now;
    const { key, id } = await issueApiKey(database.db, { orgId: fx.city.id, name: "shared", role: "READ_ONLY" });
    const { fake, state } = countingDb();
    const principals = await Promise.all(Array.from({ length: 20 }, () => authenticateApiKey(fake, key)));
    expect(principals.every((p) => p?.actorId === id)).toBe(true);
    expect(state.lookups).toBe(1);

    // Past the refresh point but within the TTL: answered from the entry, one look-up behind it.
    now += API_KEY_CACHE_TTL_MS - 1_000;
    await Promise.all(Array.from({ length: 20 }, () => authenticateApiKey(fake, key)));
    for (let i = 0; i < 100 && state.lookups < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(state.lookups).toBe(2);
    await new Promise((r) => setTimeout(r, 20));
    // The renewed entry counts from its own look-up: still valid a whole TTL after the first one.
    now += 2_000;
    expect(await authenticateApiKey(fake, key)).toMatchObject({ actorId: id });
    expect(state.lookups).toBe(2);

    // Revoked elsewhere: the next renewal finds it revoked and the key stops at the TTL at the latest.
    await database.db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    now += API_KEY_CACHE_TTL_MS;
    expect(await authenticateApiKey(fake, key)).toBeNull();
  });

  it("do not keep an answer read before the key was forgotten (revoked through this process)", async () => {
    const { key } = await issueApiKey(database.db, { orgId: fx.city.id, name: "racing", role: "READ_ONLY" });
    const { fake, state } = countingDb();
    let release!: () => void;
    state.hold = new Promise<void>((r) => (release = r));
    const pending = authenticateApiKey(fake, key);
    await new Promise((r) => setTimeout(r, 20));
    forgetApiKey(fake); // what the middleware does after a revocation, while the look-up is out
    // A request after the revocation does not join the look-up sent before it: it reads again.
    const later = authenticateApiKey(fake, key);
    await new Promise((r) => setTimeout(r, 20));
    expect(state.lookups).toBe(2);
    release();
    state.hold = null;
    expect(await pending).not.toBeNull(); // the request that was already in flight
    expect(await later).not.toBeNull(); // the key itself was not revoked in the database here
    await authenticateApiKey(fake, key);
    expect(state.lookups).toBe(2); // the later look-up's answer was kept: no third read
  });
});
