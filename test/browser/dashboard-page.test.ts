// The 平安返乡 dashboard in headless Chromium: the city union logs in, every number on the page
// equals getHomewardTotals' (tiles, bars by mode, departures by day, the district table), the board
// refreshes itself when the records change, a district sees its own subtree, and the page fits a
// phone. Screenshots are kept in test/artifacts/dashboard.png and dashboard-phone.png.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, call, createCityFixture, type CityFixture, type TestApp } from "../helpers/app.ts";
import { launchBrowser, serveApp, type ServedApp } from "../helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { publishRun, seedAssignment, seedCampaign, seedRun, seedTravelers, seedVehicle, seedWageCase, seedWagePayment } from "../integration/totals-seed.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let served: ServedApp;
let browser: Browser;
let campaignId: string;
const vehicles: string[] = [];
const artifacts = path.resolve("test/artifacts");

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  const db = database.db;
  campaignId = await seedCampaign(db, fx.city.id);
  const run = await seedRun(db, campaignId, 1);
  const plan: [string, "BUS" | "SPECIAL_TRAIN" | "RESERVED_CARRIAGE" | "FLIGHT", string, number][] = [
    [fx.enterpriseA1.id, "BUS", "2027-01-24T07:00:00+08:00", 40],
    [fx.enterpriseA2.id, "BUS", "2027-01-25T07:00:00+08:00", 35],
    [fx.enterpriseB1.id, "SPECIAL_TRAIN", "2027-01-26T20:00:00+08:00", 60],
    [fx.enterpriseA1.id, "RESERVED_CARRIAGE", "2027-01-27T09:00:00+08:00", 20],
    [fx.enterpriseB1.id, "FLIGHT", "2027-01-28T10:00:00+08:00", 6],
  ];
  let seat = 0;
  for (const [i, [orgId, mode, at, n]] of plan.entries()) {
    const vehicle = await seedVehicle(db, run, campaignId, mode, at, `${mode}-${i + 1}`);
    vehicles.push(vehicle);
    for (const t of await seedTravelers(db, campaignId, orgId, n)) {
      await seedAssignment(db, { runId: run, vehicleId: vehicle, travelerId: t, campaignId, orgId, seat: String(++seat), car: mode === "RESERVED_CARRIAGE" ? `0${(seat % 2) + 1}` : "" });
    }
  }
  await publishRun(db, campaignId, run);
  await db.$executeRawUnsafe(`UPDATE vehicles SET departed_at = departure_at WHERE id = ANY($1::uuid[])`, vehicles.slice(0, 2));
  await db.$executeRawUnsafe(`UPDATE assignments SET boarded_at = now() WHERE vehicle_id = $1::uuid AND seat::int % 2 = 0`, vehicles[0]!);
  const wageCase = await seedWageCase(db, { campaignId, orgId: fx.enterpriseA2.id, caseNo: "QX2027-000101", workers: 12, migrantWorkers: 10, owedFen: 38_000_000n });
  await seedWagePayment(db, { caseId: wageCase, amountFen: 31_250_050n, paidOn: "2027-01-15", workersPaid: 12, migrantWorkersPaid: 10, migrantAmountFen: 26_000_000n });

  served = await serveApp(app);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await database?.drop();
});

async function login(page: Page, username: string, target: string) {
  await page.goto(`${served.baseUrl}${target}`);
  expect(page.url()).toContain("/login");
  await page.fill("#username", username);
  await page.fill("#password", fx.password);
  await Promise.all([page.waitForURL(/\/app\/dashboard/), page.click("button[type=submit].primary")]);
}

const figure = (page: Page, id: string) => page.getAttribute(`[data-figure="${id}"]`, "data-value");

describe("dashboard page", () => {
  it("shows the city's numbers exactly as getHomewardTotals, and refreshes itself", async () => {
    const page = await browser.newPage({ locale: "zh-CN", viewport: { width: 1600, height: 1000 } });
    await login(page, "city-read_only", "/app/dashboard?refresh=2");
    const api = (await call(app, "GET", `/v1/totals?campaignId=${campaignId}`, { key: fx.keys.city.READ_ONLY })).json;
    expect(api.figures["10A"].persons).toEqual({ allocated: 161, departed: 75, boarded: 20 });

    expect(await figure(page, "10A.allocated")).toBe(String(api.figures["10A"].persons.allocated));
    expect(await figure(page, "10A.departed")).toBe(String(api.figures["10A"].persons.departed));
    expect(await figure(page, "10A.boarded")).toBe(String(api.figures["10A"].persons.boarded));
    const vehicleSum = api.byMode.filter((m: { mode: string }) => m.mode !== "GROUP_TICKET").reduce((s: number, m: { vehicles: { allocated: number } }) => s + m.vehicles.allocated, 0);
    expect(await figure(page, "vehicles.allocated")).toBe(String(vehicleSum));
    expect(await figure(page, "08C.amountWanYuan")).toBe(api.figures["08C"].amountWanYuan);
    expect(await figure(page, "08C.workers")).toBe(String(api.figures["08C"].workers));
    expect(await figure(page, "08C.migrantAmountWanYuan")).toBe(api.figures["08C"].migrantAmountWanYuan);
    // The visible text is the same number, formatted.
    expect(await page.textContent(`[data-figure="10A.allocated"]`)).toBe(api.figures["10A"].persons.allocated.toLocaleString("en-US"));
    expect(await page.textContent(`[data-figure="08C.amountWanYuan"]`)).toBe("31.25");

    for (const m of api.byMode) expect(await page.getAttribute(`text[data-mode="${m.mode}"]`, "data-value")).toBe(String(m.persons.allocated));
    for (const d of api.byDay) expect(await page.getAttribute(`circle[data-day="${d.date}"]`, "data-value")).toBe(String(d.persons.departed));
    for (const o of api.byOrganisation) {
      const cells = await page.$$eval(`tr[data-org="${o.id}"] td.n span[data-value]`, (els) => els.map((e) => e.getAttribute("data-value")));
      expect(cells).toEqual([o.persons.allocated, o.persons.departed, o.persons.boarded, o.vehicles.allocated, o.wages.amountWanYuan, o.wages.workers].map(String));
    }
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "dashboard.png"), fullPage: true });

    // A vehicle leaves: the board picks it up by itself, without a reload.
    await database.db.$executeRawUnsafe(`UPDATE vehicles SET departed_at = now() WHERE id = $1::uuid`, vehicles[2]!);
    await page.waitForFunction(() => document.querySelector('[data-figure="10A.departed"]')?.getAttribute("data-value") === "135", undefined, { timeout: 20_000 });
    const after = (await call(app, "GET", `/v1/totals?campaignId=${campaignId}`, { key: fx.keys.city.READ_ONLY })).json;
    expect(after.figures["10A"].persons.departed).toBe(135);
    await page.close();
  });

  it("a district sees its subtree; the page fits a phone", async () => {
    const page = await browser.newPage({ locale: "zh-CN", viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await login(page, "districta-staff", "/app/dashboard");
    const api = (await call(app, "GET", `/v1/totals?campaignId=${campaignId}`, { key: fx.keys.districtA.READ_ONLY })).json;
    expect(api.organisation.id).toBe(fx.districtA.id);
    expect(await figure(page, "10A.allocated")).toBe(String(api.figures["10A"].persons.allocated));
    expect(api.figures["10A"].persons.allocated).toBe(95);
    const rows = await page.$$eval("tr[data-org]", (els) => els.map((e) => e.getAttribute("data-org")));
    expect(rows.sort()).toEqual([fx.enterpriseA1.id, fx.enterpriseA2.id].sort());
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(artifacts, "dashboard-phone.png"), fullPage: true });
    // Another district's board is not reachable by changing the URL.
    const res = await page.request.get(`${served.baseUrl}/app/dashboard?orgId=${fx.districtB.id}`);
    expect(res.status()).toBe(404);
    await page.close();
  });
});
