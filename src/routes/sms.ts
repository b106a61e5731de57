// SMS: template preview, the pipeline summary per campaign, and a worker's message history.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { UNION_KINDS, ALL_KINDS } from "../auth/policy.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema, jsonResponse } from "../http/openapi.ts";
import { getSmsSummary, listWorkerMessages, previewSmsTemplate } from "../services/sms/visibility.ts";
import { TEMPLATE_KINDS } from "../sms/templates.ts";
import { serviceContext } from "./service-context.ts";

const SegmentInfoSchema = z
  .object({
    encoding: z.enum(["GSM-7", "UCS-2"]),
    segments: z.number().int(),
    units: z.number().int(),
    perSegment: z.number().int(),
    remainingInSegment: z.number().int(),
  })
  .openapi("SmsSegmentInfo");

const PreviewInputSchema = z
  .object({
    kind: z.enum(TEMPLATE_KINDS),
    variables: z.record(z.string(), z.unknown()).openapi({
      example: { date: "2027-01-28", time: "07:30", pickupPoint: "吴江汽车站", vehicle: { kind: "BUS", plate: "苏E12345", seat: "12" }, contactPhone: "0512-65776577" },
    }),
  })
  .strict()
  .openapi("SmsPreviewInput");

const PreviewSchema = z
  .object({ kind: z.enum(TEMPLATE_KINDS), text: z.string(), essential: z.boolean(), segments: SegmentInfoSchema, maxSegments: z.number().int() })
  .openapi("SmsPreview");

const StatusCountsSchema = z.record(z.string(), z.number().int());
const GroupSchema = { byStatus: StatusCountsSchema, total: z.number().int(), segmentsSent: z.number().int(), estimatedCostFen: z.number().int() };

const SummarySchema = z
  .object({
    campaignId: z.uuid(),
    segmentPriceFen: z.number().int(),
    totals: z.object(GroupSchema),
    failures: z.array(z.object({ status: z.string(), errorCode: z.string().nullable(), reason: z.string().nullable(), count: z.number().int() })),
    enterprises: z.array(z.object({ orgId: z.uuid(), name: z.string(), ...GroupSchema })),
    vehicles: z.array(z.object({ vehicleId: z.uuid(), label: z.string(), ...GroupSchema })),
  })
  .openapi("SmsSummary");

const WorkerMessagesInputSchema = z
  .object({ mobile: z.string().min(5).max(20).openapi({ example: "13812345678" }) })
  .strict()
  .openapi("WorkerMessagesQuery");

const WorkerMessagesSchema = z
  .object({
    mobileMasked: z.string(),
    items: z.array(
      z.object({
        direction: z.enum(["outbound", "inbound"]),
        id: z.string(),
        kind: z.string(),
        status: z.string(),
        body: z.string(),
        segments: z.number().int().nullable(),
        errorCode: z.string().nullable(),
        errorMessage: z.string().nullable(),
        at: z.string(),
        scheduledFor: z.string().nullable(),
        finalAt: z.string().nullable(),
      }),
    ),
  })
  .openapi("WorkerMessages");

export function registerSmsRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "READ_ONLY" }, {
      method: "post",
      path: "/v1/sms/preview",
      operationId: "previewSmsTemplate",
      tags: ["sms"],
      summary: "Render a template with variables: text, GSM-7/UCS-2 and segment count (refused above SMS_MAX_SEGMENTS)",
      request: { body: { required: true, content: { "application/json": { schema: PreviewInputSchema } } } },
      responses: { 200: jsonResponse(PreviewSchema, "The message as it would be sent") },
    }),
    async (c) => {
      const { kind, variables } = c.req.valid("json");
      return c.json(previewSmsTemplate(c.get("deps").config, kind, variables), 200);
    },
  );

  app.openapi(
    defineRoute({ kinds: UNION_KINDS, minRole: "READ_ONLY" }, {
      method: "get",
      path: "/v1/campaigns/{id}/sms-summary",
      operationId: "getSmsSummary",
      tags: ["sms"],
      summary: "SMS per campaign, enterprise and vehicle: counts by status, failures, segments, estimated cost (caller's subtree)",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(SummarySchema, "Summary") },
    }),
    async (c) => c.json(await getSmsSummary({ ...serviceContext(c), config: c.get("deps").config }, c.req.valid("param").id), 200),
  );

  app.openapi(
    defineRoute({ kinds: UNION_KINDS, minRole: "STAFF" }, {
      method: "post",
      path: "/v1/campaigns/{id}/sms-messages/search",
      operationId: "listWorkerMessages",
      tags: ["sms"],
      summary: "A worker's SMS history by mobile (hotline staff; number masked in the answer, lookup audited)",
      description: "POST so that the mobile number never appears in a URL or an access log.",
      request: { params: IdParamSchema, body: { required: true, content: { "application/json": { schema: WorkerMessagesInputSchema } } } },
      responses: { 200: jsonResponse(WorkerMessagesSchema, "Messages, oldest first") },
    }),
    async (c) => c.json(await listWorkerMessages(serviceContext(c), { campaignId: c.req.valid("param").id, mobile: c.req.valid("json").mobile }), 200),
  );
}
