// Group ticket lists through the API: every validation rule with real examples (ID numbers carry
// the real GB 11643 check character), submit modes, idempotency, conflicts between enterprises,
// amend/withdraw with their change records, masking, the audited full read, subtree access.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readXlsxRows } from "../../src/intake/files/xlsx-reader.ts";
import { CANONICAL_FIELDS, mapHeaders } from "../../src/intake/headers.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, call, createCityFixture, type CityFixture, type TestApp } from "../helpers/app.ts";
import { idNumber, withCheckCharacter } from "../fixtures/intake/id-numbers.ts";
import { createCampaign, person } from "../fixtures/intake/lists.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let campaignId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  campaignId = await createCampaign(app, fx.keys.city.STAFF);
});
afterAll(async () => database.drop());

const fullWidth = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
/** A valid ID whose check character is X. */
function idEndingInX(): string {
  for (let seq = 0; seq < 1000; seq++) {
    const id = idNumber("341221", "19880512", String(seq).padStart(3, "0"));
    if (id.endsWith("X")) return id;
  }
  throw new Error("no X");
}

const codesByRow = (report: { rejectedRows: { row: number; errors: { code: string }[] }[] }) =>
  Object.fromEntries(report.rejectedRows.map((r) => [r.row, r.errors.map((e) => e.code).sort()]));

describe("validateTicketList (dry run)", () => {
  it("reports every rule row by row with column, code and Chinese/English messages, and stores nothing", async () => {
    const x = idEndingInX();
    const good = person(1);
    const wrongCheck = good.idNumber.slice(0, 17) + (good.idNumber[17] === "0" ? "1" : "0");
    const rows = [
      good, // 1 valid
      person(2, { idNumber: x.toLowerCase() }), // 2 lower-case x is accepted and normalised
      person(3, { idNumber: ` ${fullWidth(person(3).idNumber).slice(0, 9)} ${fullWidth(person(3).idNumber).slice(9)} ` }), // 3 full-width + spaces
      person(4, { idNumber: `'${person(4).idNumber}` }), // 4 Excel's leading apostrophe
      person(5, { idNumber: wrongCheck }), // 5 check character wrong
      person(6, { idNumber: "4.11426E+17" }), // 6 scientific notation
      person(7, { idNumber: 411426199003071234 }), // 7 a number Excel kept with 15 digits
      person(8, { idNumber: "411426199003071000" }), // 8 last digits turned to 000
      person(9, { idNumber: withCheckCharacter("99000019900307123") }), // 9 no such region
      person(10, { idNumber: withCheckCharacter("41142619900230123") }), // 10 30 February
      person(11, { idNumber: withCheckCharacter("41142620150307123") }), // 11 a child
      person(12, { mobile: "+86 139-1234-0012" }), // 12 +86, spaces, dashes
      person(13, { mobile: "0086 13912340013" }), // 13 0086
      person(14, { mobile: fullWidth("13912340014") }), // 14 full-width digits
      person(15, { mobile: "12345678901" }), // 15 not a mainland mobile
      person(16, { destination: "火星基地" }), // 16 unknown
      person(17, { destination: "朝阳区" }), // 17 ambiguous (Beijing, Changchun)
      person(18, { earliestDate: "2027-03-01", latestDate: "2027-03-02" }), // 18 outside the window
      person(19, { earliestDate: "2027-01-28", latestDate: "2027-01-25" }), // 19 latest before earliest
      person(20, { name: "A" }), // 20 not a name
      person(21, { idNumber: x }), // 21 the same person as row 2
      person(22, { destination: "411426", preference: "火车", group: "王家", remark: "带小孩" }), // 22 code + optional fields
    ];
    const res = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists/validate`, { key: fx.keys.enterpriseA1.STAFF, body: { rows } });
    expect(res.status).toBe(200);
    expect(res.json.rowsTotal).toBe(22);
    expect(codesByRow(res.json)).toEqual({
      2: ["ID_DUPLICATE_IN_LIST"],
      5: ["ID_CHECKSUM"],
      6: ["ID_EXCEL_SCIENTIFIC"],
      7: ["ID_EXCEL_PRECISION"],
      8: ["ID_EXCEL_PRECISION"],
      9: ["ID_REGION"],
      10: ["ID_BIRTHDATE"],
      11: ["ID_AGE"],
      15: ["MOBILE_FORMAT"],
      16: ["DESTINATION_UNKNOWN"],
      17: ["DESTINATION_AMBIGUOUS"],
      18: ["DATE_OUTSIDE_WINDOW", "DATE_OUTSIDE_WINDOW"],
      19: ["DATE_ORDER"],
      20: [expect.stringMatching(/^NAME_/)],
      21: ["ID_DUPLICATE_IN_LIST"],
    });
    expect(res.json.validRows).toBe(22 - 15);
    for (const row of res.json.rejectedRows) {
      for (const error of row.errors) {
        expect(error.column).toBeTruthy();
        expect(error.message.zh).toMatch(/[\u4e00-\u9fa5]/);
        expect(error.message.en).toMatch(/[a-z]/);
      }
    }
    const ambiguous = res.json.rejectedRows.find((r: { row: number }) => r.row === 17).errors[0];
    expect(ambiguous.message.zh).toContain("北京");
    // The duplicate is named masked, never in full.
    expect(res.text).not.toContain(x);
    expect(res.text).toContain(`${x.slice(0, 6)}********${x.slice(-4)}`);
    expect(await database.db.ticketList.count()).toBe(0);
  });

  it("refuses a campaign of another city with 404 and a bad body with 400", async () => {
    expect((await call(app, "POST", `/v1/campaigns/${fx.city.id}/ticket-lists/validate`, { key: fx.keys.enterpriseA1.STAFF, body: { rows: [person(1)] } })).status).toBe(404);
    const bad = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists/validate`, { key: fx.keys.enterpriseA1.STAFF, body: { rows: [{ name: "x", unknownField: 1 }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe("VALIDATION_FAILED");
  });
});

describe("submitTicketList", () => {
  it("all-or-nothing (default): one bad row and nothing is stored, with the row-level report", async () => {
    const res = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, {
      key: fx.keys.enterpriseA1.STAFF,
      body: { rows: [person(100), person(101, { mobile: "1234" })] },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.json.code).toBe("TICKET_LIST_INVALID");
    expect(res.json.rejectedRows).toEqual([{ row: 2, errors: [expect.objectContaining({ field: "mobile", code: "MOBILE_FORMAT", column: "手机号" })] }]);
    expect(res.json.errors[0]).toMatchObject({ path: "rows[2].mobile", code: "MOBILE_FORMAT" });
    expect(await database.db.ticketList.count()).toBe(0);
    expect(await database.db.traveler.count()).toBe(0);
  });

  it("accept-valid stores the valid rows, returns the rejected ones, and shows numbers masked", async () => {
    const rows = [person(200), person(201), person(202, { destination: "火星" })];
    const res = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, {
      key: fx.keys.enterpriseA1.STAFF,
      body: { title: "盛虹第一批", mode: "ACCEPT_VALID", rows },
    });
    expect(res.status).toBe(201);
    expect(res.json.replayed).toBe(false);
    expect(res.json.acceptedRows).toBe(2);
    expect(res.json.rejectedRows.map((r: { row: number }) => r.row)).toEqual([3]);
    expect(res.json.list).toMatchObject({ status: "SUBMITTED", travelerCount: 2, title: "盛虹第一批", version: 1 });
    const list = await call(app, "GET", `/v1/ticket-lists/${res.json.list.id}`, { key: fx.keys.enterpriseA1.READ_ONLY });
    expect(list.status).toBe(200);
    expect(list.json.travelers).toHaveLength(2);
    const first = list.json.travelers[0];
    expect(first.idNumberMasked).toBe(`${rows[0]!.idNumber.slice(0, 6)}********${rows[0]!.idNumber.slice(-4)}`);
    expect(first.mobileMasked).toBe(`${rows[0]!.mobile.slice(0, 3)}****${rows[0]!.mobile.slice(-4)}`);
    expect(first.destination).toEqual({ code: "411426", name: expect.stringContaining("夏邑县") });
    for (const r of rows) {
      expect(list.text).not.toContain(r.idNumber);
      expect(list.text).not.toContain(r.mobile);
    }
    const stored = await database.db.traveler.findFirstOrThrow({ where: { listId: res.json.list.id, rowNumber: 1 } });
    expect(stored.idSealed).not.toContain(rows[0]!.idNumber);
    expect(stored.idHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is idempotent by Idempotency-Key and by content; a reused key with other content is 409", async () => {
    const body = { rows: [person(300), person(301)] };
    const key = fx.keys.enterpriseA2.STAFF;
    const first = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key, body, headers: { "idempotency-key": "batch-300" } });
    expect(first.status).toBe(201);
    const again = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key, body, headers: { "idempotency-key": "batch-300" } });
    expect(again.status).toBe(200);
    expect(again.json.replayed).toBe(true);
    expect(again.json.list.id).toBe(first.json.list.id);
    const sameContent = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key, body });
    expect(sameContent.status).toBe(200);
    expect(sameContent.json.list.id).toBe(first.json.list.id);
    const reused = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key, body: { rows: [person(302)] }, headers: { "idempotency-key": "batch-300" } });
    expect(reused.status).toBe(409);
    expect(reused.json.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await database.db.ticketList.count({ where: { orgId: fx.enterpriseA2.id } })).toBe(1);
    expect(await database.db.traveler.count({ where: { orgId: fx.enterpriseA2.id } })).toBe(2);
  });
});

describe("conflicts: the same person on two enterprises' lists", () => {
  let listA1: string;
  let listB1: string;
  const shared = person(400);

  it("are reported on submit, kept on both lists, and shown masked to both sides, their districts and the city", async () => {
    const a1 = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseA1.STAFF, body: { rows: [shared, person(401)] } });
    expect(a1.status).toBe(201);
    expect(a1.json.conflicts).toEqual([]);
    listA1 = a1.json.list.id;
    const b1 = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseB1.STAFF, body: { rows: [person(402), { ...shared, mobile: "13700000402" }] } });
    expect(b1.status).toBe(201);
    listB1 = b1.json.list.id;
    expect(b1.json.acceptedRows).toBe(2);
    expect(b1.json.conflicts).toHaveLength(1);
    const conflict = b1.json.conflicts[0];
    expect(conflict.idNumberMasked).toBe(`${shared.idNumber.slice(0, 6)}********${shared.idNumber.slice(-4)}`);
    const mine = conflict.sides.find((s: { orgId: string }) => s.orgId === fx.enterpriseB1.id);
    const theirs = conflict.sides.find((s: { orgId: string }) => s.orgId === fx.enterpriseA1.id);
    expect(mine).toMatchObject({ listId: listB1, rowNumber: 2, orgName: fx.enterpriseB1.name });
    expect(theirs).toMatchObject({ orgName: fx.enterpriseA1.name, listId: null, travelerId: null, name: null });
    expect(b1.text).not.toContain(shared.idNumber);

    const seen = async (key: string) => (await call(app, "GET", `/v1/campaigns/${campaignId}/traveler-conflicts`, { key })).json.items.length;
    expect(await seen(fx.keys.enterpriseA1.READ_ONLY)).toBe(1);
    expect(await seen(fx.keys.enterpriseB1.READ_ONLY)).toBe(1);
    expect(await seen(fx.keys.districtA.READ_ONLY)).toBe(1);
    expect(await seen(fx.keys.districtB.READ_ONLY)).toBe(1);
    expect(await seen(fx.keys.city.READ_ONLY)).toBe(1);
    expect(await seen(fx.keys.enterpriseA2.READ_ONLY)).toBe(0);
    const cityView = (await call(app, "GET", `/v1/campaigns/${campaignId}/traveler-conflicts`, { key: fx.keys.city.READ_ONLY })).json.items[0];
    expect(cityView.sides.every((s: { listId: string | null }) => s.listId !== null)).toBe(true);
    // Never dropped, never doubled: each list still holds the person once.
    const a1List = await call(app, "GET", `/v1/ticket-lists/${listA1}`, { key: fx.keys.enterpriseA1.READ_ONLY });
    expect(a1List.json.conflicts).toHaveLength(1);
    expect(a1List.json.travelers.filter((t: { idNumberMasked: string }) => t.idNumberMasked === conflict.idNumberMasked)).toHaveLength(1);
  });

  it("also flag the same person on two lists of one enterprise (two seats otherwise)", async () => {
    const again = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseA2.STAFF, body: { rows: [person(300), person(310)] } });
    expect(again.status).toBe(201);
    expect(again.json.conflicts).toHaveLength(1);
    expect(again.json.conflicts[0].sides.map((s: { orgId: string }) => s.orgId)).toEqual([fx.enterpriseA2.id, fx.enterpriseA2.id]);
    expect(again.json.conflicts[0].sides.every((s: { listId: string | null }) => s.listId !== null)).toBe(true);
    const withdrawn = await call(app, "POST", `/v1/ticket-lists/${again.json.list.id}/withdraw`, { key: fx.keys.enterpriseA2.STAFF });
    expect(withdrawn.status).toBe(200);
  });

  it("disappear when one side withdraws its list", async () => {
    const res = await call(app, "POST", `/v1/ticket-lists/${listB1}/withdraw`, { key: fx.keys.enterpriseB1.STAFF });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("WITHDRAWN");
    expect((await call(app, "GET", `/v1/campaigns/${campaignId}/traveler-conflicts`, { key: fx.keys.city.READ_ONLY })).json.items).toHaveLength(0);
    const changes = await database.db.travelerChange.findMany({ where: { listId: listB1 } });
    expect(changes).toEqual([expect.objectContaining({ action: "WITHDRAW", actorLabel: expect.any(String), actorOrgId: fx.enterpriseB1.id })]);
    expect(await database.db.traveler.count({ where: { listId: listB1, status: "ACTIVE" } })).toBe(0);
  });
});

describe("access by subtree", () => {
  let listId: string;
  beforeAll(async () => {
    const res = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseA1.STAFF, body: { rows: [person(500)] } });
    listId = res.json.list.id;
  });

  it("another enterprise and another district get 404; the own district and the city read it", async () => {
    expect((await call(app, "GET", `/v1/ticket-lists/${listId}`, { key: fx.keys.enterpriseA2.ADMIN })).status).toBe(404);
    expect((await call(app, "GET", `/v1/ticket-lists/${listId}`, { key: fx.keys.districtB.ADMIN })).status).toBe(404);
    expect((await call(app, "GET", `/v1/ticket-lists/${listId}`, { key: fx.keys.districtA.READ_ONLY })).status).toBe(200);
    expect((await call(app, "GET", `/v1/ticket-lists/${listId}`, { key: fx.keys.city.READ_ONLY })).status).toBe(200);
    expect((await call(app, "PATCH", `/v1/ticket-lists/${listId}`, { key: fx.keys.enterpriseA2.STAFF, body: { version: 1, remove: [] } })).status).toBe(404);
    expect((await call(app, "POST", `/v1/ticket-lists/${listId}/withdraw`, { key: fx.keys.enterpriseA2.STAFF })).status).toBe(404);
    const districtB = (await call(app, "GET", `/v1/ticket-lists?campaignId=${campaignId}`, { key: fx.keys.districtB.READ_ONLY })).json.items;
    expect(districtB.every((l: { orgId: string }) => l.orgId === fx.enterpriseB1.id)).toBe(true);
    const districtA = (await call(app, "GET", `/v1/ticket-lists?campaignId=${campaignId}`, { key: fx.keys.districtA.READ_ONLY })).json.items;
    expect(districtA.map((l: { id: string }) => l.id)).toContain(listId);
    expect((await call(app, "GET", "/v1/ticket-lists", { key: fx.keys.enterpriseA2.READ_ONLY })).json.items.map((l: { id: string }) => l.id)).not.toContain(listId);
  });

  it("a district or the city cannot submit (403); no credentials is 401", async () => {
    expect((await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.districtA.ADMIN, body: { rows: [person(501)] } })).status).toBe(403);
    expect((await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { body: { rows: [person(501)] } })).status).toBe(401);
  });
});

describe("amendTicketList", () => {
  let listId: string;
  const rows = [person(600), person(601), person(602)];
  beforeAll(async () => {
    const res = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseA1.STAFF, body: { rows } });
    listId = res.json.list.id;
  });
  const travelers = async () => (await call(app, "GET", `/v1/ticket-lists/${listId}?includeRemoved=true`, { key: fx.keys.enterpriseA1.READ_ONLY })).json;

  it("adds, removes and changes travellers, records each change with who and when, and bumps the version", async () => {
    const before = await travelers();
    const [t1, t2] = before.travelers;
    const res = await call(app, "PATCH", `/v1/ticket-lists/${listId}`, {
      key: fx.keys.enterpriseA1.STAFF,
      body: { version: 1, remove: [t1.id], change: [{ travelerId: t2.id, mobile: "13655556666", destination: "四川省南充市" }], add: [person(603)] },
    });
    expect(res.status).toBe(200);
    expect(res.json.version).toBe(2);
    expect(res.json.travelerCount).toBe(3);
    const changed = res.json.travelers.find((t: { id: string }) => t.id === t2.id);
    expect(changed.mobileMasked).toBe("136****6666");
    expect(changed.destination.code).toBe("511300");
    expect(res.json.travelers.map((t: { rowNumber: number }) => t.rowNumber)).toEqual([2, 3, 4]);
    const changes = await database.db.travelerChange.findMany({ where: { listId }, orderBy: { id: "asc" } });
    expect(changes.map((c) => c.action)).toEqual(["REMOVE", "CHANGE", "ADD"]);
    for (const c of changes) {
      expect(c.actorLabel).toBeTruthy();
      expect(c.actorOrgId).toBe(fx.enterpriseA1.id);
      expect(c.at).toBeInstanceOf(Date);
    }
    expect(changes[1]!.details).toMatchObject({ fields: expect.arrayContaining(["mobileMasked", "destination"]), after: { mobileMasked: "136****6666" } });
    expect(JSON.stringify(changes.map((c) => c.details))).not.toContain("13655556666");
    // Nobody had a seat yet: no allocation change requests.
    expect(await database.db.allocationChangeRequest.count()).toBe(0);
  });

  it("refuses a stale version with 409 and invalid changes with row-level 400s", async () => {
    const stale = await call(app, "PATCH", `/v1/ticket-lists/${listId}`, { key: fx.keys.enterpriseA1.STAFF, body: { version: 1, add: [person(604)] } });
    expect(stale.status).toBe(409);
    expect(stale.json.code).toBe("VERSION_CONFLICT");
    const current = await travelers();
    const active = current.travelers.filter((t: { status: string }) => t.status === "ACTIVE");
    const invalid = await call(app, "PATCH", `/v1/ticket-lists/${listId}`, {
      key: fx.keys.enterpriseA1.STAFF,
      body: { version: current.version, change: [{ travelerId: active[0].id, earliestDate: "2027-05-01" }], add: [rows[2]] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`).sort()).toEqual(
      ["body.add.0.idNumber:ID_DUPLICATE_IN_LIST", "body.change.0.earliestDate:DATE_OUTSIDE_WINDOW", "body.change.0.latestDate:DATE_ORDER"].sort(),
    );
    expect((await travelers()).version).toBe(current.version);
  });

  it("a change to a traveller with a published seat, or on an allocated list, becomes an allocation change request", async () => {
    const current = await travelers();
    const seated = current.travelers.find((t: { status: string }) => t.status === "ACTIVE");
    const run = await database.db.allocationRun.create({ data: { campaignId, seq: 1, status: "PUBLISHED", parameters: {} } });
    const vehicle = await database.db.vehicle.create({
      data: { runId: run.id, capacityId: run.id, campaignId, mode: "BUS", label: "苏A-1", departureAt: new Date("2027-01-25T08:00:00+08:00"), route: [], seatsTotal: 50, seatsUsed: 1 },
    });
    await database.db.assignment.create({
      data: { runId: run.id, vehicleId: vehicle.id, travelerId: seated.id, campaignId, orgId: fx.enterpriseA1.id, seat: "1", dropStop: 0, dropRegionCode: "411426" },
    });
    const res = await call(app, "PATCH", `/v1/ticket-lists/${listId}`, { key: fx.keys.enterpriseA1.STAFF, body: { version: current.version, change: [{ travelerId: seated.id, latestDate: "2027-02-01" }] } });
    expect(res.status).toBe(200);
    const requests = await database.db.allocationChangeRequest.findMany();
    expect(requests).toEqual([expect.objectContaining({ travelerId: seated.id, kind: "CHANGED", source: "amend", campaignId })]);

    await database.db.ticketList.update({ where: { id: listId }, data: { status: "ALLOCATED" } });
    const added = await call(app, "PATCH", `/v1/ticket-lists/${listId}`, { key: fx.keys.enterpriseA1.STAFF, body: { version: res.json.version, add: [person(605)] } });
    expect(added.status).toBe(200);
    expect((await database.db.allocationChangeRequest.findMany({ orderBy: { id: "asc" } })).map((r) => r.kind)).toEqual(["CHANGED", "ADDED"]);
  });
});

describe("privileged reads and the template", () => {
  it("city-union admins read full numbers, and every read is audited with masked values only", async () => {
    const p = person(700);
    const sub = await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseA2.STAFF, body: { rows: [p] } });
    const list = await call(app, "GET", `/v1/ticket-lists/${sub.json.list.id}`, { key: fx.keys.city.ADMIN });
    const travelerId = list.json.travelers[0].id;
    const read = await call(app, "GET", `/v1/travelers/${travelerId}/identity`, { key: fx.keys.city.ADMIN, headers: { "x-request-id": "identity-read-1" } });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ idNumber: p.idNumber, mobile: `+86${p.mobile}` });
    const audit = await database.db.auditEntry.findMany({ where: { action: "traveler.identity_read", entityId: travelerId } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorOrgId: fx.city.id, requestId: "identity-read-1" });
    expect(JSON.stringify(audit[0]!.details)).not.toContain(p.idNumber);
    expect((await call(app, "GET", `/v1/travelers/${travelerId}/identity`, { key: fx.keys.city.STAFF })).status).toBe(403);
    expect((await call(app, "GET", `/v1/travelers/${travelerId}/identity`, { key: fx.keys.enterpriseA2.ADMIN })).status).toBe(403);
    expect((await call(app, "GET", `/v1/travelers/${travelerId}/identity`, { key: fx.keys.districtA.ADMIN })).status).toBe(403);
  });

  it("the template is an .xlsx whose header row intake recognises, dated to the campaign", async () => {
    const res = await app.request(`/v1/ticket-list-template.xlsx?campaignId=${campaignId}`, { headers: { authorization: `Bearer ${fx.keys.enterpriseA1.READ_ONLY}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("spreadsheetml");
    const bytes = new Uint8Array(await res.arrayBuffer());
    const rows = [];
    for await (const row of readXlsxRows(bytes)) rows.push(row);
    const mapped = mapHeaders(rows[0]!.record);
    expect(mapped.ok && Object.keys(mapped.mapping.columnByField).sort()).toEqual([...CANONICAL_FIELDS].sort());
    // The example row is there, and intake recognises it as the example rather than a person.
    expect(rows).toHaveLength(2);
  });
});
