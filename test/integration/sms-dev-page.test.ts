// /dev/sms with the console provider: the worker's inbox as a phone shows it (masked), a simulated
// reply handled by the same inbound service as Twilio's webhook, city-union admins only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { createSmsProvider } from "../../src/services/sms/providers.ts";
import { writePublishNotifications } from "../../src/services/sms/publish-notifications.ts";
import { sendNotification } from "../../src/services/sms/send.ts";
import { buildTestApp, createCityFixture, testConfig, type CityFixture, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { createSmsWorld, publishRun, type SmsWorld } from "./sms-fixture.ts";

let database: TestDatabase;
let fx: CityFixture;
let app: TestApp;
let w: SmsWorld;
let runId: string;
const config = testConfig({ SMS_QUIET_HOURS: "00:00-00:00" });
const pii = piiVaultFromConfig(config);

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createCityFixture(database.db);
  app = buildTestApp(database.db, {}, config);
  w = await createSmsWorld(database.db, pii, { cityId: fx.city.id, enterpriseId: fx.enterpriseA1.id, operatorId: fx.operator.id, travelers: 2, mobiles: ["+8613812345678", "+8613812340000"] });
  runId = (await publishRun(database.db, w, { departureAt: new Date(Date.now() + 3 * 86_400_000), seats: new Map(w.travelers.map((t, i) => [t.id, String(i + 1)])) })).runId;
  await database.db.$transaction((tx) => writePublishNotifications(tx, { pii, config }, runId));
  const provider = createSmsProvider(config, { db: database.db, pii });
  expect(provider.name).toBe("console");
  for (const n of await database.db.notification.findMany({ where: { runId, kind: "DEPARTURE" } })) {
    expect((await sendNotification({ db: database.db, log: createLogger("silent"), pii, config, provider }, n.id)).outcome).toBe("sent");
  }
});
afterAll(async () => database?.drop());

async function session(username: string) {
  const page = await app.request("/login");
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const loginCookie = page.headers.getSetCookie().find((c) => c.startsWith("hw_login_csrf="))!.split(";")[0]!;
  const res = await app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: loginCookie },
    body: new URLSearchParams({ username, password: fx.password, csrf, next: "/" }).toString(),
  });
  expect(res.status).toBe(303);
  return res.headers.getSetCookie().find((c) => c.startsWith("hw_session="))!.split(";")[0]!;
}

describe("/dev/sms", () => {
  it("shows each worker's inbox with the number masked, and the console provider delivered at once", async () => {
    const cookie = await session("city-admin");
    const res = await app.request("/dev/sms", { headers: { cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("138****5678");
    expect(html).toContain("138****0000");
    expect(html).not.toContain("13812345678");
    expect(html).toContain("返乡：");
    const rows = await database.db.notification.findMany({ where: { runId, kind: "DEPARTURE" } });
    expect(rows.every((r) => r.status === "DELIVERED" && r.provider === "console" && r.providerSid?.startsWith("CO"))).toBe(true);
  });

  it("a simulated 1 confirms the seat through the inbound service and the answer appears in the inbox", async () => {
    const cookie = await session("city-admin");
    const html = await (await app.request("/dev/sms", { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const key = /name="key" value="([0-9a-f]{64})"/.exec(html.slice(html.indexOf("138****5678")))![1]!;
    const res = await app.request("/dev/sms/reply", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, key, body: "1" }).toString(),
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("已确认您的座位");
    const seat = await database.db.assignment.findFirstOrThrow({ where: { runId, travelerId: w.travelers[0]!.id } });
    expect(seat.confirmedAt).not.toBeNull();
    // Without the CSRF token the form is refused.
    const forged = await app.request("/dev/sms/reply", { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrf: "x", key, body: "2" }).toString() });
    expect(forged.status).toBe(403);
    expect((await database.db.assignment.findFirstOrThrow({ where: { runId, travelerId: w.travelers[0]!.id } })).status).toBe("ASSIGNED");
  });

  it("is for city-union admins only, and absent when Twilio is configured", async () => {
    const staff = await session("city-staff");
    expect((await app.request("/dev/sms", { headers: { cookie: staff } })).status).toBe(403);
    const enterprise = await session("enterprisea1-admin");
    expect((await app.request("/dev/sms", { headers: { cookie: enterprise } })).status).toBe(403);
    expect((await app.request("/dev/sms")).headers.get("location")).toBe("/login?next=%2Fdev%2Fsms");
    const twilioApp = buildTestApp(database.db, {}, testConfig({ TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`, TWILIO_AUTH_TOKEN: "x".repeat(32), TWILIO_FROM: "+15005550006" }));
    const admin = await session("city-admin");
    expect((await twilioApp.request("/dev/sms", { headers: { cookie: admin } })).status).toBe(404);
  });
});
