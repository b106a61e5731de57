// The totals API over records written straight into the tables: figures and their reconciliation
// (a district = the sum of its enterprises, the city = the sum of its districts, vehicles once),
// filters, drill-downs, figures entered by hand, departures and boardings, and the statistics form.
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, call, createCityFixture, type CityFixture, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { publishRun, seedAssignment, seedCampaign, seedRun, seedTravelers, seedVehicle, seedWageCase, seedWagePayment } from "./totals-seed.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let campaignId: string;
const v: Record<string, string> = {};
const seats: Record<string, string[]> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  const db = database.db;
  campaignId = await seedCampaign(db, fx.city.id);
  const a1 = await seedTravelers(db, campaignId, fx.enterpriseA1.id, 6);
  const a2 = await seedTravelers(db, campaignId, fx.enterpriseA2.id, 4);
  const b1 = await seedTravelers(db, campaignId, fx.enterpriseB1.id, 3);

  // An earlier allocation with everybody on one bus: superseded, it must not count.
  const run1 = await seedRun(db, campaignId, 1);
  const old = await seedVehicle(db, run1, campaignId, "BUS", "2027-01-25T08:00:00+08:00", "苏E-OLD01");
  let n = 0;
  for (const [orgId, list] of [[fx.enterpriseA1.id, a1], [fx.enterpriseA2.id, a2], [fx.enterpriseB1.id, b1]] as const) {
    for (const t of list) await seedAssignment(db, { runId: run1, vehicleId: old, travelerId: t, campaignId, orgId, seat: String(++n) });
  }
  await publishRun(db, campaignId, run1);
  v.old = old;

  const run2 = await seedRun(db, campaignId, 2);
  v.bus1 = await seedVehicle(db, run2, campaignId, "BUS", "2027-01-25T08:00:00+08:00", "苏E-10001");
  v.bus2 = await seedVehicle(db, run2, campaignId, "BUS", "2027-01-26T07:30:00+08:00", "苏E-10002");
  v.train = await seedVehicle(db, run2, campaignId, "SPECIAL_TRAIN", "2027-01-25T21:00:00+08:00", "L1234");
  v.carriage = await seedVehicle(db, run2, campaignId, "RESERVED_CARRIAGE", "2027-01-27T10:00:00+08:00", "K1806");
  v.ticket = await seedVehicle(db, run2, campaignId, "GROUP_TICKET", "2027-01-27T12:00:00+08:00", "G7001");
  const put = async (key: string, vehicle: string, orgId: string, traveler: string, seat: string, car = "") =>
    (seats[key] ??= []).push(await seedAssignment(db, { runId: run2, vehicleId: vehicle, travelerId: traveler, campaignId, orgId, seat, car }));
  // bus1 carries workers of three enterprises in two districts.
  for (const [i, t] of a1.slice(0, 3).entries()) await put("bus1", v.bus1, fx.enterpriseA1.id, t, `${i + 1}`);
  for (const [i, t] of a2.slice(0, 2).entries()) await put("bus1", v.bus1, fx.enterpriseA2.id, t, `${i + 11}`);
  await put("bus1", v.bus1, fx.enterpriseB1.id, b1[0]!, "21");
  for (const [i, t] of a1.slice(3, 5).entries()) await put("bus2", v.bus2, fx.enterpriseA1.id, t, `${i + 1}`);
  await put("train", v.train, fx.enterpriseA2.id, a2[2]!, "001", "01");
  await put("train", v.train, fx.enterpriseA2.id, a2[3]!, "001", "02");
  await put("carriage", v.carriage, fx.enterpriseB1.id, b1[1]!, "010", "05");
  await put("carriage", v.carriage, fx.enterpriseB1.id, b1[2]!, "010", "06");
  await put("ticket", v.ticket, fx.enterpriseA1.id, a1[5]!, "1");
  await publishRun(db, campaignId, run2);

  // Wage cases: A1 (two payments), district B itself, B1.
  const caseA1 = await seedWageCase(db, { campaignId, orgId: fx.enterpriseA1.id, caseNo: "QX2027-000001", workers: 10, migrantWorkers: 8, owedFen: 5_000_000n });
  await seedWagePayment(db, { caseId: caseA1, amountFen: 1_234_567n, paidOn: "2027-01-10", workersPaid: 6, migrantWorkersPaid: 5, migrantAmountFen: 1_000_000n });
  await seedWagePayment(db, { caseId: caseA1, amountFen: 765_433n, paidOn: "2027-01-16", workersPaid: 4, migrantWorkersPaid: 3, migrantAmountFen: 400_001n });
  const caseB = await seedWageCase(db, { campaignId, orgId: fx.districtB.id, caseNo: "QX2027-000002", workers: 3, migrantWorkers: 3, owedFen: 900_000n });
  await seedWagePayment(db, { caseId: caseB, amountFen: 900_000n, paidOn: "2027-01-12", workersPaid: 3, migrantWorkersPaid: 3 });
  const caseB1 = await seedWageCase(db, { campaignId, orgId: fx.enterpriseB1.id, caseNo: "QX2027-000003", workers: 2, migrantWorkers: 0, owedFen: 100_001n });
  await seedWagePayment(db, { caseId: caseB1, amountFen: 100_001n, paidOn: "2027-01-17", workersPaid: 2, migrantWorkersPaid: 0 });
});
afterAll(async () => database.drop());

const totals = async (key: string, query: Record<string, string> = {}) => {
  const res = await call(app, "GET", `/v1/totals?${new URLSearchParams({ campaignId, ...query })}`, { key });
  expect(res.status, res.text).toBe(200);
  return res.json;
};

describe("getHomewardTotals", () => {
  it("counts the published allocation once, by mode with vehicles counted once", async () => {
    const city = await totals(fx.keys.city.READ_ONLY);
    expect(city.figures["10A"].persons).toEqual({ allocated: 13, departed: 0, boarded: 0 });
    expect(city.figures["10D"]).toEqual({ persons: { allocated: 8, departed: 0, boarded: 0 }, vehicles: { allocated: 2, departed: 0, boarded: 0 } });
    expect(city.figures["10B"].vehicles.allocated).toBe(1);
    expect(city.figures["10C"]).toEqual({ persons: { allocated: 2, departed: 0, boarded: 0 }, vehicles: { allocated: 2, departed: 0, boarded: 0 } });
    expect(city.figures["10G"].platformTickets.allocated).toBe(1);
    expect(city.byDay.map((d: { date: string; persons: { allocated: number } }) => [d.date, d.persons.allocated])).toEqual([
      ["2027-01-25", 8],
      ["2027-01-26", 2],
      ["2027-01-27", 3],
    ]);
  });

  it("reconciles: a district is the sum of its enterprises, the city the sum of its districts and its own records", async () => {
    const sum = (xs: { allocated: number; departed: number; boarded: number }[]) =>
      xs.reduce((a, x) => ({ allocated: a.allocated + x.allocated, departed: a.departed + x.departed, boarded: a.boarded + x.boarded }), { allocated: 0, departed: 0, boarded: 0 });
    const city = await totals(fx.keys.city.READ_ONLY);
    const dA = await totals(fx.keys.city.READ_ONLY, { orgId: fx.districtA.id });
    const dB = await totals(fx.keys.districtB.READ_ONLY);
    const eA1 = await totals(fx.keys.enterpriseA1.READ_ONLY);
    const eA2 = await totals(fx.keys.districtA.READ_ONLY, { orgId: fx.enterpriseA2.id });
    const eB1 = await totals(fx.keys.districtB.READ_ONLY, { orgId: fx.enterpriseB1.id });
    for (const mode of ["10A", "10B", "10C", "10D"] as const) {
      expect(dA.figures[mode].persons).toEqual(sum([eA1.figures[mode].persons, eA2.figures[mode].persons]));
      expect(city.figures[mode].persons).toEqual(sum([dA.figures[mode].persons, dB.figures[mode].persons]));
    }
    expect(dA.figures["10A"].persons.allocated).toBe(10);
    expect(dB.figures["10A"].persons.allocated).toBe(3);
    // The breakdown lines are the children's own totals.
    const line = (t: any, id: string) => t.byOrganisation.find((o: { id: string }) => o.id === id);
    expect(line(city, fx.districtA.id).persons).toEqual(dA.figures["10A"].persons);
    expect(line(dA, fx.enterpriseA1.id).persons).toEqual(eA1.figures["10A"].persons);
    // Bus 1 carries people of both districts: one bus for the city, one for each district.
    expect(dA.figures["10D"].vehicles.allocated).toBe(2);
    expect(dB.figures["10D"].vehicles.allocated).toBe(1);
    expect(city.figures["10D"].vehicles.allocated).toBe(2);
    expect(line(city, fx.districtB.id).vehicles.allocated).toBe(3); // bus1 and the two reserved cars 05, 06
    // Wages: exact fen; a district's own case appears on the "本级" line.
    expect(BigInt(city.figures["08C"].amountFen)).toBe(BigInt(dA.figures["08C"].amountFen) + BigInt(dB.figures["08C"].amountFen));
    expect(city.figures["08C"].workers).toBe(dA.figures["08C"].workers + dB.figures["08C"].workers);
    expect(dB.own.wages.amountFen).toBe("900000");
    expect(BigInt(dB.figures["08C"].amountFen)).toBe(BigInt(dB.own.wages.amountFen) + BigInt(eB1.figures["08C"].amountFen));
  });

  it("computes 08(C) from the payments to the fen", async () => {
    const eA1 = await totals(fx.keys.enterpriseA1.READ_ONLY);
    expect(eA1.figures["08C"]).toMatchObject({ cases: 1, workers: 10, migrantWorkers: 8, amountFen: "2000000", amountYuan: "20000.00", amountWanYuan: "2.00" });
    // The migrant workers' parts as recorded on each payment: 1,000,000 + 400,001 fen.
    expect(eA1.figures["08C"]).toMatchObject({ migrantAmountFen: "1400001", migrantAmountYuan: "14000.01", migrantAmountWanYuan: "1.40" });
    const city = await totals(fx.keys.city.READ_ONLY);
    expect(city.figures["08C"]).toMatchObject({ cases: 3, workers: 15, migrantWorkers: 11, amountFen: "3000001", amountWanYuan: "3.00" });
    const january12 = await totals(fx.keys.city.READ_ONLY, { from: "2027-01-11", to: "2027-01-16" });
    expect(january12.figures["08C"].amountFen).toBe("1665433");
  });

  it("filters by departure day and mode", async () => {
    const late = await totals(fx.keys.city.READ_ONLY, { from: "2027-01-26" });
    expect(late.figures["10A"].persons.allocated).toBe(5);
    expect(late.figures["10D"].vehicles.allocated).toBe(1);
    const buses = await totals(fx.keys.city.READ_ONLY, { mode: "BUS" });
    expect(buses.figures["10A"].persons.allocated).toBe(8);
    expect(buses.figures["10C"].persons.allocated).toBe(0);
    const bad = await call(app, "GET", `/v1/totals?campaignId=${campaignId}&from=2027-01-27&to=2027-01-20`, { key: fx.keys.city.READ_ONLY });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].code).toBe("RANGE_REVERSED");
    expect((await call(app, "GET", `/v1/totals?campaignId=${campaignId}&mode=ROCKET`, { key: fx.keys.city.READ_ONLY })).status).toBe(400);
    expect((await call(app, "GET", `/v1/totals`, { key: fx.keys.city.READ_ONLY })).status).toBe(400);
  });

  it("answers 404 outside the caller's subtree or city", async () => {
    expect((await call(app, "GET", `/v1/totals?campaignId=${campaignId}&orgId=${fx.districtA.id}`, { key: fx.keys.districtB.ADMIN })).status).toBe(404);
    expect((await call(app, "GET", `/v1/totals?campaignId=${campaignId}&orgId=${fx.city.id}`, { key: fx.keys.enterpriseA1.ADMIN })).status).toBe(404);
    expect((await call(app, "GET", `/v1/totals?campaignId=${fx.city.id}`, { key: fx.keys.city.ADMIN })).status).toBe(404);
    expect((await call(app, "GET", `/v1/totals?campaignId=${campaignId}`, { key: fx.keys.operator.ADMIN })).status).toBe(403);
  });
});

describe("departures and boardings", () => {
  it("move the departed and boarded figures, and are audited", async () => {
    const dep = await call(app, "POST", `/v1/vehicles/${v.bus1}/departure`, { key: fx.keys.city.STAFF, body: { departed: true } });
    expect(dep.status, dep.text).toBe(200);
    expect(dep.json.persons).toBe(6);
    const board = await call(app, "POST", `/v1/vehicles/${v.bus1}/boardings`, { key: fx.keys.city.STAFF, body: { assignmentIds: seats.bus1!.slice(0, 4) } });
    expect(board.status, board.text).toBe(200);
    expect(board.json.boardedOnVehicle).toBe(4);
    const city = await totals(fx.keys.city.READ_ONLY);
    expect(city.figures["10A"].persons).toEqual({ allocated: 13, departed: 6, boarded: 4 });
    expect(city.figures["10D"].vehicles).toEqual({ allocated: 2, departed: 1, boarded: 1 });
    const dB = await totals(fx.keys.districtB.READ_ONLY);
    expect(dB.figures["10D"].persons).toEqual({ allocated: 1, departed: 1, boarded: 0 });
    expect(dB.figures["10D"].vehicles).toEqual({ allocated: 1, departed: 1, boarded: 0 });
    const audit = await database.db.auditEntry.findMany({ where: { entityId: v.bus1 }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["vehicle.departure.record", "vehicle.boarding.record"]);
  });

  it("a cancelled seat leaves every count", async () => {
    await database.db.$executeRawUnsafe(`UPDATE assignments SET status = 'CANCELLED', cancelled_at = now() WHERE id = $1::uuid`, seats.bus1![0]!);
    const city = await totals(fx.keys.city.READ_ONLY);
    expect(city.figures["10A"].persons).toEqual({ allocated: 12, departed: 5, boarded: 3 });
    const res = await call(app, "POST", `/v1/vehicles/${v.bus1}/boardings`, { key: fx.keys.city.STAFF, body: { assignmentIds: [seats.bus1![0]!, seats.bus2![0]!] } });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { code: string }) => e.code)).toEqual(["ASSIGNMENT_CANCELLED", "ASSIGNMENT_NOT_ON_VEHICLE"]);
  });

  it("an operator reports for its own vehicles only; a superseded vehicle is refused", async () => {
    expect((await call(app, "POST", `/v1/vehicles/${v.bus2}/departure`, { key: fx.keys.operator.STAFF, body: {} })).status).toBe(404);
    await database.db.$executeRawUnsafe(
      `WITH cap AS (INSERT INTO capacities (id, campaign_id, org_id, mode, label, departure_date, departure_minute, seats, details, updated_at)
                    VALUES (gen_random_uuid(), $1::uuid, $2::uuid, 'BUS', '苏E-10002', '2027-01-26', 450, 55, '{}', now()) RETURNING id)
       UPDATE vehicles SET capacity_id = (SELECT id FROM cap) WHERE id = $3::uuid`,
      campaignId,
      fx.operator.id,
      v.bus2,
    );
    expect((await call(app, "POST", `/v1/vehicles/${v.bus2}/departure`, { key: fx.keys.operator.STAFF, body: {} })).status).toBe(200);
    const undo = await call(app, "POST", `/v1/vehicles/${v.bus2}/departure`, { key: fx.keys.operator.STAFF, body: { departed: false } });
    expect(undo.json.departedAt).toBeNull();
    const old = await call(app, "POST", `/v1/vehicles/${v.old}/departure`, { key: fx.keys.city.STAFF, body: {} });
    expect(old.status).toBe(409);
    expect(old.json.code).toBe("VEHICLE_NOT_IN_PUBLISHED_ALLOCATION");
    const future = await call(app, "POST", `/v1/vehicles/${v.bus2}/departure`, { key: fx.keys.city.STAFF, body: { at: "2099-01-01T00:00:00+08:00" } });
    expect(future.status).toBe(400);
  });
});

describe("recordManualFigure", () => {
  it("stores hand-entered figures beside the computed ones, validated and audited", async () => {
    const put = (key: string, body: unknown) => call(app, "PUT", "/v1/totals/manual-figures", { key, body });
    expect((await put(fx.keys.districtA.STAFF, { campaignId, figure: "10H_CENTRES", value: "2" })).status).toBe(200);
    const first = await put(fx.keys.districtA.STAFF, { campaignId, figure: "11A_WAN_YUAN", value: "12.5" });
    expect(first.json).toMatchObject({ value: "12.50", unit: "万元", previousValue: null });
    const second = await put(fx.keys.districtA.ADMIN, { campaignId, figure: "11A_WAN_YUAN", value: "12.75", note: "与恒力集团协商" });
    expect(second.json).toMatchObject({ value: "12.75", previousValue: "12.50" });
    expect((await put(fx.keys.city.STAFF, { campaignId, figure: "10G_TICKETS", value: "30" })).status).toBe(200);
    expect((await put(fx.keys.districtA.STAFF, { campaignId, orgId: fx.enterpriseA1.id, figure: "10G_TICKETS", value: "5" })).status).toBe(200);

    const bad = await put(fx.keys.districtA.STAFF, { campaignId, figure: "10H_CENTRES", value: "1.5" });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({ path: "body.value", code: "MANUAL_FIGURE_NOT_WHOLE" });
    expect((await put(fx.keys.districtA.STAFF, { campaignId, figure: "10X", value: "1" })).status).toBe(400);
    expect((await put(fx.keys.districtA.STAFF, { campaignId, orgId: fx.enterpriseB1.id, figure: "10H_CENTRES", value: "1" })).status).toBe(404);
    expect((await put(fx.keys.districtA.READ_ONLY, { campaignId, figure: "10H_CENTRES", value: "1" })).status).toBe(403);

    const city = await totals(fx.keys.city.READ_ONLY);
    expect(city.figures["10G"]).toMatchObject({ manualTickets: 35, platformTickets: { allocated: 1 } });
    expect(city.figures["10H"].helpCentres).toBe(2);
    expect(city.figures["11A"].subsidyWanYuan).toBe("12.75");
    const dB = await totals(fx.keys.districtB.READ_ONLY);
    expect(dB.figures["11A"].subsidyWanYuan).toBe("0.00");

    const audit = await database.db.auditEntry.findMany({ where: { action: "totals.manual_figure.record", entityId: second.json.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.details)).toEqual([
      expect.objectContaining({ figure: "11A_WAN_YUAN", before: null, after: "12.50" }),
      expect.objectContaining({ figure: "11A_WAN_YUAN", before: "12.50", after: "12.75", note: "与恒力集团协商" }),
    ]);
    // Who: the district's ADMIN key (audit actor and organisation), when: the entry's time.
    expect(audit[1]!.actorId).toBe(second.json.enteredBy);
    expect(audit[1]!.actorOrgId).toBe(fx.districtA.id);
    expect(second.json.enteredBy).toMatch(/^key:hw_/);
  });
});

describe("getTotalsDrilldown", () => {
  const drill = async (key: string, query: Record<string, string>) => {
    const res = await call(app, "GET", `/v1/totals/drilldown?${new URLSearchParams({ campaignId, ...query })}`, { key });
    expect(res.status, res.text).toBe(200);
    return res.json;
  };

  it("lists the vehicles behind a vehicle count, and the masked travellers behind a person count", async () => {
    const buses = await drill(fx.keys.districtB.READ_ONLY, { figure: "10D" });
    expect(buses.total).toBe(1);
    expect(buses.vehicles[0]).toMatchObject({ label: "苏E-10001", persons: { allocated: 1, departed: 1 } });
    const cars = await drill(fx.keys.city.READ_ONLY, { figure: "10C" });
    expect(cars.vehicles.map((x: { car: string }) => x.car)).toEqual(["05", "06"]);

    const people = await drill(fx.keys.city.READ_ONLY, { figure: "10A", pageSize: "5", page: "2" });
    const city = await totals(fx.keys.city.READ_ONLY);
    expect(people.total).toBe(city.figures["10A"].persons.allocated);
    expect(people.travellers).toHaveLength(5);
    for (const t of people.travellers) {
      expect(t.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
      expect(t.mobile).toMatch(/^1\d{2}\*{4}\d{4}$/);
      expect(t.name).toMatch(/^工\*+$/);
    }
    expect(JSON.stringify(people)).not.toMatch(/\d{17}[\dX]/);
    const departed = await drill(fx.keys.city.READ_ONLY, { figure: "10A", stage: "DEPARTED" });
    expect(departed.total).toBe(city.figures["10A"].persons.departed);
    const onBus = await drill(fx.keys.city.READ_ONLY, { figure: "10D", vehicleId: v.bus1! });
    expect(onBus.total).toBe(5);
  });

  it("lists the payments behind 08(C) and the entries behind hand-entered figures", async () => {
    const pay = await drill(fx.keys.districtA.READ_ONLY, { figure: "08C" });
    expect(pay.payments.map((p: { amountYuan: string }) => p.amountYuan)).toEqual(["12345.67", "7654.33"]);
    const centres = await drill(fx.keys.city.READ_ONLY, { figure: "10H" });
    expect(centres.manualEntries).toEqual([expect.objectContaining({ orgName: fx.districtA.name, value: "2", enteredBy: expect.stringMatching(/^key:hw_/) })]);
    const tickets = await drill(fx.keys.districtA.READ_ONLY, { figure: "10G" });
    expect(tickets.manualEntries.map((m: { value: string }) => m.value)).toEqual(["5"]);
    expect(tickets.total).toBe(1);
  });
});

describe("exportStatisticsForm", () => {
  it("JSON: every row of the annex, the platform's lines filled, the others blank", async () => {
    const res = await call(app, "GET", `/v1/totals/statistics-form?campaignId=${campaignId}&format=json&stage=ALLOCATED&reporter=张三&phone=0512-65236564&date=2027-01-21`, {
      key: fx.keys.districtA.READ_ONLY,
    });
    expect(res.status, res.text).toBe(200);
    const form = res.json;
    expect(form).toMatchObject({ title: "2027年全市工会送温暖活动统计表", reportingUnit: fx.districtA.name, reporter: "张三", date: "2027-01-21", note: "注：本表中职工均包括农民工" });
    expect([...new Set(form.lines.map((l: { row: string }) => l.row))]).toEqual(["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"]);
    const line = (row: string, l: string) => form.lines.find((x: { row: string; line: string }) => x.row === row && x.line === l);
    // One seat of district A on bus 1 was cancelled above.
    expect(line("10", "A").slots[0].value).toBe("9");
    expect(line("10", "D").slots.map((s: { value: string }) => s.value)).toEqual(["2", "6"]);
    expect(line("10", "G").slots[0].value).toBe("6"); // 1 on the platform + 5 entered by enterprise A1
    expect(line("10", "H").slots[0].value).toBe("2");
    expect(line("11", "A").slots[0].value).toBe("12.75");
    expect(line("08", "C").slots.map((s: { value: string }) => s.value)).toEqual(["10", "2.00", "8", "1.40"]);
    expect(line("01", "A").slots.every((s: { value: string | null }) => s.value === null)).toBe(true);
    expect(line("07", "I").text).toBe("与困难职工结对帮扶__对。");
  });

  it("XLSX in the annex layout, CSV with the same lines; the city's form is the sum of its districts'", async () => {
    const res = await app.request(`/v1/totals/statistics-form?campaignId=${campaignId}&stage=ALLOCATED`, { headers: { authorization: `Bearer ${fx.keys.city.READ_ONLY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("spreadsheetml");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.getCell("A1").value).toBe("2027年全市工会送温暖活动统计表");
    expect(String(ws.getCell("A2").value)).toBe(`填报单位：${fx.city.name}`);
    expect(String(ws.getCell("A3").value)).toMatch(/^填报人：/);
    expect(String(ws.getCell("D3").value)).toMatch(/^联系电话：/);
    const rows: Record<string, ExcelJS.Row> = {};
    let row = "";
    ws.eachRow((r) => {
      if (r.number <= 5) return;
      if (r.getCell(1).value) row = String(r.getCell(1).value);
      rows[`${row}${String(r.getCell(2).value ?? "")}`] = r;
    });
    expect(rows["10（A）"]!.getCell(4).value).toBe(12);
    expect(rows["10（D）"]!.getCell(4).value).toBe(2);
    expect(rows["10（D）"]!.getCell(6).value).toBe(7);
    expect(String(rows["10（D）"]!.getCell(3).value)).toBe("共包汽车 2 辆，运送 7 人次；");
    expect(rows["08（C）"]!.getCell(4).value).toBe(15);
    expect(rows["01（A）"]!.getCell(4).value).toBeNull();
    expect(String(rows["01（A）"]!.getCell(3).value)).toBe("当地职工总数____人，其中农民工总数____人。");
    let note = "";
    ws.eachRow((r) => {
      if (String(r.getCell(1).value).includes("本表中职工均包括农民工")) note = String(r.getCell(1).value);
    });
    expect(note).toBe("注：本表中职工均包括农民工");

    const csv = await call(app, "GET", `/v1/totals/statistics-form?campaignId=${campaignId}&format=csv&stage=ALLOCATED`, { key: fx.keys.districtB.READ_ONLY });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.text).toContain("共包汽车 1 辆，运送 1 人次；");
    expect(csv.text).toContain("注：本表中职工均包括农民工");
    const sumOf = async (key: string) =>
      (await call(app, "GET", `/v1/totals/statistics-form?campaignId=${campaignId}&format=json&stage=ALLOCATED`, { key })).json.lines.find(
        (l: { row: string; line: string }) => l.row === "10" && l.line === "A",
      ).slots[0].value;
    expect(Number(await sumOf(fx.keys.city.READ_ONLY))).toBe(Number(await sumOf(fx.keys.districtA.READ_ONLY)) + Number(await sumOf(fx.keys.districtB.READ_ONLY)));
  });
});
