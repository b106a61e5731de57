// Manifests (乘车名单) per vehicle, per enterprise and per stop, as JSON, CSV, XLSX or a printable page.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ALL_KINDS, UNION_KINDS } from "../auth/policy.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema } from "../http/openapi.ts";
import { enterpriseTable, tableToCsv, tableToXlsx, vehicleTable, type Table } from "../services/allocation/manifest-formats.ts";
import { getEnterpriseManifest, getVehicleManifest } from "../services/allocation/manifests.ts";
import { renderManifestPage } from "../pages/manifests.tsx";
import { serviceContext } from "./service-context.ts";

const FormatSchema = z.enum(["json", "csv", "xlsx", "html"]).default("json").openapi({ description: "json (default), csv, xlsx or a printable html page" });
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const ManifestSchema = z.record(z.string(), z.unknown()).openapi("Manifest", { description: "The manifest: header block and rows (see the CSV columns)" });

const formats = (description: string) => ({
  description,
  content: {
    "application/json": { schema: ManifestSchema },
    "text/csv": { schema: z.string() },
    [XLSX]: { schema: z.string().openapi({ format: "binary" }) },
    "text/html": { schema: z.string() },
  },
});

const MASKED_NOTE = "身份证号、手机号已脱敏显示。";

async function answer(c: Context<AppEnv>, format: "json" | "csv" | "xlsx" | "html", manifest: object, table: Table, fileName: string, revealed = false) {
  // Full ID numbers must not linger in shared caches or the browser history cache.
  const privacy = { "cache-control": "no-store" };
  const disposition = (ext: string) => `attachment; filename="manifest.${ext}"; filename*=UTF-8''${encodeURIComponent(`${fileName}.${ext}`)}`;
  switch (format) {
    case "csv":
      return new Response(tableToCsv(table), { status: 200, headers: { ...privacy, "content-type": "text/csv; charset=utf-8", "content-disposition": disposition("csv") } });
    case "xlsx":
      return new Response(await tableToXlsx(table), { status: 200, headers: { ...privacy, "content-type": XLSX, "content-disposition": disposition("xlsx") } });
    case "html":
      return new Response(renderManifestPage(table, revealed ? "含完整身份证号，仅供实名制购票/验票使用，请妥善保管。" : MASKED_NOTE), { status: 200, headers: { ...privacy, "content-type": "text/html; charset=utf-8" } });
    default:
      return c.json(manifest as Record<string, unknown>, 200, privacy);
  }
}

export function registerManifestRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "READ_ONLY" }, {
      method: "get",
      path: "/v1/vehicles/{id}/manifest",
      operationId: "getVehicleManifest",
      tags: ["manifests"],
      summary: "乘车名单 of one vehicle (for buses with the charter sign's fields)",
      description:
        "The city union sees every traveller, a district or enterprise its own travellers, a transport operator its own vehicles. ID numbers are masked; `reveal=ids` shows them in full to the operator's own STAFF/ADMIN for real-name tickets, and writes an audit entry.",
      request: { params: IdParamSchema, query: z.object({ format: FormatSchema, reveal: z.enum(["ids"]).optional() }) },
      responses: { 200: formats("The manifest") },
    }),
    async (c) => {
      const { format, reveal } = c.req.valid("query");
      const manifest = await getVehicleManifest(serviceContext(c), c.req.valid("param").id, { reveal });
      return answer(c, format, manifest, vehicleTable(manifest), `乘车名单-${manifest.vehicle.label}`, manifest.idsRevealed) as never;
    },
  );

  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "READ_ONLY" }, {
      method: "get",
      path: "/v1/vehicles/{id}/stops/{stop}/manifest",
      operationId: "getStopManifest",
      tags: ["manifests"],
      summary: "Who gets off one vehicle at one stop (stop = index in the route, 1 = first drop-off)",
      request: {
        params: IdParamSchema.extend({ stop: z.coerce.number().int().min(1).max(100).openapi({ param: { name: "stop", in: "path" }, example: 1 }) }),
        query: z.object({ format: FormatSchema }),
      },
      responses: { 200: formats("The stop's manifest") },
    }),
    async (c) => {
      const { id, stop } = c.req.valid("param");
      const manifest = await getVehicleManifest(serviceContext(c), id, { stop });
      return answer(c, c.req.valid("query").format, manifest, vehicleTable(manifest), `下车名单-${manifest.vehicle.label}-${stop}`) as never;
    },
  );

  app.openapi(
    defineRoute({ kinds: UNION_KINDS, minRole: "READ_ONLY" }, {
      method: "get",
      path: "/v1/campaigns/{campaignId}/organisations/{orgId}/manifest",
      operationId: "getEnterpriseManifest",
      tags: ["manifests"],
      summary: "Who of an enterprise (or of a district's enterprises) rides what, when, from where",
      description: "From the published allocation; the city union may name another run of the campaign (runId) to review it before publishing.",
      request: {
        params: z.object({
          campaignId: z.uuid().openapi({ param: { name: "campaignId", in: "path" } }),
          orgId: z.uuid().openapi({ param: { name: "orgId", in: "path" } }),
        }),
        query: z.object({ format: FormatSchema, runId: z.uuid().optional() }),
      },
      responses: { 200: formats("The enterprise's manifest") },
    }),
    async (c) => {
      const { campaignId, orgId } = c.req.valid("param");
      const { format, runId } = c.req.valid("query");
      const manifest = await getEnterpriseManifest(serviceContext(c), campaignId, orgId, { runId });
      return answer(c, format, manifest, enterpriseTable(manifest), `返乡乘车安排-${manifest.organisation.name}`) as never;
    },
  );
}
