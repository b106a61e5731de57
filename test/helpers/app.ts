// A real app over a real (per-file) database, plus a small city tree with API keys for every
// organisation kind and role, to call it with.
import { inject } from "vitest";
import { createApp } from "../../src/app.ts";
import { parseConfig, type Config } from "../../src/config.ts";
import type { Db } from "../../src/db/types.ts";
import { createLogger } from "../../src/logger.ts";
import type { Role } from "../../src/auth/principal.ts";
import type { AppDeps } from "../../src/http/env.ts";
import { createOrganisationTree, createUser, issueApiKey, type OrgRef } from "../../src/services/identity/bootstrap.ts";
import { hashPassword } from "../../src/services/auth/secrets.ts";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    NODE_ENV: "test",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    PII_ENCRYPTION_KEYS: "t1:" + Buffer.alloc(32, 7).toString("base64"),
    PII_HMAC_KEY: Buffer.alloc(32, 9).toString("base64"),
    REDIS_URL: inject("redisUrl"),
    ...overrides,
  });
}

export function buildTestApp(db: Db, overrides: Partial<AppDeps> = {}, config = testConfig()) {
  const log = createLogger(config.LOG_LEVEL);
  return createApp({
    config,
    log,
    db: () => db,
    readiness: { postgres: async () => void (await db.$queryRaw`SELECT 1`) },
    ...overrides,
  });
}

export type TestApp = ReturnType<typeof buildTestApp>;

export const ROLES: Role[] = ["ADMIN", "STAFF", "READ_ONLY"];

export interface CityFixture {
  city: OrgRef;
  districtA: OrgRef;
  districtB: OrgRef;
  enterpriseA1: OrgRef;
  enterpriseA2: OrgRef;
  enterpriseB1: OrgRef;
  operator: OrgRef;
  /** keys[orgName][role] */
  keys: Record<"city" | "districtA" | "districtB" | "enterpriseA1" | "enterpriseA2" | "enterpriseB1" | "operator", Record<Role, string>>;
  password: string;
}

export async function createCityFixture(db: Db): Promise<CityFixture> {
  const city = await createOrganisationTree(db, { kind: "CITY_UNION", name: "苏州市总工会", regionCode: "320500" });
  const districtA = await createOrganisationTree(db, { parent: city, kind: "DISTRICT_UNION", name: "吴江区总工会", regionCode: "320509" });
  const districtB = await createOrganisationTree(db, { parent: city, kind: "DISTRICT_UNION", name: "吴中区总工会", regionCode: "320506" });
  const enterpriseA1 = await createOrganisationTree(db, { parent: districtA, kind: "ENTERPRISE_UNION", name: "盛虹集团工会", regionCode: "320509" });
  const enterpriseA2 = await createOrganisationTree(db, { parent: districtA, kind: "ENTERPRISE_UNION", name: "恒力集团工会", regionCode: "320509" });
  const enterpriseB1 = await createOrganisationTree(db, { parent: districtB, kind: "ENTERPRISE_UNION", name: "吴中电子有限公司工会", regionCode: "320506" });
  const operator = await createOrganisationTree(db, { parent: city, kind: "TRANSPORT_OPERATOR", name: "苏州汽车客运集团", regionCode: "320500" });
  const orgs = { city, districtA, districtB, enterpriseA1, enterpriseA2, enterpriseB1, operator };
  const keys = {} as CityFixture["keys"];
  const password = "correct horse battery staple";
  const passwordHash = await hashPassword(password);
  for (const [name, org] of Object.entries(orgs) as [keyof typeof orgs, OrgRef][]) {
    keys[name] = {} as Record<Role, string>;
    for (const role of ROLES) {
      keys[name][role] = (await issueApiKey(db, { orgId: org.id, name: `${name}-${role}`, role })).key;
      await createUser(db, { orgId: org.id, username: `${name}-${role}`.toLowerCase(), displayName: `${name} ${role}`, passwordHash, role });
    }
  }
  return { ...orgs, keys, password };
}

/** `fetch`-style helper: JSON in, parsed JSON out. */
export async function call(app: TestApp, method: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await app.request(path, { method, headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Creates a 2027 campaign through the API as the city union's staff and returns its id. */
export async function createTestCampaign(app: TestApp, fx: CityFixture, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await call(app, "POST", "/v1/campaigns", {
    key: fx.keys.city.STAFF,
    body: {
      name: "2027年春节农民工平安返乡",
      year: 2027,
      originRegionCode: "320500",
      holidayDate: "2027-02-06",
      departureWindow: { start: "2027-01-20", end: "2027-02-04" },
      paidBeforeDate: "2027-01-18",
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`campaign not created: ${res.status} ${res.text}`);
  return res.json.id as string;
}
