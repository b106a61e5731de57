// The Cloudflare Workers entry, bundled by wrangler and run locally under workerd against the
// test PostgreSQL (Hyperdrive's local connection string): liveness, readiness and one
// authenticated read through the same app.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../setup/global-setup.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { createCityFixture, type CityFixture } from "../helpers/app.ts";

let database: TestDatabase;
let fx: CityFixture;
let wrangler: ChildProcess;
let base: string;
let output = "";

beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createCityFixture(database.db);
  const port = await freePort();
  const inspectorPort = await freePort();
  const home = mkdtempSync(path.join(os.tmpdir(), "homeward-wrangler-"));
  wrangler = spawn(
    "node_modules/.bin/wrangler",
    [
      "dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--local",
      "--var", `PII_ENCRYPTION_KEYS:t1:${Buffer.alloc(32, 7).toString("base64")}`,
      "--var", `PII_HMAC_KEY:${Buffer.alloc(32, 9).toString("base64")}`,
      "--var", "LOG_LEVEL:warn",
    ],
    {
      env: {
        ...process.env,
        CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: database.url,
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_SEND_ERROR_REPORTS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        XDG_CONFIG_HOME: home,
        CI: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  wrangler.stdout!.on("data", (d) => (output += d));
  wrangler.stderr!.on("data", (d) => (output += d));
  base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || wrangler.exitCode !== null) throw new Error(`wrangler dev did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 120_000);

afterAll(async () => {
  if (wrangler && wrangler.exitCode === null) {
    const exited = new Promise((r) => wrangler.once("exit", r));
    wrangler.kill("SIGTERM");
    await exited;
  }
  await database.drop();
});

describe("the API under workerd", () => {
  it("answers /healthz", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("is ready when PostgreSQL answers through Hyperdrive", async () => {
    const res = await fetch(`${base}/readyz`);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.checks.postgres.ok).toBe(true);
  });

  it("serves an authenticated read from the database, and refuses without credentials", async () => {
    const res = await fetch(`${base}/v1/organisations`, { headers: { authorization: `Bearer ${fx.keys.districtA.READ_ONLY}` } });
    expect(res.status, output).toBe(200);
    const names = (await res.json()).items.map((o: { name: string }) => o.name).sort();
    expect(names).toEqual([fx.districtA.name, fx.enterpriseA1.name, fx.enterpriseA2.name].sort());
    const anonymous = await fetch(`${base}/v1/organisations`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toMatch(/problem\+json/);
  });
});
