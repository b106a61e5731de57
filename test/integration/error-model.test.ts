// Every error the edge can produce is problem+json with a stable code, both languages and the
// request id — one test per kind of failure named in the foundation issue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp } from "../helpers/app.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db, {}, testConfig({ BODY_LIMIT_BYTES: "2048" }));
  fx = await createCityFixture(database.db);
});
afterAll(async () => database.drop());

function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.json).toMatchObject({ status, code, type: expect.stringContaining("/problems/"), title: expect.any(String) });
  expect(res.json.message.zh).toMatch(/[\u4e00-\u9fff]/);
  expect(res.json.message.en).toMatch(/[a-z]/i);
  expect(res.json.requestId).toBe(res.headers.get("x-request-id"));
}

const validCampaign = {
  name: "2027年春节农民工平安返乡",
  year: 2027,
  originRegionCode: "320500",
  holidayDate: "2027-02-06",
  departureWindow: { start: "2027-01-20", end: "2027-02-04" },
  paidBeforeDate: "2027-01-18",
};

describe("the error model", () => {
  it("malformed JSON is 400 MALFORMED_JSON", async () => {
    const res = await call(app, "POST", "/v1/campaigns", { key: fx.keys.city.ADMIN, body: '{"name": "x",' });
    expectProblem(res, 400, "MALFORMED_JSON");
  });

  it("a wrong content type is 415", async () => {
    const res = await call(app, "POST", "/v1/campaigns", { key: fx.keys.city.ADMIN, body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("a JSON body over the configured limit is 413", async () => {
    const res = await call(app, "POST", "/v1/campaigns", { key: fx.keys.city.ADMIN, body: { ...validCampaign, name: "长".repeat(3000) } });
    expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("validation errors list every bad field path with both languages", async () => {
    const res = await call(app, "POST", "/v1/campaigns", {
      key: fx.keys.city.ADMIN,
      body: { ...validCampaign, year: "soon", originRegionCode: "32", departureWindow: { start: "2027-13-01" } },
    });
    expectProblem(res, 400, "VALIDATION_FAILED");
    const paths = res.json.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["body.year", "body.originRegionCode", "body.departureWindow.start", "body.departureWindow.end"]));
    for (const e of res.json.errors) expect(e.message.zh).toMatch(/[\u4e00-\u9fff]/);
  });

  it("business-rule validation names the field too", async () => {
    const res = await call(app, "POST", "/v1/campaigns", {
      key: fx.keys.city.ADMIN,
      body: { ...validCampaign, departureWindow: { start: "2027-02-04", end: "2027-01-20" } },
    });
    expectProblem(res, 400, "VALIDATION_FAILED");
    expect(res.json.errors).toContainEqual(expect.objectContaining({ path: "body.departureWindow.end", code: "WINDOW_REVERSED" }));
  });

  it("an unknown route is 404 ROUTE_NOT_FOUND", async () => {
    expectProblem(await call(app, "GET", "/v1/no-such-thing", { key: fx.keys.city.ADMIN }), 404, "ROUTE_NOT_FOUND");
  });

  it("missing credentials are 401 with a WWW-Authenticate challenge", async () => {
    const res = await call(app, "GET", "/v1/organisations");
    expectProblem(res, 401, "UNAUTHENTICATED");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("a bad or revoked key is 401, never anonymous", async () => {
    expectProblem(await call(app, "GET", "/v1/me", { key: "hw_" + "A".repeat(43) }), 401, "INVALID_API_KEY");
    expectProblem(await call(app, "GET", "/v1/me", { headers: { authorization: "Basic abc" } }), 401, "INVALID_API_KEY");
  });

  it("another organisation's resource is 404, so its existence does not leak", async () => {
    const other = await call(app, "GET", `/v1/organisations/${fx.enterpriseA2.id}`, { key: fx.keys.enterpriseA1.ADMIN });
    const missing = await call(app, "GET", `/v1/organisations/${crypto.randomUUID()}`, { key: fx.keys.enterpriseA1.ADMIN });
    expectProblem(other, 404, "NOT_FOUND");
    expectProblem(missing, 404, "NOT_FOUND");
    expect({ ...other.json, requestId: "" }).toEqual({ ...missing.json, requestId: "" });
  });

  it("a forbidden action is 403", async () => {
    expectProblem(await call(app, "POST", "/v1/campaigns", { key: fx.keys.city.READ_ONLY, body: validCampaign }), 403, "FORBIDDEN");
    expectProblem(await call(app, "POST", "/v1/campaigns", { key: fx.keys.districtA.ADMIN, body: validCampaign }), 403, "FORBIDDEN");
  });

  it("a conflict is 409 with its own code", async () => {
    expect((await call(app, "POST", "/v1/campaigns", { key: fx.keys.city.STAFF, body: validCampaign })).status).toBe(201);
    expectProblem(await call(app, "POST", "/v1/campaigns", { key: fx.keys.city.STAFF, body: validCampaign }), 409, "CAMPAIGN_NAME_TAKEN");
  });

  it("an unexpected error is logged with the request id and answered 500 without internals", async () => {
    const lines: string[] = [];
    const { createLogger } = await import("../../src/logger.ts");
    const { pino } = await import("pino");
    const log = pino({ level: "error" }, { write: (line: string) => void lines.push(line) }) as unknown as ReturnType<typeof createLogger>;
    const broken = buildTestApp(database.db, {
      log,
      db: () => {
        throw new TypeError("secret internal detail at /srv/app.ts:42");
      },
    });
    const res = await call(broken, "GET", "/v1/me", { key: fx.keys.city.ADMIN });
    expectProblem(res, 500, "INTERNAL");
    expect(res.text).not.toContain("secret internal detail");
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    expect(lines.some((l) => l.includes("secret internal detail") && l.includes(res.json.requestId))).toBe(true);
  });
});
