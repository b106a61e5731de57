// The 团体名单 page in headless Chromium: an enterprise-union staff member logs in, uploads a real
// GBK-encoded CSV through the page (accept-valid, one bad row), watches the import finish (run by
// the intake worker), sees the row error, opens the list, removes one traveller and changes
// another's mobile. The screenshot is kept in test/artifacts/intake-page.png.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { runWorkers, type RunningWorkers } from "../../workers/run-workers.ts";
import { buildTestApp, createCityFixture, testConfig, type CityFixture } from "../helpers/app.ts";
import { launchBrowser, serveApp, type ServedApp } from "../helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { createCampaign, gbkCsv, person } from "../fixtures/intake/lists.ts";

let database: TestDatabase;
let fx: CityFixture;
let served: ServedApp;
let browser: Browser;
let workers: RunningWorkers;
const config = testConfig({ OUTBOX_POLL_MS: "200" });
const artifacts = path.resolve("test/artifacts");

beforeAll(async () => {
  database = await createTestDatabase();
  const app = buildTestApp(database.db, {}, config);
  fx = await createCityFixture(database.db);
  await createCampaign(app, fx.keys.city.STAFF);
  served = await serveApp(app);
  workers = await runWorkers({ config, log: createLogger("silent"), databaseUrl: database.url, redisUrl: inject("redisUrl"), prefix: `b${randomBytes(4).toString("hex")}`, queues: ["intake"] });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await workers?.stop();
  await served?.close();
  await database?.drop();
});

describe("intake page", () => {
  it("logs in, uploads a GBK CSV, shows progress and row errors, and amends the list", async () => {
    const rows = [person(1, { name: "欧阳·娜娜" }), person(2, { name: "张伟" }), person(3, { name: "李静", mobile: "12345" }), person(4, { name: "王芳" })];
    const page = await browser.newPage({ locale: "zh-CN" });
    await page.goto(`${served.baseUrl}/app/lists`);
    expect(page.url()).toContain("/login");
    await page.fill("#username", "enterprisea1-staff");
    await page.fill("#password", fx.password);
    await Promise.all([page.waitForURL(/\/app\/lists/), page.click("button[type=submit].primary")]);
    await expect(page.textContent("h2")).resolves.toContain("团体名单");

    const templateHref = await page.getAttribute("#template-link", "href");
    const template = await page.request.get(`${served.baseUrl}${templateHref}`);
    expect(template.status()).toBe(200);
    expect(template.headers()["content-type"]).toContain("spreadsheetml");

    await page.setInputFiles("#file", { name: "返乡名单.csv", mimeType: "text/csv", buffer: Buffer.from(gbkCsv(rows)) });
    await page.fill("#title", "一车间返乡名单");
    await page.selectOption("#mode", "ACCEPT_VALID");
    await Promise.all([page.waitForURL(/\/app\/imports\//), page.click("#upload-form button[type=submit]")]);
    await page.waitForSelector('#import[data-status="SUCCEEDED"]', { timeout: 60_000 });
    await expect(page.textContent("#rows-committed")).resolves.toBe("3");
    await expect(page.textContent("#error-count")).resolves.toBe("1");
    const errorsTable = await page.textContent("#row-errors");
    expect(errorsTable).toContain("4"); // row 4 of the file (the header is row 1)
    expect(errorsTable).toContain("手机号");

    await Promise.all([page.waitForURL(/\/app\/lists\/[0-9a-f-]+$/), page.click("text=查看名单")]);
    const names = await page.$$eval("#travelers tbody tr td:nth-child(2)", (cells) => cells.map((c) => c.textContent));
    expect(names).toEqual(["欧阳·娜娜", "张伟", "王芳"]);
    const html = await page.content();
    for (const r of rows) {
      expect(html).not.toContain(r.idNumber);
      expect(html).not.toContain(String(r.mobile));
    }
    expect(html).toContain(`${rows[0]!.idNumber.slice(0, 6)}********${rows[0]!.idNumber.slice(-4)}`);

    await Promise.all([page.waitForURL(/msg=/), page.click("#travelers tbody tr:nth-child(2) button.remove")]);
    await expect(page.textContent("#traveler-count")).resolves.toBe("2");

    await page.selectOption("#travelerId", { index: 0 });
    await page.fill("#c-mobile", "13655556666");
    await Promise.all([page.waitForURL(/msg=/), page.click("#change-form button[type=submit]")]);
    await expect(page.textContent(".notice")).resolves.toContain("已保存修改");
    await expect(page.textContent("#travelers tbody tr:nth-child(1)")).resolves.toContain("136****6666");

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "intake-page.png"), fullPage: true });
    const changes = await database.db.travelerChange.findMany({ orderBy: { id: "asc" } });
    expect(changes.map((c) => [c.action, c.actorLabel])).toEqual([
      ["REMOVE", expect.stringContaining("enterprisea1-staff")],
      ["CHANGE", expect.stringContaining("enterprisea1-staff")],
    ]);
    await page.close();
  }, 180_000);
});
