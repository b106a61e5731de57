// API keys (shown once, hashed, revocable) and person logins (scrypt, HttpOnly SameSite cookie,
// CSRF on form posts, throttled).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp } from "../helpers/app.ts";
import { sha256Hex } from "../../src/services/auth/secrets.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db, {}, testConfig({ LOGIN_MAX_ATTEMPTS: "3" }));
  fx = await createCityFixture(database.db);
});
afterAll(async () => database.drop());

function cookiesFrom(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const [name, ...value] = pair!.split("=");
    out[name!.trim()] = value.join("=");
  }
  return out;
}

async function loginForm() {
  const page = await app.request("/login");
  const html = await page.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
  return { csrf, cookie: cookiesFrom(page).hw_login_csrf!, html };
}

async function postLogin(username: string, password: string, form?: { csrf: string; cookie: string }) {
  const f = form ?? (await loginForm());
  return app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `hw_login_csrf=${f.cookie}` },
    body: new URLSearchParams({ username, password, csrf: f.csrf, next: "/" }).toString(),
  });
}

describe("API keys", () => {
  it("are shown once, stored only as a hash, usable at once and revocable", async () => {
    const created = await call(app, "POST", `/v1/organisations/${fx.enterpriseA1.id}/api-keys`, { key: fx.keys.enterpriseA1.ADMIN, body: { name: "HR system", role: "STAFF" } });
    expect(created.status).toBe(201);
    const secret: string = created.json.key;
    expect(secret.startsWith(created.json.prefix)).toBe(true);
    const row = await database.db.apiKey.findUniqueOrThrow({ where: { id: created.json.id } });
    expect(row.keyHash).toBe(sha256Hex(secret));
    expect(JSON.stringify(row)).not.toContain(secret);

    const listed = await call(app, "GET", `/v1/organisations/${fx.enterpriseA1.id}/api-keys`, { key: fx.keys.enterpriseA1.ADMIN });
    expect(listed.text).not.toContain(secret);
    expect(listed.json.items.map((k: { prefix: string }) => k.prefix)).toContain(created.json.prefix);

    const me = await call(app, "GET", "/v1/me", { key: secret });
    expect(me.json).toMatchObject({ actorType: "API_KEY", role: "STAFF", organisation: { id: fx.enterpriseA1.id } });

    expect((await call(app, "DELETE", `/v1/api-keys/${created.json.id}`, { key: fx.keys.enterpriseA1.ADMIN })).json.revokedAt).toBeTruthy();
    expect((await call(app, "GET", "/v1/me", { key: secret })).status).toBe(401);
    const audit = await database.db.auditEntry.findMany({ where: { entityId: created.json.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["api_key.create", "api_key.revoke"]);
  });

  it("cannot be minted above the creator's own role", async () => {
    const res = await call(app, "POST", `/v1/organisations/${fx.enterpriseA1.id}/api-keys`, { key: fx.keys.districtA.ADMIN, body: { name: "x", role: "ADMIN" } });
    expect(res.status).toBe(201);
    const { issueApiKey } = await import("../../src/services/identity/bootstrap.ts");
    // An ADMIN key cannot exist below ADMIN callers; STAFF callers are refused by the route already.
    const staff = await issueApiKey(database.db, { orgId: fx.districtA.id, name: "s", role: "STAFF" });
    expect((await call(app, "POST", `/v1/organisations/${fx.districtA.id}/api-keys`, { key: staff.key, body: { name: "y", role: "ADMIN" } })).status).toBe(403);
  });

  it("expired keys do not authenticate", async () => {
    const created = await call(app, "POST", `/v1/organisations/${fx.city.id}/api-keys`, { key: fx.keys.city.ADMIN, body: { name: "short", role: "READ_ONLY", expiresAt: new Date(Date.now() - 1000).toISOString() } });
    expect((await call(app, "GET", "/v1/me", { key: created.json.key })).status).toBe(401);
  });
});

describe("person logins", () => {
  it("log in with a session cookie that is HttpOnly and SameSite, and log out with CSRF", async () => {
    const res = await postLogin("enterprisea1-staff", fx.password);
    expect(res.status).toBe(303);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("hw_session="))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const session = cookiesFrom(res).hw_session!;
    const stored = await database.db.session.findMany();
    expect(stored.some((s) => s.id === sha256Hex(session))).toBe(true);
    expect(stored.some((s) => s.id === session)).toBe(false);

    const home = await app.request("/", { headers: { cookie: `hw_session=${session}` } });
    const html = await home.text();
    expect(html).toContain(fx.enterpriseA1.name);
    const me = await app.request("/v1/me", { headers: { cookie: `hw_session=${session}` } });
    expect(await me.json()).toMatchObject({ actorType: "USER", organisation: { id: fx.enterpriseA1.id } });

    const badLogout = await app.request("/logout", { method: "POST", headers: { cookie: `hw_session=${session}`, "content-type": "application/x-www-form-urlencoded" }, body: "csrf=forged" });
    expect(badLogout.status).toBe(403);
    expect((await app.request("/v1/me", { headers: { cookie: `hw_session=${session}` } })).status).toBe(200);

    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const logout = await app.request("/logout", { method: "POST", headers: { cookie: `hw_session=${session}`, "content-type": "application/x-www-form-urlencoded" }, body: `csrf=${csrf}` });
    expect(logout.status).toBe(303);
    expect((await app.request("/v1/me", { headers: { cookie: `hw_session=${session}` } })).status).toBe(401);
  });

  it("refuses a login form without the matching CSRF cookie", async () => {
    const form = await loginForm();
    const res = await postLogin("city-admin", fx.password, { csrf: form.csrf, cookie: "someone-elses" });
    expect(res.status).toBe(403);
  });

  it("says the same thing for an unknown user and a wrong password, and throttles", async () => {
    const wrong = await postLogin("city-staff", "nope");
    const unknown = await postLogin("nobody", "nope");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.text()).toContain("用户名或密码错误");
    await postLogin("city-staff", "nope");
    await postLogin("city-staff", "nope");
    const blocked = await postLogin("city-staff", fx.password);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain("尝试次数过多");
  });

  it("redirects pages to the login form when not logged in", async () => {
    const res = await app.request("/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
  });
});
