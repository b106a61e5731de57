// Allocation runs: start (a job computes it), review, publish.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema, jsonResponse } from "../http/openapi.ts";
import { getAllocationRun, listAllocationRuns, publishAllocation, RunParametersSchema, startAllocation } from "../services/allocation/runs.ts";
import { serviceContext } from "./service-context.ts";

const RunStatusSchema = z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "PUBLISHED", "SUPERSEDED"]).openapi("AllocationRunStatus");

const RunSchema = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    seq: z.number().int(),
    status: RunStatusSchema,
    parameters: z.record(z.string(), z.unknown()),
    baseRunId: z.uuid().nullable().openapi({ description: "The published run this one started from" }),
    progress: z.number().int().min(0).max(100),
    report: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Quality report: vehicles by mode, utilisation, km, lower bounds and gaps, unassigned by reason" }),
    diff: z.object({ added: z.number().int(), moved: z.number().int(), removed: z.number().int(), unchanged: z.number().int() }).nullable(),
    failure: z.record(z.string(), z.unknown()).nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    publishedAt: z.string().nullable(),
    publishedBy: z.string().nullable(),
  })
  .openapi("AllocationRun");

const RunDetailSchema = RunSchema.extend({
  unassignedTotal: z.number().int(),
  unassigned: z.array(
    z.object({ travelerId: z.uuid(), name: z.string().nullable(), orgId: z.string().nullable(), destinationCode: z.string().nullable(), reason: z.string(), detail: z.string() }),
  ),
}).openapi("AllocationRunDetail");

const PublishedSchema = RunSchema.extend({
  listsAllocated: z.number().int(),
  changeRequestsConsumed: z.number().int(),
  notificationsCreated: z.number().int(),
}).openapi("AllocationPublished");

const cityStaff = { kinds: ["CITY_UNION"], minRole: "STAFF" } as const;
const cityReaders = { kinds: ["CITY_UNION"], minRole: "READ_ONLY" } as const;

export function registerAllocationRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute(cityStaff, {
      method: "post",
      path: "/v1/campaigns/{id}/allocation-runs",
      operationId: "startAllocation",
      tags: ["allocation"],
      summary: "Start an allocation run (computed by a job; poll getAllocationRun)",
      description: "409 CAMPAIGN_CLOSED when the campaign is closed.",
      request: {
        params: IdParamSchema,
        body: { required: true, content: { "application/json": { schema: z.object({ parameters: RunParametersSchema.default({}) }).strict().openapi("AllocationStart") } } },
      },
      responses: { 202: jsonResponse(RunSchema, "Queued") },
    }),
    async (c) => c.json(await startAllocation(serviceContext(c), c.req.valid("param").id, c.req.valid("json").parameters), 202),
  );

  app.openapi(
    defineRoute(cityReaders, {
      method: "get",
      path: "/v1/campaigns/{id}/allocation-runs",
      operationId: "listAllocationRuns",
      tags: ["allocation"],
      summary: "Allocation runs of a campaign, newest first",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(z.object({ items: z.array(RunSchema) }), "Runs") },
    }),
    async (c) => c.json({ items: await listAllocationRuns(serviceContext(c), c.req.valid("param").id) }, 200),
  );

  app.openapi(
    defineRoute(cityReaders, {
      method: "get",
      path: "/v1/allocation-runs/{id}",
      operationId: "getAllocationRun",
      tags: ["allocation"],
      summary: "A run: status, progress, quality report, diff, travellers left without a seat and why",
      request: { params: IdParamSchema, query: z.object({ unassignedLimit: z.coerce.number().int().min(0).max(10_000).default(500) }) },
      responses: { 200: jsonResponse(RunDetailSchema, "The run") },
    }),
    async (c) => c.json(await getAllocationRun(serviceContext(c), c.req.valid("param").id, c.req.valid("query")), 200),
  );

  app.openapi(
    defineRoute(cityStaff, {
      method: "post",
      path: "/v1/allocation-runs/{id}/publish",
      operationId: "publishAllocation",
      tags: ["allocation"],
      summary: "Publish a SUCCEEDED run: it replaces the published one and its SMS notices are written",
      description: "409 ALLOCATION_NOT_PUBLISHABLE unless the run SUCCEEDED; 409 ALLOCATION_STALE when another run was published since it started, or its capacity or travellers changed; 409 CAMPAIGN_CLOSED when the campaign is closed.",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(PublishedSchema, "Published") },
    }),
    async (c) => c.json(await publishAllocation(serviceContext(c), { config: c.get("deps").config }, c.req.valid("param").id), 200),
  );
}
