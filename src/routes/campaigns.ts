// Spring Festival campaigns.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { ALL_KINDS } from "../auth/policy.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema, jsonResponse } from "../http/openapi.ts";
import { createCampaign, getCampaign, listCampaigns, updateCampaign } from "../services/campaigns/campaigns.ts";
import { serviceContext } from "./service-context.ts";
import { IsoDateSchema, RegionCodeSchema } from "./schemas.ts";

const CampaignStatusSchema = z.enum(["DRAFT", "OPEN", "CLOSED"]).openapi("CampaignStatus");

const CampaignSchema = z
  .object({
    id: z.uuid(),
    cityOrgId: z.uuid(),
    name: z.string(),
    year: z.number().int(),
    originRegionCode: z.string(),
    holidayDate: IsoDateSchema,
    departureWindow: z.object({ start: IsoDateSchema, end: IsoDateSchema }),
    paidBeforeDate: IsoDateSchema,
    status: CampaignStatusSchema,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Campaign");

const CampaignInputSchema = z
  .object({
    name: z.string().trim().min(2).max(100).openapi({ example: "2027年春节农民工平安返乡" }),
    year: z.number().int().min(2000).max(2100),
    originRegionCode: RegionCodeSchema,
    holidayDate: IsoDateSchema.openapi({ example: "2027-02-06" }),
    departureWindow: z.object({ start: IsoDateSchema, end: IsoDateSchema }),
    paidBeforeDate: IsoDateSchema,
    status: CampaignStatusSchema.optional(),
  })
  .strict()
  .openapi("CampaignInput");

const cityStaff = { kinds: ["CITY_UNION"], minRole: "STAFF" } as const;

export function registerCampaignRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "READ_ONLY" }, {
      method: "get",
      path: "/v1/campaigns",
      operationId: "listCampaigns",
      tags: ["campaigns"],
      summary: "Campaigns of the caller's city",
      responses: { 200: jsonResponse(z.object({ items: z.array(CampaignSchema) }), "Campaigns") },
    }),
    async (c) => c.json({ items: await listCampaigns(serviceContext(c)) }, 200),
  );

  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "READ_ONLY" }, {
      method: "get",
      path: "/v1/campaigns/{id}",
      operationId: "getCampaign",
      tags: ["campaigns"],
      summary: "One campaign",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(CampaignSchema, "The campaign") },
    }),
    async (c) => c.json(await getCampaign(serviceContext(c), c.req.valid("param").id), 200),
  );

  app.openapi(
    defineRoute(cityStaff, {
      method: "post",
      path: "/v1/campaigns",
      operationId: "createCampaign",
      tags: ["campaigns"],
      summary: "Create a campaign (city union)",
      request: { body: { required: true, content: { "application/json": { schema: CampaignInputSchema } } } },
      responses: { 201: jsonResponse(CampaignSchema, "Created") },
    }),
    async (c) => c.json(await createCampaign(serviceContext(c), c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute(cityStaff, {
      method: "patch",
      path: "/v1/campaigns/{id}",
      operationId: "updateCampaign",
      tags: ["campaigns"],
      summary: "Change a campaign's dates, name or status (city union)",
      request: {
        params: IdParamSchema,
        body: { required: true, content: { "application/json": { schema: CampaignInputSchema.partial().strict() } } },
      },
      responses: { 200: jsonResponse(CampaignSchema, "Updated") },
    }),
    async (c) => c.json(await updateCampaign(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );
}
