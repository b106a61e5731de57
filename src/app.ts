// createApp(deps): the one Hono application served by Node (@hono/node-server) and by Cloudflare
// Workers (src/main.worker.ts). Everything environment-specific arrives in `deps`.
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { AppError } from "./errors.ts";
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
        throw new AppError("VALIDATION_FAILED", { errors: zodToFieldProblems(result.error, result.target) });
      }
    },
  });

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("log", deps.log.child({ requestId: c.get("requestId") }));
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = c.req.routePath === "/*" ? "unmatched" : c.req.routePath;
      deps.metrics?.observe(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
    }
  });
  app.use(secureHeaders({ contentSecurityPolicy: undefined, crossOriginEmbedderPolicy: false }));
  app.use(
    "*",
    bodyLimit({
      maxSize: deps.config.UPLOAD_LIMIT_BYTES,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE", { detail: `limit ${deps.config.UPLOAD_LIMIT_BYTES} bytes` });
      },
    }),
  );
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
