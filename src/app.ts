// createApp(deps): the one Hono application served by Node (@hono/node-server) and by Cloudflare
// Workers (src/main.worker.ts). Everything environment-specific arrives in `deps`.
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { AppError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { authenticate } from "./http/auth-middleware.ts";
import type { AppDeps, AppEnv } from "./http/env.ts";
import { handleError, handleNotFound, zodToFieldProblems } from "./http/error-handler.ts";
import { registerOpsRoutes } from "./routes/ops.ts";
import { registerResourceRoutes } from "./routes/index.ts";
import { registerWebhookRoutes } from "./routes/webhooks.ts";
import { registerPages } from "./pages/index.tsx";
import { piiVaultFromConfig } from "./pii/vault.ts";

export function createApp(input: AppDeps) {
  const { config } = input;
  const deps: AppDeps = {
    ...input,
    pii: input.pii ?? (config.PII_ENCRYPTION_KEYS && config.PII_HMAC_KEY ? piiVaultFromConfig(config) : undefined),
  };
  const app = new OpenAPIHono<AppEnv>({
    // Every zod validation failure becomes one problem document with field paths.
    defaultHook: (result) => {
      if (!result.success) {
        // A JSON or form body is "body" to the caller, whatever the validator calls it internally,
        // so field paths read the same whether zod or a service found the problem ("body.year").
        const where = result.target === "json" || result.target === "form" ? "body" : result.target;
        throw new AppError("VALIDATION_FAILED", { errors: zodToFieldProblems(result.error, where) });
      }
    },
  });

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  const { metrics } = deps;
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("log", lazyChildLogger(deps.log, c.get("requestId")));
    if (!metrics) return next();
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = c.req.routePath === "/*" ? "unmatched" : c.req.routePath;
      metrics.observe(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
    }
  });
  app.use(secureHeaders({ contentSecurityPolicy: undefined, crossOriginEmbedderPolicy: false }));
  const uploadLimit = bodyLimit({
    maxSize: deps.config.UPLOAD_LIMIT_BYTES,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", { detail: `limit ${deps.config.UPLOAD_LIMIT_BYTES} bytes` });
    },
  });
  // A GET or HEAD has no body (the Fetch API forbids one, and @hono/node-server does not read it).
  // bodyLimit would still touch c.req.raw, which on Node builds a full Request with its AbortSignal:
  // the largest single cost of a /healthz or a cached totals answer in the CPU profile.
  app.use("*", (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : uploadLimit(c, next)));
  registerOpsRoutes(app, deps);

  app.use("/v1/*", async (c, next) => {
    c.set("db", deps.db(c.env));
    await next();
  });
  app.use("/v1/*", authenticate);
  registerResourceRoutes(app);
  // Twilio's webhooks: public, authenticated by their signature (src/routes/webhooks.ts).
  app.use("/webhooks/*", async (c, next) => {
    c.set("db", deps.db(c.env));
    await next();
  });
  registerWebhookRoutes(app);

  registerPages(app, deps);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An organisation's API key (hw_…), created by its admin and shown once.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "hw_session",
    description: "A person's session from the login page (web pages only).",
  });

  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;

/**
 * The request's logger (the app's logger with its requestId), made on first use: most requests log
 * nothing, and a pino child (bindings serialised, redaction set up) was ~3 % of a cached request.
 */
function lazyChildLogger(log: Logger, requestId: string): Logger {
  let child: Logger | undefined;
  const real = () => (child ??= log.child({ requestId }));
  return new Proxy({} as Logger, {
    get(_, prop) {
      const logger = real();
      const value = Reflect.get(logger, prop, logger);
      return typeof value === "function" ? value.bind(logger) : value;
    },
    set(_, prop, value) {
      return Reflect.set(real(), prop, value);
    },
    has(_, prop) {
      return prop in real();
    },
  });
}
