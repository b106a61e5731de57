// From lists and capacity through a run (BullMQ job), a publish and manifests, with the
// authorisation rules, capacity protection, stale publishes, the no-double-seat constraint and
// stability of notified travellers' seats across runs.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { login } from "../../src/services/auth/login.ts";
import { runWorkers, type RunningWorkers } from "../../workers/run-workers.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { fakeIdNumber, fakeMobile, insertList, people, waitForRun } from "./allocation-helpers.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let workers: RunningWorkers;
let campaignId: string;
let busId: string;
let trainId: string;
const lists: Record<string, { listId: string; travelerIds: string[] }> = {};
const conflictId = fakeIdNumber("341200");

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  workers = await runWorkers({ config: testConfig(), log: createLogger("silent"), databaseUrl: database.url, redisUrl: inject("redisUrl"), prefix: `t${randomBytes(4).toString("hex")}`, queues: ["allocation"] });
  const campaign = await call(app, "POST", "/v1/campaigns", {
    key: fx.keys.city.STAFF,
    body: { name: "2027年春运", year: 2027, originRegionCode: "320500", holidayDate: "2027-02-06", departureWindow: { start: "2027-01-20", end: "2027-02-04" }, paidBeforeDate: "2027-01-18" },
  });
  campaignId = campaign.json.id;
  lists.a1 = await insertList(database.db, campaignId, fx.enterpriseA1.id, [
    ...people(20, "341200", "阜阳甲"),
    ...people(5, "510100", "成都甲"),
    { name: "重复者", idNumber: conflictId, mobile: fakeMobile(), destinationCode: "341200" },
  ]);
  lists.a2 = await insertList(database.db, campaignId, fx.enterpriseA2.id, people(10, "340100", "合肥乙"));
  lists.b1 = await insertList(database.db, campaignId, fx.enterpriseB1.id, [...people(8, "341200", "阜阳丙"), { name: "重复者", idNumber: conflictId, mobile: fakeMobile(), destinationCode: "341200" }]);
  lists.draft = await insertList(database.db, campaignId, fx.enterpriseB1.id, people(3, "341200", "草稿"), "DRAFT");
});

afterAll(async () => {
  await workers?.stop();
  await database.drop();
});

async function runToEnd(parameters: Record<string, unknown> = {}) {
  const started = await call(app, "POST", `/v1/campaigns/${campaignId}/allocation-runs`, { key: fx.keys.city.STAFF, body: { parameters } });
  expect(started.status, started.text).toBe(202);
  expect(started.json.status).toBe("QUEUED");
  await workers.drainOutbox();
  await waitForRun(database.db, started.json.id);
  const run = await call(app, "GET", `/v1/allocation-runs/${started.json.id}`, { key: fx.keys.city.READ_ONLY });
  expect(run.status).toBe(200);
  return run.json;
}

describe("capacity registry", () => {
  it("registers places and capacity per mode, with defaults and validation", async () => {
    const station = await call(app, "POST", "/v1/places", { key: fx.keys.city.STAFF, body: { kind: "STATION", name: "苏州站", code: "SZH", regionCode: "320508" } });
    expect(station.status, station.text).toBe(201);
    expect(station.json.lat).toBeGreaterThan(30);
    expect((await call(app, "POST", "/v1/places", { key: fx.keys.city.STAFF, body: { kind: "STATION", name: "苏州站", regionCode: "320508" } })).json.code).toBe("PLACE_NAME_TAKEN");
    expect((await call(app, "POST", "/v1/places", { key: fx.keys.city.STAFF, body: { kind: "STATION", name: "某站", regionCode: "999999" } })).status).toBe(400);
    expect((await call(app, "GET", "/v1/places", { key: fx.keys.operator.READ_ONLY })).json.items).toHaveLength(1);

    const bus = await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, {
      key: fx.keys.operator.STAFF,
      body: { mode: "BUS", departureDate: "2027-01-28", departureTime: "08:00", details: { plate: "苏E12345", seats: 45, drivers: 3, maxStops: 3, contactPhone: "0512-65776577" } },
    });
    expect(bus.status, bus.text).toBe(201);
    expect(bus.json).toMatchObject({ label: "苏E12345", seats: 45, operatorOrgId: fx.operator.id, seatsTaken: 0 });
    expect(bus.json.details).toMatchObject({ validFrom: "2027-01-28", validTo: "2027-01-31", seatsPerRow: 4 });
    busId = bus.json.id;

    const train = await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, {
      key: fx.keys.city.STAFF,
      body: {
        mode: "SPECIAL_TRAIN",
        operatorOrgId: fx.operator.id,
        departureDate: "2027-01-27",
        departureTime: "10:00",
        details: { trainNumber: "L7801", from: { placeId: station.json.id }, cars: [{ car: "1", type: "YZ" }, { car: "2", type: "YW" }], stops: [{ place: { name: "成都站", regionCode: "510100" }, arrivalOffsetMinutes: 1500 }] },
      },
    });
    expect(train.status, train.text).toBe(201);
    expect(train.json.seats).toBe(118 + 66);
    expect(train.json.details.cars.map((c: { car: string }) => c.car)).toEqual(["01", "02"]);
    trainId = train.json.id;

    // Per-mode validation: a bus of 10 seats, a group-ticket batch under 20, an unknown car type without seats.
    const smallBus = await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, { key: fx.keys.operator.STAFF, body: { mode: "BUS", departureDate: "2027-01-28", departureTime: "08:00", details: { plate: "苏E99999", seats: 10, drivers: 1 } } });
    expect(smallBus.status).toBe(400);
    expect(smallBus.json.errors.some((e: { path: string }) => e.path.includes("seats"))).toBe(true);
    const smallQuota = await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, {
      key: fx.keys.operator.STAFF,
      body: { mode: "GROUP_TICKET", departureDate: "2027-01-28", departureTime: "09:00", details: { trainNumber: "K1512", from: { name: "苏州站", regionCode: "320508" }, to: { place: { name: "信阳站", regionCode: "411500" }, arrivalOffsetMinutes: 600 }, count: 12 } },
    });
    expect(smallQuota.status).toBe(400);
    const oddCar = await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, {
      key: fx.keys.city.STAFF,
      body: { mode: "RESERVED_CARRIAGE", departureDate: "2027-01-28", departureTime: "09:00", details: { trainNumber: "K1512", cars: [{ car: "9", type: "XX" }], stops: [{ place: { name: "信阳站", regionCode: "411500" }, arrivalOffsetMinutes: 600 }] } },
    });
    expect(oddCar.status).toBe(400);
    expect(oddCar.json.errors[0].code).toBe("CAR_SEATS_REQUIRED");
    // An operator cannot register for another operator; the same bus twice on one day is a conflict.
    expect((await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, { key: fx.keys.operator.STAFF, body: { mode: "BUS", operatorOrgId: fx.city.id, departureDate: "2027-01-28", departureTime: "08:00", details: { plate: "苏E12346", seats: 45, drivers: 2 } } })).status).toBe(400);
    expect((await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, { key: fx.keys.operator.STAFF, body: { mode: "BUS", departureDate: "2027-01-28", departureTime: "09:00", details: { plate: "苏E12345", seats: 45, drivers: 2 } } })).json.code).toBe("CAPACITY_DUPLICATE");

    const listed = await call(app, "GET", `/v1/campaigns/${campaignId}/capacity`, { key: fx.keys.operator.READ_ONLY });
    expect(listed.json.items.map((c: { label: string }) => c.label).sort()).toEqual(["L7801", "苏E12345"]);
  });
});

describe("allocation run, publish and manifests", () => {
  let run1: { id: string; report: Record<string, any> };
  let busVehicleId: string;

  it("runs as a job: everyone with capacity gets a seat, people listed twice are held as CONFLICT", async () => {
    const run = await runToEnd();
    expect(run.status, JSON.stringify(run.failure)).toBe("SUCCEEDED");
    expect(run.progress).toBe(100);
    expect(run.report.travelers).toBe(45);
    expect(run.report.assigned).toBe(43);
    expect(run.report.unassignedByReason).toMatchObject({ CONFLICT: 2 });
    expect(run.unassigned.filter((u: { reason: string }) => u.reason === "CONFLICT").map((u: { name: string }) => u.name)).toEqual(["重复者", "重复者"]);
    expect(run.diff).toMatchObject({ added: 43, moved: 0, removed: 0 });
    run1 = run;
    const assignments = await database.db.assignment.findMany({ where: { runId: run.id }, include: { vehicle: true } });
    expect(assignments).toHaveLength(43);
    const draftIds = new Set(lists.draft!.travelerIds);
    expect(assignments.some((a) => draftIds.has(a.travelerId))).toBe(false);
    const bus = assignments.filter((a) => a.vehicle.capacityId === busId);
    const train = assignments.filter((a) => a.vehicle.capacityId === trainId);
    expect(bus).toHaveLength(38);
    expect(train).toHaveLength(5);
    expect(new Set(assignments.map((a) => `${a.vehicleId}|${a.car}|${a.seat}`)).size).toBe(43);
    busVehicleId = bus[0]!.vehicleId;
  });

  it("never gives a seat twice: the database refuses a second traveller in a taken seat", async () => {
    const taken = await database.db.assignment.findFirstOrThrow({ where: { runId: run1.id } });
    const other = lists.draft!.travelerIds[0]!;
    await expect(
      database.db.assignment.create({ data: { runId: run1.id, vehicleId: taken.vehicleId, travelerId: other, campaignId, orgId: fx.enterpriseB1.id, car: taken.car, seat: taken.seat, dropStop: 1, dropRegionCode: "341200" } }),
    ).rejects.toMatchObject({ code: "P2002" });
  });

  it("only the city union starts, reads and publishes runs; a run that is not SUCCEEDED cannot be published", async () => {
    expect((await call(app, "POST", `/v1/campaigns/${campaignId}/allocation-runs`, { key: fx.keys.city.READ_ONLY, body: {} })).status).toBe(403);
    expect((await call(app, "GET", `/v1/allocation-runs/${run1.id}`, { key: fx.keys.districtA.ADMIN })).status).toBe(403);
    const bad = await call(app, "POST", `/v1/campaigns/${campaignId}/allocation-runs`, { key: fx.keys.city.STAFF, body: { parameters: { busMaxKm: -1 } } });
    expect(bad.status).toBe(400);
    const queued = await database.db.allocationRun.create({ data: { campaignId, seq: 99, parameters: {}, status: "FAILED" } });
    const refused = await call(app, "POST", `/v1/allocation-runs/${queued.id}/publish`, { key: fx.keys.city.STAFF });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe("ALLOCATION_NOT_PUBLISHABLE");
    await database.db.allocationRun.delete({ where: { id: queued.id } });
  });

  it("publishes: lists become ALLOCATED, notifications are written, the audit records it", async () => {
    const published = await call(app, "POST", `/v1/allocation-runs/${run1.id}/publish`, { key: fx.keys.city.STAFF });
    expect(published.status, published.text).toBe(200);
    expect(published.json.status).toBe("PUBLISHED");
    expect(published.json.listsAllocated).toBe(3);
    const statuses = await database.db.ticketList.findMany({ where: { campaignId }, select: { id: true, status: true } });
    expect(statuses.find((l) => l.id === lists.draft!.listId)!.status).toBe("DRAFT");
    expect(statuses.filter((l) => l.status === "ALLOCATED")).toHaveLength(3);
    expect(await database.db.notification.count({ where: { runId: run1.id } })).toBe(published.json.notificationsCreated);
    expect(await database.db.notification.count({ where: { runId: run1.id, kind: "DEPARTURE" } })).toBe(43);
    expect(await database.db.auditEntry.count({ where: { action: "allocation.publish", entityId: run1.id } })).toBe(1);
    const again = await call(app, "POST", `/v1/allocation-runs/${run1.id}/publish`, { key: fx.keys.city.STAFF });
    expect(again.status).toBe(409);
  });

  it("vehicle manifests: the city sees all, an enterprise its own, an operator its own vehicles, IDs masked", async () => {
    const city = await call(app, "GET", `/v1/vehicles/${busVehicleId}/manifest`, { key: fx.keys.city.READ_ONLY });
    expect(city.status, city.text).toBe(200);
    expect(city.json.rows).toHaveLength(38);
    expect(city.json.charterSign).toMatchObject({ plate: "苏E12345", operator: "苏州汽车客运集团", drivers: 3, validFrom: "2027-01-28" });
    expect(city.json.charterSign.origin).toBeTruthy();
    for (const row of city.json.rows) {
      expect(row.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
      expect(row.mobile).toMatch(/^1\d\d\*{4}\d{4}$/);
    }
    const a1 = await call(app, "GET", `/v1/vehicles/${busVehicleId}/manifest`, { key: fx.keys.enterpriseA1.READ_ONLY });
    expect(a1.json.rows).toHaveLength(20);
    expect(new Set(a1.json.rows.map((r: { enterprise: string }) => r.enterprise))).toEqual(new Set(["盛虹集团工会"]));
    const districtA = await call(app, "GET", `/v1/vehicles/${busVehicleId}/manifest`, { key: fx.keys.districtA.READ_ONLY });
    expect(districtA.json.rows).toHaveLength(30);
    const operator = await call(app, "GET", `/v1/vehicles/${busVehicleId}/manifest`, { key: fx.keys.operator.READ_ONLY });
    expect(operator.json.rows).toHaveLength(38);
    // The train carries nobody of B1: 404, not an empty list.
    const trainVehicle = await database.db.vehicle.findFirstOrThrow({ where: { runId: run1.id, capacityId: trainId } });
    expect((await call(app, "GET", `/v1/vehicles/${trainVehicle.id}/manifest`, { key: fx.keys.enterpriseB1.READ_ONLY })).status).toBe(404);
    const stop = await call(app, "GET", `/v1/vehicles/${busVehicleId}/stops/1/manifest`, { key: fx.keys.city.READ_ONLY });
    expect(stop.status).toBe(200);
    expect(stop.json.rows.length).toBeGreaterThan(0);
    expect(stop.json.rows.every((r: { dropStop: number }) => r.dropStop === 1)).toBe(true);
  });

  it("full ID numbers only for the operator's staff on its own vehicle, each read audited", async () => {
    const revealed = await call(app, "GET", `/v1/vehicles/${busVehicleId}/manifest?reveal=ids`, { key: fx.keys.operator.STAFF });
    expect(revealed.status).toBe(200);
    expect(revealed.json.idsRevealed).toBe(true);
    expect(revealed.json.rows.every((r: { idNumber: string }) => /^\d{17}[\dX]$/.test(r.idNumber))).toBe(true);
    expect(revealed.headers.get("cache-control")).toBe("no-store");
    const audit = await database.db.auditEntry.findMany({ where: { action: "manifest.reveal_ids", entityId: busVehicleId } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ idsShown: 38 });
    expect(JSON.stringify(audit[0]!.details)).not.toMatch(/\d{17}/);
    for (const key of [fx.keys.operator.READ_ONLY, fx.keys.city.ADMIN, fx.keys.enterpriseA1.ADMIN]) {
      const refused = await call(app, "GET", `/v1/vehicles/${busVehicleId}/manifest?reveal=ids`, { key });
      expect(refused.status).toBe(403);
      expect(refused.json.code).toBe("ID_REVEAL_FORBIDDEN");
    }
  });

  it("manifests as CSV, XLSX and a printable page", async () => {
    const csv = await app.request(`/v1/vehicles/${busVehicleId}/manifest?format=csv`, { headers: { authorization: `Bearer ${fx.keys.city.READ_ONLY}` } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const raw = new Uint8Array(await csv.arrayBuffer());
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(raw).trim().split("\r\n");
    expect(lines[0]).toBe("座位,姓名,身份证号,手机号,企业,下车站点,预计到达");
    expect(lines).toHaveLength(39);
    const xlsx = await app.request(`/v1/vehicles/${busVehicleId}/manifest?format=xlsx`, { headers: { authorization: `Bearer ${fx.keys.city.READ_ONLY}` } });
    expect(xlsx.status).toBe(200);
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe("PK");
    const ExcelJS = (await import("exceljs")).default;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes.buffer as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const values: string[] = [];
    sheet.eachRow((row) => values.push(String(row.getCell(2).value ?? "")));
    expect(values).toContain("苏E12345");
    const html = await app.request(`/v1/vehicles/${busVehicleId}/manifest?format=html`, { headers: { authorization: `Bearer ${fx.keys.city.READ_ONLY}` } });
    expect(html.headers.get("content-type")).toContain("text/html");
    const page = await html.text();
    expect(page).toContain("包车客运标志牌");
    expect(page).toContain("阜阳甲1");
    expect(page).not.toMatch(/\d{17}[\dX]/);
  });

  it("enterprise manifests follow the organisation subtree", async () => {
    const path = `/v1/campaigns/${campaignId}/organisations/${fx.enterpriseA1.id}/manifest`;
    const own = await call(app, "GET", path, { key: fx.keys.enterpriseA1.READ_ONLY });
    expect(own.status, own.text).toBe(200);
    expect(own.json.rows).toHaveLength(25);
    expect(new Set(own.json.rows.map((r: { mode: string }) => r.mode))).toEqual(new Set(["BUS", "SPECIAL_TRAIN"]));
    expect(own.json.unassigned).toEqual([expect.objectContaining({ name: "重复者", reason: "CONFLICT" })]);
    expect((await call(app, "GET", path, { key: fx.keys.districtA.READ_ONLY })).status).toBe(200);
    expect((await call(app, "GET", path, { key: fx.keys.districtB.ADMIN })).status).toBe(404);
    expect((await call(app, "GET", path, { key: fx.keys.enterpriseA2.ADMIN })).status).toBe(404);
    expect((await call(app, "GET", path, { key: fx.keys.operator.ADMIN })).status).toBe(403);
    const district = await call(app, "GET", `/v1/campaigns/${campaignId}/organisations/${fx.districtA.id}/manifest?format=csv`, { key: fx.keys.districtA.READ_ONLY });
    expect(district.text.trim().split("\r\n")).toHaveLength(1 + 35);
  });

  it("the manifests page lists the vehicles each person may open", async () => {
    const page = async (user: string) => {
      const session = await login(database.db, testConfig(), { username: user, password: fx.password, clientAddress: "127.0.0.1" });
      const res = await app.request("/app/manifests", { headers: { cookie: `hw_session=${session.token}` } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const links = (html: string) => [...html.matchAll(/\/v1\/vehicles\/([0-9a-f-]{36})\/manifest\?format=html/g)].map((m) => m[1]).sort();
    const trainVehicle = await database.db.vehicle.findFirstOrThrow({ where: { runId: run1.id, capacityId: trainId } });
    expect(links(await page("enterprisea1-read_only"))).toEqual([busVehicleId, trainVehicle.id].sort());
    const districtB = await page("districtb-read_only");
    expect(links(districtB)).toEqual([busVehicleId]);
    expect(districtB).toContain(`/v1/campaigns/${campaignId}/organisations/${fx.districtB.id}/manifest?format=csv`);
    expect(links(await page("operator-read_only"))).toHaveLength(2);
    expect((await app.request("/app/manifests")).status).toBe(302);
  });

  it("protects published seats: no shrinking below them, no withdrawal (409 naming the count)", async () => {
    const current = (await call(app, "GET", `/v1/campaigns/${campaignId}/capacity`, { key: fx.keys.operator.READ_ONLY })).json.items.find((c: { id: string }) => c.id === busId);
    expect(current.seatsTaken).toBe(38);
    const shrink = await call(app, "PATCH", `/v1/capacity/${busId}`, { key: fx.keys.operator.STAFF, body: { version: current.version, details: { plate: "苏E12345", seats: 30, drivers: 3 } } });
    expect(shrink.status).toBe(409);
    expect(shrink.json).toMatchObject({ code: "CAPACITY_SEATS_IN_USE", seatsTaken: 38 });
    expect(shrink.json.message.zh).toContain("38");
    const withdraw = await call(app, "POST", `/v1/capacity/${busId}/withdraw`, { key: fx.keys.operator.STAFF });
    expect(withdraw.status).toBe(409);
    expect(withdraw.json).toMatchObject({ code: "CAPACITY_IN_USE", seatsTaken: 38 });
    const dropCar = await call(app, "PATCH", `/v1/capacity/${trainId}`, {
      key: fx.keys.city.STAFF,
      body: { version: 1, details: { trainNumber: "L7801", cars: [{ car: "3", type: "YZ" }], stops: [{ place: { name: "成都站", regionCode: "510100" }, arrivalOffsetMinutes: 1500 }] } },
    });
    expect(dropCar.status).toBe(409);
    expect(dropCar.json.code).toBe("CAPACITY_SEATS_IN_USE");
    // Growing is fine; a stale version is a version conflict.
    const grow = await call(app, "PATCH", `/v1/capacity/${busId}`, { key: fx.keys.operator.STAFF, body: { version: current.version, details: { plate: "苏E12345", seats: 49, drivers: 3 } } });
    expect(grow.status, grow.text).toBe(200);
    expect(grow.json).toMatchObject({ seats: 49, version: current.version + 1, seatsTaken: 38 });
    expect((await call(app, "PATCH", `/v1/capacity/${busId}`, { key: fx.keys.operator.STAFF, body: { version: current.version, label: "x" } })).status).toBe(409);
    // Another operator's or another city's capacity is not visible.
    expect((await call(app, "POST", `/v1/capacity/${busId}/withdraw`, { key: fx.keys.districtA.ADMIN })).status).toBe(403);
  });

  it("re-runs after list changes keep notified, unchanged travellers' seats and report the diff", async () => {
    // Everyone of A1 got the departure SMS; A2 removes one person after publication.
    await database.db.notification.updateMany({ where: { runId: run1.id, kind: "DEPARTURE", orgId: fx.enterpriseA1.id }, data: { status: "DELIVERED" } });
    const removedId = lists.a2!.travelerIds[0]!;
    await database.db.traveler.update({ where: { id: removedId }, data: { status: "REMOVED" } });
    await database.db.allocationChangeRequest.create({ data: { campaignId, travelerId: removedId, kind: "REMOVED", source: "amend" } });
    const added = await insertList(database.db, campaignId, fx.enterpriseA2.id, people(3, "340100", "合肥新"));
    const before = new Map(
      (await database.db.assignment.findMany({ where: { runId: run1.id, orgId: fx.enterpriseA1.id }, include: { vehicle: true } })).map((a) => [a.travelerId, `${a.vehicle.capacityId}|${a.car}|${a.seat}`]),
    );
    // New capacity for the newcomers (the engine does not yet reuse free seats on a bus whose
    // other seats are locked; reported to the engine's owner).
    const extra = await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, {
      key: fx.keys.operator.STAFF,
      body: { mode: "BUS", departureDate: "2027-01-29", departureTime: "08:00", details: { plate: "苏E54321", seats: 45, drivers: 2 } },
    });
    expect(extra.status).toBe(201);
    const run2 = await runToEnd({ seed: 7 });
    expect(run2.status, JSON.stringify(run2.failure)).toBe("SUCCEEDED");
    expect(run2.baseRunId).toBe(run1.id);
    expect(run2.diff.added).toBe(3);
    expect(run2.diff.removed).toBe(1);
    expect(run2.report.keptFromPrevious).toBeGreaterThanOrEqual(25);
    expect(run2.report.assigned).toBe(45);
    const after = await database.db.assignment.findMany({ where: { runId: run2.id, orgId: fx.enterpriseA1.id }, include: { vehicle: true } });
    expect(after).toHaveLength(25);
    for (const a of after) expect(`${a.vehicle.capacityId}|${a.car}|${a.seat}`).toBe(before.get(a.travelerId));
    const newIds = new Set(added.travelerIds);
    expect(await database.db.assignment.count({ where: { runId: run2.id, travelerId: { in: [...newIds] } } })).toBe(3);
    expect(await database.db.assignment.count({ where: { runId: run2.id, travelerId: removedId } })).toBe(0);

    // A third run starts from run 1 too; once run 2 is published, run 3 is stale.
    const run3 = await runToEnd();
    expect(run3.status).toBe("SUCCEEDED");
    const published = await call(app, "POST", `/v1/allocation-runs/${run2.id}/publish`, { key: fx.keys.city.STAFF });
    expect(published.status, published.text).toBe(200);
    expect(published.json.changeRequestsConsumed).toBe(1);
    expect((await database.db.allocationChangeRequest.findFirstOrThrow({ where: { travelerId: removedId } })).consumedByRunId).toBe(run2.id);
    expect((await database.db.allocationRun.findUniqueOrThrow({ where: { id: run1.id } })).status).toBe("SUPERSEDED");
    const stale = await call(app, "POST", `/v1/allocation-runs/${run3.id}/publish`, { key: fx.keys.city.STAFF });
    expect(stale.status).toBe(409);
    expect(stale.json.code).toBe("ALLOCATION_STALE");
    const runs = await call(app, "GET", `/v1/campaigns/${campaignId}/allocation-runs`, { key: fx.keys.city.READ_ONLY });
    expect(runs.json.items.map((r: { seq: number; status: string }) => `${r.seq}:${r.status}`)).toEqual(["3:SUCCEEDED", "2:PUBLISHED", "1:SUPERSEDED"]);
    // The superseded run's manifests are no longer visible to enterprises.
    expect((await call(app, "GET", `/v1/vehicles/${busVehicleId}/manifest`, { key: fx.keys.enterpriseA1.READ_ONLY })).status).toBe(404);
  });

  it("two publishes from the same base at once: one wins, the other is stale", async () => {
    const [a, b] = [await runToEnd(), await runToEnd()];
    const results = await Promise.all([a, b].map((r) => call(app, "POST", `/v1/allocation-runs/${r.id}/publish`, { key: fx.keys.city.STAFF })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.json.code).toBe("ALLOCATION_STALE");
    expect(await database.db.allocationRun.count({ where: { campaignId, status: "PUBLISHED" } })).toBe(1);
  });

  it("a closed campaign is history: no new run, no publish (409 CAMPAIGN_CLOSED), nothing written", async () => {
    const ready = await runToEnd();
    await database.db.campaign.update({ where: { id: campaignId }, data: { status: "CLOSED" } });
    try {
      const runsBefore = await database.db.allocationRun.count({ where: { campaignId } });
      const start = await call(app, "POST", `/v1/campaigns/${campaignId}/allocation-runs`, { key: fx.keys.city.STAFF, body: {} });
      expect(start.status).toBe(409);
      expect(start.json.code).toBe("CAMPAIGN_CLOSED");
      const publish = await call(app, "POST", `/v1/allocation-runs/${ready.id}/publish`, { key: fx.keys.city.STAFF });
      expect(publish.status).toBe(409);
      expect(publish.json.code).toBe("CAMPAIGN_CLOSED");
      expect(await database.db.allocationRun.count({ where: { campaignId } })).toBe(runsBefore);
      expect((await database.db.allocationRun.findUniqueOrThrow({ where: { id: ready.id } })).status).toBe("SUCCEEDED");
    } finally {
      await database.db.campaign.update({ where: { id: campaignId }, data: { status: "OPEN" } });
    }
  });
});
