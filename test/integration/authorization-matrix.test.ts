// Every route × every organisation kind × every role. The expected access of each operation is
// written here by hand (not read back from the code), and every operation the OpenAPI document
// lists must appear in this table, so a new route cannot ship without its row.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrgKind, Role } from "../../src/auth/principal.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, call, createCityFixture, ROLES, type CityFixture, type TestApp } from "../helpers/app.ts";

type Rule = { kinds: OrgKind[]; minRole: Role } | "public";
const ALL: OrgKind[] = ["CITY_UNION", "DISTRICT_UNION", "ENTERPRISE_UNION", "TRANSPORT_OPERATOR"];
const UNIONS: OrgKind[] = ["CITY_UNION", "DISTRICT_UNION", "ENTERPRISE_UNION"];

const expected: Record<string, Rule> = {
  getHealth: "public",
  getReadiness: "public",
  getCurrentPrincipal: { kinds: ALL, minRole: "READ_ONLY" },
  listOrganisations: { kinds: ALL, minRole: "READ_ONLY" },
  getOrganisation: { kinds: ALL, minRole: "READ_ONLY" },
  createOrganisation: { kinds: UNIONS, minRole: "ADMIN" },
  listApiKeys: { kinds: ALL, minRole: "ADMIN" },
  createApiKey: { kinds: ALL, minRole: "ADMIN" },
  revokeApiKey: { kinds: ALL, minRole: "ADMIN" },
  listCampaigns: { kinds: ALL, minRole: "READ_ONLY" },
  getCampaign: { kinds: ALL, minRole: "READ_ONLY" },
  createCampaign: { kinds: ["CITY_UNION"], minRole: "STAFF" },
  updateCampaign: { kinds: ["CITY_UNION"], minRole: "STAFF" },
  listAuditEntries: { kinds: UNIONS, minRole: "ADMIN" },
  getHomewardTotals: { kinds: UNIONS, minRole: "READ_ONLY" },
  getTotalsDrilldown: { kinds: UNIONS, minRole: "READ_ONLY" },
  exportStatisticsForm: { kinds: UNIONS, minRole: "READ_ONLY" },
  recordManualFigure: { kinds: UNIONS, minRole: "STAFF" },
  recordVehicleDeparture: { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "STAFF" },
  recordBoarding: { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "STAFF" },
  validateTicketList: { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" },
  validateTicketListFile: { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" },
  submitTicketList: { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" },
  importTicketList: { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" },
  getImportJob: { kinds: UNIONS, minRole: "READ_ONLY" },
  downloadImportRejectedRows: { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" },
  listTicketLists: { kinds: UNIONS, minRole: "READ_ONLY" },
  getTicketList: { kinds: UNIONS, minRole: "READ_ONLY" },
  amendTicketList: { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" },
  withdrawTicketList: { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" },
  downloadTicketListTemplate: { kinds: UNIONS, minRole: "READ_ONLY" },
  listTravelerConflicts: { kinds: UNIONS, minRole: "READ_ONLY" },
  getTravelerIdentity: { kinds: ["CITY_UNION"], minRole: "ADMIN" },
  createWageCase: { kinds: UNIONS, minRole: "STAFF" },
  listWageCases: { kinds: UNIONS, minRole: "READ_ONLY" },
  getWageCase: { kinds: UNIONS, minRole: "READ_ONLY" },
  transitionWageCase: { kinds: UNIONS, minRole: "STAFF" },
  addWageCaseEvent: { kinds: UNIONS, minRole: "STAFF" },
  recordWageRecovery: { kinds: UNIONS, minRole: "STAFF" },
  getWageFigures: { kinds: UNIONS, minRole: "READ_ONLY" },
  listWageTravelFlags: { kinds: UNIONS, minRole: "READ_ONLY" },
  loadCalendarYear: { kinds: ["CITY_UNION"], minRole: "ADMIN" },
  getCalendarYear: { kinds: ALL, minRole: "READ_ONLY" },
  registerPlace: { kinds: ["CITY_UNION"], minRole: "STAFF" },
  listPlaces: { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "READ_ONLY" },
  registerCapacity: { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "STAFF" },
  listCapacity: { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "READ_ONLY" },
  updateCapacity: { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "STAFF" },
  withdrawCapacity: { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "STAFF" },
  startAllocation: { kinds: ["CITY_UNION"], minRole: "STAFF" },
  listAllocationRuns: { kinds: ["CITY_UNION"], minRole: "READ_ONLY" },
  getAllocationRun: { kinds: ["CITY_UNION"], minRole: "READ_ONLY" },
  publishAllocation: { kinds: ["CITY_UNION"], minRole: "STAFF" },
  getVehicleManifest: { kinds: ALL, minRole: "READ_ONLY" },
  getStopManifest: { kinds: ALL, minRole: "READ_ONLY" },
  getEnterpriseManifest: { kinds: UNIONS, minRole: "READ_ONLY" },
  previewSmsTemplate: { kinds: ALL, minRole: "READ_ONLY" },
  getSmsSummary: { kinds: UNIONS, minRole: "READ_ONLY" },
  listWorkerMessages: { kinds: UNIONS, minRole: "STAFF" },
  receiveTwilioStatus: "public",
  receiveTwilioInbound: "public",
};

const rank: Record<Role, number> = { READ_ONLY: 0, STAFF: 1, ADMIN: 2 };

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let operations: { operationId: string; method: string; path: string; hasJsonBody: boolean; access?: unknown }[];

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  const doc = (await call(app, "GET", "/openapi.json")).json;
  operations = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        hasJsonBody: Boolean(op.requestBody?.content?.["application/json"]),
        access: op["x-homeward-access"],
      });
    }
  }
});
afterAll(async () => database.drop());

const principals = () =>
  (["city", "districtA", "enterpriseA1", "operator"] as const).flatMap((name) =>
    ROLES.map((role) => ({ name, role, kind: fx[name].kind, orgId: fx[name].id, key: fx.keys[name][role] })),
  );

describe("authorisation matrix", () => {
  it("every documented operation has a row in the expected table, and documents the same rule", () => {
    const ids = operations.map((o) => o.operationId).sort();
    expect(ids).toEqual(Object.keys(expected).sort());
    for (const op of operations) {
      const rule = expected[op.operationId]!;
      if (rule === "public") expect(op.access).toBeUndefined();
      else expect(op.access).toEqual(rule);
    }
  });

  it("without credentials every protected operation is 401", async () => {
    for (const op of operations) {
      if (expected[op.operationId] === "public") continue;
      const res = await call(app, op.method, op.path.replace(/\{[A-Za-z]+\}/g, fx.city.id), op.hasJsonBody ? { body: {} } : {});
      expect(res.status, `${op.operationId}`).toBe(401);
    }
  });

  it("each kind and role is allowed exactly where the table says, and refused with 403 elsewhere", async () => {
    const outcomes: string[] = [];
    for (const op of operations) {
      const rule = expected[op.operationId]!;
      if (rule === "public") continue;
      for (const p of principals()) {
        const allowed = rule.kinds.includes(p.kind) && rank[p.role] >= rank[rule.minRole];
        // Path ids point at the caller's own organisation so that an allowed call is not a 404.
        const res = await call(app, op.method, op.path.replace(/\{[A-Za-z]+\}/g, p.orgId), { key: p.key, ...(op.hasJsonBody ? { body: {} } : {}) });
        if (allowed) {
          if ([401, 403].includes(res.status)) outcomes.push(`${op.operationId} ${p.name}/${p.role}: expected allowed, got ${res.status}`);
        } else if (res.status !== 403) {
          outcomes.push(`${op.operationId} ${p.name}/${p.role}: expected 403, got ${res.status}`);
        }
      }
    }
    expect(outcomes).toEqual([]);
  });
});

describe("subtree visibility", () => {
  const names = (res: Awaited<ReturnType<typeof call>>) => res.json.items.map((o: { name: string }) => o.name).sort();

  it("the city sees every organisation of its tree", async () => {
    const res = await call(app, "GET", "/v1/organisations", { key: fx.keys.city.READ_ONLY });
    expect(res.json.items).toHaveLength(7);
  });

  it("a district sees itself and its enterprises, not the other district's", async () => {
    const res = await call(app, "GET", "/v1/organisations", { key: fx.keys.districtA.READ_ONLY });
    expect(names(res)).toEqual([fx.districtA.name, fx.enterpriseA1.name, fx.enterpriseA2.name].sort());
    expect((await call(app, "GET", `/v1/organisations/${fx.enterpriseB1.id}`, { key: fx.keys.districtA.ADMIN })).status).toBe(404);
    expect((await call(app, "GET", `/v1/organisations/${fx.enterpriseA2.id}`, { key: fx.keys.districtA.READ_ONLY })).status).toBe(200);
  });

  it("an enterprise and a transport operator see only themselves", async () => {
    expect(names(await call(app, "GET", "/v1/organisations", { key: fx.keys.enterpriseA1.READ_ONLY }))).toEqual([fx.enterpriseA1.name]);
    expect(names(await call(app, "GET", "/v1/organisations", { key: fx.keys.operator.READ_ONLY }))).toEqual([fx.operator.name]);
    expect((await call(app, "GET", `/v1/organisations/${fx.city.id}`, { key: fx.keys.operator.ADMIN })).status).toBe(404);
  });

  it("an admin manages keys of its subtree only", async () => {
    const inside = await call(app, "POST", `/v1/organisations/${fx.enterpriseA1.id}/api-keys`, { key: fx.keys.districtA.ADMIN, body: { name: "upload", role: "STAFF" } });
    expect(inside.status).toBe(201);
    const outside = await call(app, "POST", `/v1/organisations/${fx.enterpriseB1.id}/api-keys`, { key: fx.keys.districtA.ADMIN, body: { name: "x", role: "STAFF" } });
    expect(outside.status).toBe(404);
    const revokeOutside = await call(app, "DELETE", `/v1/api-keys/${inside.json.id}`, { key: fx.keys.districtB.ADMIN });
    expect(revokeOutside.status).toBe(404);
  });

  it("campaigns are visible to the whole city tree and to nobody else", async () => {
    const created = await call(app, "POST", "/v1/campaigns", {
      key: fx.keys.city.STAFF,
      body: { name: "2027年春运", year: 2027, originRegionCode: "320500", holidayDate: "2027-02-06", departureWindow: { start: "2027-01-20", end: "2027-02-04" }, paidBeforeDate: "2027-01-18" },
    });
    expect(created.status).toBe(201);
    for (const key of [fx.keys.enterpriseB1.READ_ONLY, fx.keys.operator.READ_ONLY, fx.keys.districtA.READ_ONLY]) {
      expect((await call(app, "GET", `/v1/campaigns/${created.json.id}`, { key })).status).toBe(200);
    }
    const { createOrganisationTree, issueApiKey } = await import("../../src/services/identity/bootstrap.ts");
    const otherCity = await createOrganisationTree(database.db, { kind: "CITY_UNION", name: "无锡市总工会", regionCode: "320200" });
    const otherKey = (await issueApiKey(database.db, { orgId: otherCity.id, name: "wx", role: "ADMIN" })).key;
    expect((await call(app, "GET", `/v1/campaigns/${created.json.id}`, { key: otherKey })).status).toBe(404);
    expect((await call(app, "GET", "/v1/campaigns", { key: otherKey })).json.items).toEqual([]);
  });
});
