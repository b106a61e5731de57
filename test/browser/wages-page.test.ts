// The 欠薪案件 page in headless Chromium: a district-union officer logs in, registers a case through
// the form (a bad USCC first, refused with the reason), accepts it and starts investigating, records
// a payment through the form and sees the new recovered amount on the case and in the list's
// totals; the overdue filter and the district filter narrow the list. The screenshot is kept in
// test/artifacts/wages-page.png.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, call, createCityFixture, type CityFixture } from "../helpers/app.ts";
import { launchBrowser, serveApp, type ServedApp } from "../helpers/browser.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

let database: TestDatabase;
let fx: CityFixture;
let served: ServedApp;
let browser: Browser;
const artifacts = path.resolve("test/artifacts");

beforeAll(async () => {
  database = await createTestDatabase();
  const app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  const campaign = await call(app, "POST", "/v1/campaigns", {
    key: fx.keys.city.STAFF,
    body: { name: "2027年春节农民工平安返乡", year: 2027, originRegionCode: "320500", holidayDate: "2027-02-06", departureWindow: { start: "2027-01-20", end: "2027-02-04" }, paidBeforeDate: "2027-01-18" },
  });
  expect(campaign.status).toBe(201);
  served = await serveApp(app);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await database?.drop();
});

async function submit(page: Page, form: string) {
  await Promise.all([page.waitForURL(/(msg|error)=/), page.click(`${form} button[type=submit]`)]);
}

describe("wage-cases page", () => {
  it("registers a case, moves it on, records a payment and shows the new recovered amount", async () => {
    const page = await browser.newPage({ locale: "zh-CN" });
    await page.goto(`${served.baseUrl}/app/wages`);
    expect(page.url()).toContain("/login");
    await page.fill("#username", "districta-staff");
    await page.fill("#password", fx.password);
    await Promise.all([page.waitForURL(/\/app\/wages/), page.click("button[type=submit].primary")]);
    await expect(page.textContent("h2")).resolves.toContain("追讨欠薪案件");

    const fillCase = async (uscc: string) => {
      await page.selectOption("#source", "WALK_IN");
      await page.fill("#employerName", "吴江某建筑劳务有限公司");
      await page.fill("#employerUscc", uscc);
      await page.fill("#employerAddress", "苏州市吴江区松陵镇");
      await page.selectOption("#districtCode", "320509");
      await page.fill("#workersCount", "12");
      await page.fill("#migrantCount", "10");
      await page.fill("#owedYuan", "86,400.50");
      await page.fill("#periodFrom", "2026-08-01");
      await page.fill("#periodTo", "2026-11-30");
      await page.fill("#notes", "12 名工人 8 月以来工资未发");
    };
    await fillCase("914403001922038217");
    await submit(page, "#create-form");
    await expect(page.textContent("[role=alert]")).resolves.toContain("校验码不符");

    await fillCase("914403001922038216");
    await Promise.all([page.waitForURL(/\/app\/wages\/[0-9a-f-]{36}\?msg=/), page.click("#create-form button[type=submit]")]);
    await expect(page.textContent("[role=status]")).resolves.toMatch(/已登记，案号 QX2027-\d{6}/);
    await expect(page.textContent("#case-status")).resolves.toBe("已登记");
    await expect(page.textContent("#case-outstanding")).resolves.toBe("86400.50 元");

    await page.selectOption("#to", "ACCEPTED");
    await submit(page, "#transition-form");
    await expect(page.textContent("#case-status")).resolves.toBe("已受理");
    await page.selectOption("#to", "INVESTIGATING");
    await submit(page, "#transition-form");
    await expect(page.textContent("#case-status")).resolves.toBe("调查核实中");

    // More than owed is refused with the reason, and nothing is recorded.
    const pay = async (amount: string, workers: string, migrants: string) => {
      await page.fill("#amountYuan", amount);
      await page.fill("#paidOn", "2026-12-10");
      await page.fill("#workersPaid", workers);
      await page.fill("#migrantWorkersPaid", migrants);
      await page.selectOption("#method", "BANK_TRANSFER");
      await submit(page, "#recovery-form");
    };
    await pay("90000", "10", "10");
    await expect(page.textContent("[role=alert]")).resolves.toContain("超出欠薪金额");
    await expect(page.textContent("#case-recovered")).resolves.toBe("0.00 元");

    await page.fill("#migrantAmountYuan", "40000.25");
    await pay("50,000.25", "7", "5");
    await expect(page.textContent("[role=status]")).resolves.toContain("已登记追回款项");
    await expect(page.textContent("#case-recovered")).resolves.toBe("50000.25 元");
    await expect(page.textContent("#case-outstanding")).resolves.toBe("36400.25 元");
    await expect(page.textContent("#case-status")).resolves.toBe("部分追回");
    const timeline = await page.textContent("#timeline");
    expect(timeline).toContain("记录追回款项");
    expect(timeline).toContain("状态变更：已受理");

    await page.selectOption("#kind", "PHONE_CALL");
    await page.fill("#event-note", "已电话督促项目部本周内结清");
    await submit(page, "#event-form");
    await expect(page.textContent("#timeline")).resolves.toContain("已电话督促项目部本周内结清");
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "wages-page.png"), fullPage: true });

    await page.goto(`${served.baseUrl}/app/wages`);
    await expect(page.textContent("#figure-recovered")).resolves.toBe("5.00 万元");
    const rows = await page.$$eval("#cases tbody tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("50000.25");
    expect(rows[0]).toContain("部分追回");

    // Filters: nothing is overdue today, and the status filter narrows the list.
    await page.check("input[name=overdue]");
    await Promise.all([page.waitForURL(/overdue=true/), page.click("#filters button[type=submit]")]);
    expect(await page.$$("#cases tbody tr")).toHaveLength(0);
    await page.uncheck("input[name=overdue]");
    await page.selectOption("#status", "REGISTERED");
    await Promise.all([page.waitForURL(/status=REGISTERED/), page.click("#filters button[type=submit]")]);
    expect(await page.$$("#cases tbody tr")).toHaveLength(0);
    await page.close();
  });
});
