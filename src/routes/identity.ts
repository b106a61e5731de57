// Who am I, organisations and API keys.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { ALL_KINDS, UNION_KINDS } from "../auth/policy.ts";
import { principalOf } from "../http/auth-middleware.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema, jsonResponse } from "../http/openapi.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../services/identity/api-keys.ts";
import { createOrganisation, getOrganisation, listOrganisations } from "../services/identity/organisations.ts";
import { serviceContext } from "./service-context.ts";
import { OrgKindSchema, RegionCodeSchema, RoleSchema } from "./schemas.ts";

const PrincipalSchema = z
  .object({
    actorType: z.enum(["USER", "API_KEY"]),
    actor: z.string(),
    organisation: z.object({ id: z.uuid(), kind: OrgKindSchema, name: z.string() }),
    role: RoleSchema,
  })
  .openapi("Principal");

const OrganisationSchema = z
  .object({
    id: z.uuid(),
    kind: OrgKindSchema,
    name: z.string(),
    shortName: z.string().nullable(),
    regionCode: z.string(),
    parentId: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .openapi("Organisation");

const CreateOrganisationSchema = z
  .object({
    parentId: z.uuid(),
    kind: OrgKindSchema,
    name: z.string().trim().min(2).max(100),
    shortName: z.string().trim().max(30).optional(),
    regionCode: RegionCodeSchema,
    uscc: z.string().length(18).optional(),
  })
  .strict()
  .openapi("CreateOrganisation");

const ApiKeySchema = z
  .object({
    id: z.uuid(),
    orgId: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ example: "hw_Ab3dE6gH" }),
    role: RoleSchema,
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The secret key. Shown once: store it now." }),
}).openapi("CreatedApiKey");

const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: RoleSchema,
    expiresAt: z.iso.datetime().optional(),
  })
  .strict()
  .openapi("CreateApiKey");


const toIso = (d: Date | null) => (d ? d.toISOString() : null);
const presentOrg = (o: Awaited<ReturnType<typeof getOrganisation>>) => ({ ...o, path: undefined, createdAt: o.createdAt.toISOString() });
const presentKey = <K extends { createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null }>(k: K) => ({
  ...k,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: toIso(k.lastUsedAt),
  expiresAt: toIso(k.expiresAt),
  revokedAt: toIso(k.revokedAt),
});

const anyone = { kinds: ALL_KINDS, minRole: "READ_ONLY" } as const;
const unionAdmins = { kinds: UNION_KINDS, minRole: "ADMIN" } as const;

export function registerIdentityRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute(anyone, {
      method: "get",
      path: "/v1/me",
      operationId: "getCurrentPrincipal",
      tags: ["identity"],
      summary: "The caller: organisation, role, credential kind",
      responses: { 200: jsonResponse(PrincipalSchema, "The caller") },
    }),
    (c) => {
      const p = principalOf(c);
      return c.json({ actorType: p.actorType, actor: p.actorLabel, organisation: { id: p.orgId, kind: p.orgKind, name: p.orgName }, role: p.role }, 200);
    },
  );

  app.openapi(
    defineRoute(anyone, {
      method: "get",
      path: "/v1/organisations",
      operationId: "listOrganisations",
      tags: ["identity"],
      summary: "The caller's organisation and its subtree",
      request: { query: z.object({ kind: OrgKindSchema.optional(), parentId: z.uuid().optional() }) },
      responses: { 200: jsonResponse(z.object({ items: z.array(OrganisationSchema) }), "Organisations") },
    }),
    async (c) => {
      const items = await listOrganisations(serviceContext(c), c.req.valid("query"));
      return c.json({ items: items.map(presentOrg) }, 200);
    },
  );

  app.openapi(
    defineRoute(anyone, {
      method: "get",
      path: "/v1/organisations/{id}",
      operationId: "getOrganisation",
      tags: ["identity"],
      summary: "One organisation of the caller's subtree",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(OrganisationSchema, "The organisation") },
    }),
    async (c) => c.json(presentOrg(await getOrganisation(serviceContext(c), c.req.valid("param").id)), 200),
  );

  app.openapi(
    defineRoute(unionAdmins, {
      method: "post",
      path: "/v1/organisations",
      operationId: "createOrganisation",
      tags: ["identity"],
      summary: "Create a child organisation (district, enterprise union or transport operator)",
      request: { body: { required: true, content: { "application/json": { schema: CreateOrganisationSchema } } } },
      responses: { 201: jsonResponse(OrganisationSchema, "Created") },
    }),
    async (c) => c.json(presentOrg(await createOrganisation(serviceContext(c), c.req.valid("json"))), 201),
  );

  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "ADMIN" }, {
      method: "get",
      path: "/v1/organisations/{id}/api-keys",
      operationId: "listApiKeys",
      tags: ["identity"],
      summary: "API keys of an organisation (prefixes only)",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(z.object({ items: z.array(ApiKeySchema) }), "Keys") },
    }),
    async (c) => {
      const keys = await listApiKeys(serviceContext(c), c.req.valid("param").id);
      return c.json({ items: keys.map(presentKey) }, 200);
    },
  );

  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "ADMIN" }, {
      method: "post",
      path: "/v1/organisations/{id}/api-keys",
      operationId: "createApiKey",
      tags: ["identity"],
      summary: "Create an API key; the secret is in this response only",
      request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: CreateApiKeySchema } } } },
      responses: { 201: jsonResponse(CreatedApiKeySchema, "Created") },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const key = await createApiKey(serviceContext(c), {
        orgId: c.req.valid("param").id,
        name: body.name,
        role: body.role,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
      });
      return c.json(presentKey(key), 201);
    },
  );

  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "ADMIN" }, {
      method: "delete",
      path: "/v1/api-keys/{id}",
      operationId: "revokeApiKey",
      tags: ["identity"],
      summary: "Revoke an API key (idempotent)",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(ApiKeySchema, "Revoked") },
    }),
    async (c) => c.json(presentKey(await revokeApiKey(serviceContext(c), c.req.valid("param").id)), 200),
  );
}
