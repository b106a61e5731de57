// `npm run seed:demo -- --json` against a real database: the Suzhou tree, logins, API keys that
// work, the 2027 campaign, and a last line that is one JSON object.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, call } from "../helpers/app.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

async function runSeed() {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/seed-demo.ts", "--json"], {
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "warn" },
  });
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines.at(-1)!);
}

describe("seed:demo", () => {
  it("fills the Suzhou demo and prints one JSON line with the campaign and every organisation's key", async () => {
    const result = await runSeed();
    const kinds = result.organisations.map((o: { kind: string }) => o.kind);
    expect(kinds.filter((k: string) => k === "CITY_UNION")).toHaveLength(1);
    expect(kinds.filter((k: string) => k === "DISTRICT_UNION").length).toBeGreaterThanOrEqual(9);
    expect(kinds.filter((k: string) => k === "ENTERPRISE_UNION")).toHaveLength(40);
    expect(kinds.filter((k: string) => k === "TRANSPORT_OPERATOR")).toHaveLength(2);
    const names = result.organisations.map((o: { name: string }) => o.name);
    for (const district of ["吴江区", "吴中区", "相城区", "姑苏区", "苏州工业园区", "常熟市", "张家港市", "昆山市", "太仓市"]) {
      expect(names.some((n: string) => n.startsWith(district))).toBe(true);
    }

    const app = buildTestApp(database.db);
    const city = result.organisations.find((o: { kind: string }) => o.kind === "CITY_UNION");
    const campaign = await call(app, "GET", `/v1/campaigns/${result.campaignId}`, { key: city.apiKey });
    expect(campaign.json).toMatchObject({ year: 2027, originRegionCode: "320500", holidayDate: "2027-02-06" });
    const enterprise = result.organisations.find((o: { kind: string }) => o.kind === "ENTERPRISE_UNION");
    expect((await call(app, "GET", "/v1/me", { key: enterprise.apiKey })).json.organisation.id).toBe(enterprise.id);
    expect(await database.db.user.count()).toBe(result.organisations.length);
  });

  it("is idempotent: a second run reuses organisations and the campaign", async () => {
    const before = await database.db.organisation.count();
    const again = await runSeed();
    expect(await database.db.organisation.count()).toBe(before);
    expect(await database.db.campaign.count()).toBe(1);
    expect(again.organisations).toHaveLength(before);
  });
});
