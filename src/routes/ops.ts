// Operational endpoints: liveness, readiness, metrics, the OpenAPI document and its docs page.
import { z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { definePublicRoute } from "../http/openapi.ts";

const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");
const ReadinessSchema = z
  .object({
    status: z.enum(["ready", "unavailable"]),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional(), ms: z.number() })),
  })
  .openapi("Readiness");

const healthRoute = definePublicRoute({
  method: "get",
  path: "/healthz",
  operationId: "getHealth",
  tags: ["ops"],
  summary: "Liveness: the process answers",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: HealthSchema } } } },
});

const readyRoute = definePublicRoute({
  method: "get",
  path: "/readyz",
  operationId: "getReadiness",
  tags: ["ops"],
  summary: "Readiness: 200 only when PostgreSQL (and Redis, where used) answer",
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadinessSchema } } },
    503: { description: "A dependency does not answer", content: { "application/json": { schema: ReadinessSchema } } },
  },
});

const PROBE_TIMEOUT_MS = 2_000;

async function probe(check: () => Promise<void>): Promise<{ ok: boolean; error?: string; ms: number }> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), PROBE_TIMEOUT_MS))),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: (error as Error).message.slice(0, 200), ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

export function registerOpsRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  app.openapi(healthRoute, (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(readyRoute, async (c) => {
    const names = Object.keys(deps.readiness);
    const db = deps.db(c.env);
    const results = await Promise.all(names.map((name) => probe(() => deps.readiness[name]!({ db }))));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    const ok = results.every((r) => r.ok);
    return c.json({ status: ok ? ("ready" as const) : ("unavailable" as const), checks }, ok ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    if (!deps.metrics) return c.text("# metrics are exported by the Node deployment\n", 200);
    return c.body(await deps.metrics.render(), 200, { "content-type": deps.metrics.contentType });
  });

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "homeward API",
      version: "1.0.0",
      description:
        "平安返乡 — the platform city trade unions use to bring migrant workers home for the Spring Festival " +
        "and to recover their wages first. Errors are RFC 9457 problem details with a stable `code` and " +
        "messages in Chinese and English. `x-homeward-access` on each operation says which organisation " +
        "kinds and roles may call it.",
    },
    tags: [
      { name: "ops", description: "Health, readiness, metrics" },
      { name: "identity", description: "Who am I, organisations, API keys" },
      { name: "campaigns", description: "Spring Festival campaigns" },
      { name: "audit", description: "The audit log" },
    ],
  });

  const assets = "/docs/assets";
  app.get("/docs", (c) =>
    c.html(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>homeward API 文档</title><link rel="stylesheet" href="${assets}/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script src="${assets}/docs-init.js"></script>
</body></html>`),
  );
  app.get("/docs/assets/docs-init.js", (c) =>
    c.body(
      `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", deepLinking: true, persistAuthorization: true });`,
      200,
      { "content-type": "text/javascript; charset=utf-8" },
    ),
  );
  app.get("/docs/assets/:file{[a-z0-9.-]+}", async (c) => {
    const file = c.req.param("file");
    const local = await deps.docsAsset?.(file);
    // Without local files (Workers), the same swagger-ui-dist version from a public CDN.
    return local ?? c.redirect(`https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/${file}`, 302);
  });
}
