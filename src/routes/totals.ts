// The 平安返乡 totals: figures by organisation subtree, day and mode (getHomewardTotals), the records
// behind each figure (getTotalsDrilldown), the statistics form (exportStatisticsForm), figures entered
// by hand (recordManualFigure), and what is learnt on the day: departures and boardings.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { UNION_KINDS } from "../auth/policy.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema, jsonResponse } from "../http/openapi.ts";
import { DRILLDOWN_FIGURES, MANUAL_FIGURE_CODES, MODES, STAGES } from "../services/totals/definitions.ts";
import { getTotalsDrilldown } from "../services/totals/drilldown.ts";
import { recordBoarding, recordVehicleDeparture } from "../services/totals/field-reports.ts";
import { recordManualFigure } from "../services/totals/manual-figures.ts";
import { buildStatisticsForm, statisticsFormCsv, statisticsFormXlsx } from "../services/totals/statistics-form.ts";
import { getHomewardTotalsJson } from "../services/totals/totals.ts";
import { serviceContext } from "./service-context.ts";
import { IsoDateSchema } from "./schemas.ts";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const EtagHeader = {
  description: "Weak validator of the figures (their totals version); send it back in If-None-Match to get a 304 while they are unchanged",
  schema: { type: "string" as const },
};
const CacheControlHeader = { description: "private, no-cache: keep it, but ask again (with If-None-Match) before reusing it", schema: { type: "string" as const } };

/** If-None-Match against a weak ETag: weak comparison, a list of tags or "*" (RFC 9110 §13.1.2). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === opaque);
}

const ModeSchema = z.enum(MODES).openapi("TransportModeFilter");
const StageSchema = z.enum(STAGES).openapi("TotalsStage", {
  description:
    "ALLOCATED: a seat in the published allocation (assignment ASSIGNED in the PUBLISHED run); DEPARTED: that, on a vehicle whose departure was reported; BOARDED: that, checked in at the door",
});

const FilterQuery = z.object({
  campaignId: z.uuid().openapi({ description: "The campaign" }),
  orgId: z.uuid().optional().openapi({ description: "Root of the subtree (default: the caller's organisation)" }),
  from: IsoDateSchema.optional().openapi({ description: "First departure day (Asia/Shanghai), inclusive" }),
  to: IsoDateSchema.optional().openapi({ description: "Last departure day, inclusive" }),
  mode: ModeSchema.optional(),
});

const StagesSchema = z
  .object({ allocated: z.number().int(), departed: z.number().int(), boarded: z.number().int() })
  .openapi("TotalsByStage", { description: "One figure as allocated / departed / boarded" });
const LineSchema = z.object({ persons: StagesSchema, vehicles: StagesSchema });
const WagesSchema = z
  .object({
    cases: z.number().int(),
    workers: z.number().int(),
    migrantWorkers: z.number().int(),
    amountFen: z.string(),
    amountYuan: z.string(),
    amountWanYuan: z.string(),
    migrantAmountFen: z.string(),
    migrantAmountYuan: z.string(),
    migrantAmountWanYuan: z.string(),
  })
  .openapi("WageRecoveryFigures", { description: "08(C): wage arrears recovered, all workers and migrant workers, to the fen" });
const ManualSchema = z.object({ "10G_TICKETS": z.string(), "10H_CENTRES": z.string(), "11A_WAN_YUAN": z.string() }).openapi("ManualFigureValues");

const TotalsSchema = z
  .object({
    campaign: z.object({ id: z.string(), name: z.string(), year: z.number().int() }),
    organisation: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
    filters: z.object({ from: z.string().nullable(), to: z.string().nullable(), mode: z.string().nullable() }),
    figures: z.object({
      "10A": z.object({ persons: StagesSchema }),
      "10B": LineSchema,
      "10C": LineSchema,
      "10D": LineSchema,
      "10E": LineSchema,
      "10F": LineSchema,
      "10G": z.object({ platformTickets: StagesSchema, manualTickets: z.number() }),
      "10H": z.object({ helpCentres: z.number() }),
      "11A": z.object({ subsidyWanYuan: z.string() }),
      "08C": WagesSchema,
    }),
    byMode: z.array(z.object({ mode: z.string(), line: z.string(), persons: StagesSchema, vehicles: StagesSchema })),
    byDay: z.array(z.object({ date: z.string(), persons: StagesSchema, vehicles: StagesSchema })),
    byOrganisation: z.array(
      z.object({ id: z.string(), name: z.string(), kind: z.string(), persons: StagesSchema, vehicles: StagesSchema, wages: WagesSchema, manual: ManualSchema }),
    ),
    own: z.object({ persons: StagesSchema, wages: WagesSchema, manual: ManualSchema }).nullable(),
    manual: ManualSchema,
    generatedAt: z.string(),
  })
  .openapi("HomewardTotals");

const DrilldownSchema = z
  .object({
    figure: z.string(),
    stage: z.string(),
    organisation: z.object({ id: z.string(), name: z.string() }),
    filters: z.record(z.string(), z.unknown()),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
    vehicles: z.array(z.record(z.string(), z.unknown())).optional(),
    travellers: z.array(z.record(z.string(), z.unknown())).optional().openapi({ description: "Names, ID numbers and mobiles masked" }),
    payments: z.array(z.record(z.string(), z.unknown())).optional(),
    manualEntries: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi("TotalsDrilldown");

const ManualFigureSchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    figure: z.string(),
    line: z.string(),
    unit: z.string(),
    value: z.string(),
    note: z.string().nullable(),
    enteredBy: z.string(),
    enteredAt: z.string(),
    previousValue: z.string().nullable().optional(),
  })
  .openapi("ManualFigure");

const ManualFigureInputSchema = z
  .object({
    campaignId: z.uuid(),
    orgId: z.uuid().optional().openapi({ description: "Default: the caller's organisation" }),
    figure: z.enum(MANUAL_FIGURE_CODES as [string, ...string[]]).openapi({ description: "10G_TICKETS (张), 10H_CENTRES (个), 11A_WAN_YUAN (万元)" }),
    value: z.string().trim().max(20).openapi({ example: "12.50", description: "Exact decimal as a string" }),
    note: z.string().trim().max(500).optional(),
  })
  .strict()
  .openapi("ManualFigureInput");

const unionReader = { kinds: UNION_KINDS, minRole: "READ_ONLY" } as const;
const fieldReporter = { kinds: ["CITY_UNION", "TRANSPORT_OPERATOR"], minRole: "STAFF" } as const;

export function registerTotalsRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute(unionReader, {
      method: "get",
      path: "/v1/totals",
      operationId: "getHomewardTotals",
      tags: ["totals"],
      summary: "平安返乡 totals of an organisation's subtree, by child organisation, day and mode",
      description:
        "Read from aggregates maintained in the same transaction as the records. Vehicles are counted once per organisation however many enterprises share them, so a parent's vehicle count can be less than the sum of its children's.",
      request: { query: FilterQuery },
      responses: {
        200: { ...jsonResponse(TotalsSchema, "The totals"), headers: { ETag: EtagHeader, "Cache-Control": CacheControlHeader } },
        304: { description: "Not modified: the figures of the ETag sent in If-None-Match are still current", headers: { ETag: EtagHeader } },
      },
    }),
    // The JSON text is cached per totals version (services/totals/cache.ts); the same body c.json would send.
    async (c) => {
      const { body, etag } = await getHomewardTotalsJson(serviceContext(c), c.req.valid("query"));
      const headers = { ETag: etag, "Cache-Control": "private, no-cache" };
      if (etagMatches(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers) as never;
      return c.body(body as Uint8Array<ArrayBuffer>, 200, { ...headers, "Content-Type": "application/json" }) as never;
    },
  );

  app.openapi(
    defineRoute(unionReader, {
      method: "get",
      path: "/v1/totals/drilldown",
      operationId: "getTotalsDrilldown",
      tags: ["totals"],
      summary: "The records behind a figure (依档): vehicles, travellers (masked), wage payments, manual entries",
      request: {
        query: FilterQuery.extend({
          figure: z.enum(DRILLDOWN_FIGURES),
          stage: StageSchema.default("ALLOCATED"),
          vehicleId: z.uuid().optional().openapi({ description: "The travellers of one vehicle" }),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          pageSize: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
      responses: { 200: jsonResponse(DrilldownSchema, "One page of records") },
    }),
    async (c) => c.json((await getTotalsDrilldown(serviceContext(c), c.req.valid("query"))) as never, 200),
  );

  app.openapi(
    defineRoute(unionReader, {
      method: "get",
      path: "/v1/totals/statistics-form",
      operationId: "exportStatisticsForm",
      tags: ["totals"],
      summary: "全市工会送温暖活动统计表 of the subtree (XLSX in the annex layout, CSV or JSON)",
      request: {
        query: FilterQuery.extend({
          format: z.enum(["xlsx", "csv", "json"]).default("xlsx"),
          stage: StageSchema.default("DEPARTED"),
          reporter: z.string().trim().max(50).optional().openapi({ description: "填报人" }),
          phone: z.string().trim().max(30).optional().openapi({ description: "联系电话" }),
          date: IsoDateSchema.optional().openapi({ description: "The form's date (default today)" }),
        }),
      },
      responses: {
        200: {
          description: "The form",
          content: {
            [XLSX]: { schema: z.string().openapi({ format: "binary" }) },
            "text/csv": { schema: z.string() },
            "application/json": { schema: z.record(z.string(), z.unknown()) },
          },
        },
      },
    }),
    async (c) => {
      const { format, ...input } = c.req.valid("query");
      const form = await buildStatisticsForm(serviceContext(c), input);
      const name = `${form.title}-${form.reportingUnit}-${form.date}`;
      const disposition = (ext: string) => `attachment; filename="statistics-form.${ext}"; filename*=UTF-8''${encodeURIComponent(`${name}.${ext}`)}`;
      if (format === "json") return c.json(form as never, 200);
      if (format === "csv") {
        return new Response(statisticsFormCsv(form), { status: 200, headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": disposition("csv") } }) as never;
      }
      return new Response(await statisticsFormXlsx(form), { status: 200, headers: { "content-type": XLSX, "content-disposition": disposition("xlsx") } }) as never;
    },
  );

  app.openapi(
    defineRoute({ kinds: UNION_KINDS, minRole: "STAFF" }, {
      method: "put",
      path: "/v1/totals/manual-figures",
      operationId: "recordManualFigure",
      tags: ["totals"],
      summary: "Enter a figure the platform does not hold (tickets bought outside it, help centres, subsidies)",
      description: "Stored beside the computed figures, never over them; who/when and the previous value go to the audit log.",
      request: { body: { required: true, content: { "application/json": { schema: ManualFigureInputSchema } } } },
      responses: { 200: jsonResponse(ManualFigureSchema, "Recorded") },
    }),
    async (c) => c.json(await recordManualFigure(serviceContext(c), c.req.valid("json") as never), 200),
  );

  app.openapi(
    defineRoute(fieldReporter, {
      method: "post",
      path: "/v1/vehicles/{id}/departure",
      operationId: "recordVehicleDeparture",
      tags: ["totals"],
      summary: "Report that a vehicle left (or withdraw a report made by mistake)",
      request: {
        params: IdParamSchema,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({ departed: z.boolean().default(true), at: z.iso.datetime({ offset: true }).optional() }).strict().openapi("DepartureReport"),
            },
          },
        },
      },
      responses: {
        200: jsonResponse(
          z.object({ id: z.string(), label: z.string(), mode: z.string(), departureAt: z.string(), departedAt: z.string().nullable(), persons: z.number().int() }),
          "Recorded",
        ),
      },
    }),
    async (c) => c.json(await recordVehicleDeparture(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  app.openapi(
    defineRoute(fieldReporter, {
      method: "post",
      path: "/v1/vehicles/{id}/boardings",
      operationId: "recordBoarding",
      tags: ["totals"],
      summary: "Report travellers checked in at the door (or clear a check-in made by mistake)",
      request: {
        params: IdParamSchema,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z
                .object({
                  assignmentIds: z.array(z.uuid()).min(1).max(500),
                  boarded: z.boolean().default(true),
                  at: z.iso.datetime({ offset: true }).optional(),
                })
                .strict()
                .openapi("BoardingReport"),
            },
          },
        },
      },
      responses: {
        200: jsonResponse(
          z.object({ vehicleId: z.string(), label: z.string(), updated: z.number().int(), boardedOnVehicle: z.number().int(), boardedAt: z.string().nullable() }),
          "Recorded",
        ),
      },
    }),
    async (c) => c.json(await recordBoarding(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );
}
