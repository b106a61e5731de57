// PIPL: a full run (submit, file import with rejected rows, amend, reads, the audited full read)
// with the app's logger at debug level, then every row of every table dumped as JSON text: no
// plaintext ID number or mobile (18-digit, 11-digit, +86…, 0086…) in the dump, the logs, or any
// response other than the privileged read.
import { Writable } from "node:stream";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactedPaths } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { runImport } from "../../src/services/intake/imports.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp } from "../helpers/app.ts";
import { createCampaign, gbkCsv, person, upload } from "../fixtures/intake/lists.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});
// The app's logger configuration (src/logger.ts), at debug level, written into a buffer.
const log = pino(
  { level: "debug", base: { service: "homeward" }, redact: { paths: redactedPaths, censor: "[redacted]" }, formatters: { level: (label) => ({ level: label }) } },
  sink,
);
const config = testConfig({ LOG_LEVEL: "debug" });

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db, { log }, config);
  fx = await createCityFixture(database.db);
});
afterAll(async () => database.drop());

describe("personal data never leaves in clear", () => {
  it("a full run leaves no plaintext ID number or mobile in any table, log line or ordinary response", async () => {
    const campaignId = await createCampaign(app, fx.keys.city.STAFF);
    const responses: string[] = [];
    const keep = <T extends { text: string }>(res: T) => (responses.push(res.text), res);
    const submitted = [person(1), person(2, { mobile: "+86 139-0000-0002" }), person(3, { mobile: "0086 13900000003" }), person(4, { idNumber: "4.11426E+17" })];
    const imported = [person(10), person(11), person(12, { mobile: "13900000012" }), person(13, { destination: "火星" })];
    const added = person(20);
    const changedMobile = "13611112222";

    const sub = keep(await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseA1.STAFF, body: { mode: "ACCEPT_VALID", rows: submitted } }));
    expect(sub.status).toBe(201);
    // The same person on another enterprise's list: a conflict, reported masked.
    keep(await call(app, "POST", `/v1/campaigns/${campaignId}/ticket-lists`, { key: fx.keys.enterpriseB1.STAFF, body: { rows: [person(1, { mobile: "13700000001" })] } }));
    const up = keep(await upload(app, `/v1/campaigns/${campaignId}/ticket-lists/imports`, fx.keys.enterpriseA2.STAFF, gbkCsv(imported), { mode: "ACCEPT_VALID" }));
    expect(up.status).toBe(202);
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      await runImport({ db: database.db, log, pii: piiVaultFromConfig(config) }, up.json.job.id, { pool });
    } finally {
      await pool.end();
    }
    keep(await call(app, "GET", `/v1/imports/${up.json.job.id}`, { key: fx.keys.enterpriseA2.STAFF }));
    const list = keep(await call(app, "GET", `/v1/ticket-lists/${sub.json.list.id}`, { key: fx.keys.enterpriseA1.STAFF }));
    const [first, second] = list.json.travelers;
    const amended = keep(
      await call(app, "PATCH", `/v1/ticket-lists/${sub.json.list.id}`, {
        key: fx.keys.enterpriseA1.STAFF,
        body: { version: list.json.version, change: [{ travelerId: first.id, mobile: changedMobile }], remove: [second.id], add: [added, person(21, { mobile: "12345" })] },
      }),
    );
    expect(amended.status).toBe(400); // the bad added row: nothing of this amend is kept …
    const ok = keep(
      await call(app, "PATCH", `/v1/ticket-lists/${sub.json.list.id}`, {
        key: fx.keys.enterpriseA1.STAFF,
        body: { version: list.json.version, change: [{ travelerId: first.id, mobile: changedMobile }], remove: [second.id], add: [added] },
      }),
    );
    expect(ok.status).toBe(200);
    for (const key of [fx.keys.city.READ_ONLY, fx.keys.districtA.READ_ONLY, fx.keys.enterpriseB1.READ_ONLY]) {
      keep(await call(app, "GET", `/v1/campaigns/${campaignId}/traveler-conflicts`, { key }));
      keep(await call(app, "GET", `/v1/ticket-lists?campaignId=${campaignId}`, { key }));
    }
    // The privileged read returns full numbers (by design) and is audited; its response is not kept.
    const identity = await call(app, "GET", `/v1/travelers/${first.id}/identity`, { key: fx.keys.city.ADMIN });
    expect(identity.json.idNumber).toBe(submitted[0]!.idNumber);
    expect(await database.db.auditEntry.count({ where: { action: "traveler.identity_read" } })).toBe(1);

    const ids = [...submitted, ...imported, added].map((p) => String(p.idNumber)).filter((id) => /^\d{17}[\dX]$/.test(id));
    const mobiles = [...submitted, ...imported, added, { mobile: "13700000001" }, { mobile: changedMobile }].map((p) => String(p.mobile).replace(/\D/g, "").slice(-11));
    const forbidden = [...ids, ...mobiles, ...mobiles.map((m) => `+86${m}`), ...mobiles.map((m) => `0086${m}`), "139-0000-0002"];
    expect(ids.length).toBeGreaterThanOrEqual(8);

    const tables = await database.db.$queryRawUnsafe<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const dump: string[] = [];
    for (const { table_name } of tables) {
      const rows = await database.db.$queryRawUnsafe<{ j: string }[]>(`SELECT row_to_json(t)::text AS j FROM "${table_name}" t`);
      for (const row of rows) dump.push(row.j);
    }
    const dumpText = dump.join("\n");
    expect(dumpText).toContain(`${submitted[0]!.idNumber.slice(0, 6)}********`); // the data is there, masked
    expect(dump.length).toBeGreaterThan(50);
    const logText = logLines.join("");
    for (const line of ["ticket list submitted", "import queued", "import batch committed", "import finished"]) expect(logText).toContain(line);
    const responseText = responses.join("\n");
    for (const value of forbidden) {
      expect(dumpText.includes(value), `dump contains ${value.slice(0, 4)}…`).toBe(false);
      expect(logText.includes(value), `logs contain ${value.slice(0, 4)}…`).toBe(false);
      expect(responseText.includes(value), `a response contains ${value.slice(0, 4)}…`).toBe(false);
    }
  });
});
