// /admin/queues: the real bull-board over the real queues, for city-union admins only.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createJobProducer } from "../../src/queue/producer.ts";
import { createQueueDashboard } from "../../src/runtime/queue-dashboard.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, createCityFixture, type CityFixture, type TestApp } from "../helpers/app.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
const jobs = createJobProducer(inject("redisUrl"), `qd${randomBytes(3).toString("hex")}`);

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db, { mounts: [createQueueDashboard(Object.values(jobs.queues))] });
  fx = await createCityFixture(database.db);
});
afterAll(async () => {
  await jobs.close();
  await database.drop();
});

describe("queue dashboard", () => {
  it("serves bull-board to a city-union admin", async () => {
    const res = await app.request("/admin/queues", { headers: { authorization: `Bearer ${fx.keys.city.ADMIN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<html/i);
    const api = await app.request("/admin/queues/api/queues", { headers: { authorization: `Bearer ${fx.keys.city.ADMIN}` } });
    const body = await api.json();
    expect(body.queues.map((q: { name: string }) => q.name).sort()).toEqual(["allocation", "intake", "maintenance", "sms", "wages"]);
  });

  it("refuses everyone else", async () => {
    for (const key of [fx.keys.city.STAFF, fx.keys.districtA.ADMIN, fx.keys.operator.ADMIN]) {
      expect((await app.request("/admin/queues", { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    }
    const anonymous = await app.request("/admin/queues");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toBe("/login?next=%2Fadmin%2Fqueues");
  });
});
