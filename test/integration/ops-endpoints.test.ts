// /healthz, /readyz, /metrics, /openapi.json and /docs over a real HTTP server.
import { serve, type ServerType } from "@hono/node-server";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createMetrics } from "../../src/runtime/metrics.ts";
import { createJobProducer, redisConnectionOptions } from "../../src/queue/producer.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { buildTestApp } from "../helpers/app.ts";

let database: TestDatabase;
let server: ServerType;
let base: string;
const jobs = createJobProducer(inject("redisUrl"), "ops-test");
const redis = new Redis(redisConnectionOptions(inject("redisUrl"), "producer"));

beforeAll(async () => {
  database = await createTestDatabase();
  const app = buildTestApp(database.db, {
    jobs,
    metrics: createMetrics(jobs.queues),
    readiness: {
      postgres: async () => void (await database.db.$queryRaw`SELECT 1`),
      redis: async () => void (await redis.ping()),
    },
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  redis.disconnect();
  await jobs.close();
  await database.drop();
});

describe("operational endpoints", () => {
  it("/healthz answers", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("/readyz is 200 when PostgreSQL and Redis answer", async () => {
    const res = await fetch(`${base}/readyz`);
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.redis.ok).toBe(true);
  });

  it("/readyz is 503 when a dependency does not answer", async () => {
    const deadRedis = new Redis({ ...redisConnectionOptions("redis://127.0.0.1:1", "producer"), lazyConnect: true, retryStrategy: () => null });
    deadRedis.on("error", () => undefined);
    const app = buildTestApp(database.db, {
      readiness: {
        postgres: async () => void (await database.db.$queryRaw`SELECT 1`),
        redis: async () => {
          await deadRedis.connect();
        },
      },
    });
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.redis).toMatchObject({ ok: false });
  });

  it("/metrics exposes the HTTP latency histogram by route and the queue depths", async () => {
    await fetch(`${base}/healthz`);
    await jobs.add("maintenance.audit-ping", { note: "depth" });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/homeward_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toMatch(/homeward_queue_jobs\{queue="maintenance",state="waiting"\} [1-9]/);
    await jobs.queues.maintenance.obliterate({ force: true });
  });

  it("/openapi.json is OpenAPI 3.1 with security schemes, operation ids and problem responses", async () => {
    const doc = await (await fetch(`${base}/openapi.json`)).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.securitySchemes)).toEqual(expect.arrayContaining(["bearerAuth", "sessionCookie"]));
    const op = doc.paths["/v1/campaigns"].post;
    expect(op.operationId).toBe("createCampaign");
    expect(op.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(op.responses["403"].content["application/problem+json"]).toBeDefined();
    expect(op["x-homeward-access"]).toEqual({ kinds: ["CITY_UNION"], minRole: "STAFF" });
  });

  it("/docs serves an interactive page for the document", async () => {
    const html = await (await fetch(`${base}/docs`)).text();
    expect(html).toContain("swagger-ui-bundle.js");
    const init = await (await fetch(`${base}/docs/assets/docs-init.js`)).text();
    expect(init).toContain("/openapi.json");
  });
});
