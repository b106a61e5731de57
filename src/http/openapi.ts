// Shared OpenAPI pieces: the problem-details schema, the error responses every route spreads, and
// `defineRoute`, which attaches the access rule (who may call) as middleware, as the route's
// security requirement and as the `x-homeward-access` extension the docs and the authorisation
// matrix test read.
import { createRoute, z, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Access } from "../auth/policy.ts";
import { authorize, requireJsonContentType } from "./auth-middleware.ts";
import type { AppEnv } from "./env.ts";

export const LocalisedMessageSchema = z
  .object({ zh: z.string(), en: z.string() })
  .openapi("LocalisedMessage", { description: "The same message in Chinese and English" });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().openapi({ description: "Stable machine-readable error code", example: "VALIDATION_FAILED" }),
    message: LocalisedMessageSchema,
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), code: z.string(), message: LocalisedMessageSchema }))
      .optional()
      .openapi({ description: "Field-level problems (validation errors)" }),
  })
  .catchall(z.unknown())
  .openapi("Problem", { description: "RFC 9457 problem details" });

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

export const errorResponses = {
  400: problem("Validation failed or malformed request"),
  401: problem("Missing or invalid credentials"),
  403: problem("Authenticated but not allowed"),
  404: problem("Not found, or not visible to the caller"),
  409: problem("Conflicts with the current state"),
  413: problem("Body too large"),
  415: problem("Unsupported content type"),
  429: problem("Rate limited"),
  500: problem("Unexpected error"),
  503: problem("A dependency is unavailable"),
} as const;

export const IdParamSchema = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" }, example: "7b1e0f7e-2f5c-4a4e-9d8e-1f2a3b4c5d6e" }),
});

/** A 2xx response whose body is `schema` as JSON. */
export const jsonResponse = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const security = [{ bearerAuth: [] }, { sessionCookie: [] }];

/**
 * A route callable by principals matching `access`. JSON bodies get a content-type check (415)
 * before validation, so a form post to a JSON route is not silently read as an empty object.
 */
export function defineRoute<const R extends RouteConfig>(access: Access, config: R): R {
  const middleware: MiddlewareHandler<AppEnv>[] = [authorize(access)];
  const body = config.request?.body as { content?: Record<string, unknown> } | undefined;
  if (body?.content && "application/json" in body.content) middleware.push(requireJsonContentType);
  // The handler's types come from `config`; the additions below only feed the document.
  return createRoute({
    ...config,
    security,
    middleware,
    responses: { ...errorResponses, ...config.responses },
    "x-homeward-access": access,
  }) as unknown as R;
}

/** A public route (no credentials), still documented with the shared error responses. */
export function definePublicRoute<const R extends RouteConfig>(config: R): R {
  return createRoute({ ...config, security: [], responses: { ...errorResponses, ...config.responses } }) as unknown as R;
}
