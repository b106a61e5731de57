// Group ticket lists (团体名单): validate, submit, import files, read, amend, withdraw, conflicts.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Access } from "../auth/policy.ts";
import { UNION_KINDS } from "../auth/policy.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema, jsonResponse, LocalisedMessageSchema } from "../http/openapi.ts";
import { getImportJob, importRejectedRowsXlsx, startImport } from "../services/intake/imports.ts";
import {
  amendTicketList,
  getTicketList,
  getTravelerIdentity,
  listTicketLists,
  listTravelerConflicts,
  submitTicketList,
  ticketListTemplate,
  validateTicketList,
  validateTicketListFile,
  withdrawTicketList,
} from "../services/intake/ticket-lists.ts";
import { IsoDateSchema } from "./schemas.ts";
import { serviceContext } from "./service-context.ts";

const enterpriseStaff: Access = { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" };
const unionReaders: Access = { kinds: UNION_KINDS, minRole: "READ_ONLY" };
const cityAdmin: Access = { kinds: ["CITY_UNION"], minRole: "ADMIN" };

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const CellSchema = z.union([z.string().max(2000), z.number(), z.null()]).optional();
const TravelerInputSchema = z
  .object({
    name: CellSchema.openapi({ example: "李娜" }),
    idNumber: CellSchema.openapi({ description: "18-character ID number (GB 11643)", example: "41142619900307123X" }),
    mobile: CellSchema.openapi({ example: "13812345678" }),
    destination: CellSchema.openapi({ description: "GB/T 2260 code or place names", example: "河南省商丘市夏邑县" }),
    earliestDate: CellSchema.openapi({ example: "2027-01-25" }),
    latestDate: CellSchema,
    group: CellSchema,
    preference: CellSchema.openapi({ description: "汽车/火车/飞机/不限 or bus/rail/air/any" }),
    remark: CellSchema,
  })
  .strict()
  .openapi("TravelerInput");

const ModeSchema = z.enum(["ALL_OR_NOTHING", "ACCEPT_VALID"]).openapi("TicketListMode");
const ListStatusSchema = z.enum(["DRAFT", "SUBMITTED", "VALIDATED", "ALLOCATED", "WITHDRAWN"]).openapi("TicketListStatus");

const RowErrorSchema = z.object({ column: z.string(), field: z.string(), code: z.string(), message: LocalisedMessageSchema }).openapi("RowError");
const RejectedRowSchema = z.object({ row: z.number().int(), errors: z.array(RowErrorSchema) }).openapi("RejectedRow");

const ConflictSchema = z
  .object({
    idNumberMasked: z.string(),
    sides: z.array(
      z.object({
        orgId: z.uuid(),
        orgName: z.string(),
        listId: z.uuid().nullable(),
        travelerId: z.uuid().nullable(),
        name: z.string().nullable(),
        rowNumber: z.number().int().nullable(),
      }),
    ),
  })
  .openapi("TravelerConflict", { description: "The same person on two enterprises' active lists in one campaign (masked)" });

const ListSchema = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    orgId: z.uuid(),
    title: z.string(),
    status: ListStatusSchema,
    version: z.number().int(),
    travelerCount: z.number().int(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    withdrawnAt: z.string().nullable(),
  })
  .openapi("TicketList");

const TravelerSchema = z
  .object({
    id: z.uuid(),
    rowNumber: z.number().int(),
    name: z.string(),
    idNumberMasked: z.string().openapi({ example: "411426********123X" }),
    mobileMasked: z.string().openapi({ example: "138****5678" }),
    gender: z.enum(["M", "F"]),
    birthDate: IsoDateSchema,
    destination: z.object({ code: z.string(), name: z.string() }),
    earliestDate: IsoDateSchema,
    latestDate: IsoDateSchema,
    group: z.string().nullable(),
    preference: z.enum(["bus", "rail", "air", "any"]),
    remark: z.string().nullable(),
    status: z.enum(["ACTIVE", "REMOVED", "CANCELLED"]),
    version: z.number().int(),
  })
  .openapi("Traveler");

const ListDetailSchema = ListSchema.extend({
  travelers: z.array(TravelerSchema),
  conflicts: z.array(ConflictSchema),
  latestImport: z.object({ id: z.uuid(), status: z.string() }).nullable(),
}).openapi("TicketListDetail");

const ValidationReportSchema = z
  .object({
    fileKind: z.enum(["csv", "xlsx"]).optional(),
    rowsTotal: z.number().int(),
    validRows: z.number().int(),
    invalidRows: z.number().int(),
    rejectedRows: z.array(RejectedRowSchema).openapi({ description: "At most 1,000 rows" }),
  })
  .openapi("TicketListValidation");

const SubmitResultSchema = z
  .object({
    list: ListSchema,
    replayed: z.boolean().openapi({ description: "True when this is the first result of the same key or content" }),
    acceptedRows: z.number().int(),
    rejectedRows: z.array(RejectedRowSchema),
    conflicts: z.array(ConflictSchema),
  })
  .openapi("TicketListSubmitResult");

const ImportJobSchema = z
  .object({
    id: z.uuid(),
    campaignId: z.uuid(),
    orgId: z.uuid(),
    listId: z.uuid(),
    mode: ModeSchema,
    status: z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "REJECTED", "FAILED"]),
    fileName: z.string().nullable(),
    fileKind: z.string(),
    sheetName: z.string().nullable(),
    fileBytes: z.number().int(),
    rowsTotal: z.number().int().nullable(),
    rowsDone: z.number().int(),
    rowsCommitted: z.number().int(),
    errorCount: z.number().int(),
    rowsPerSec: z.number(),
    attempts: z.number().int(),
    failure: z.object({ code: z.string(), message: LocalisedMessageSchema }).nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi("ImportJob");

const ImportJobDetailSchema = ImportJobSchema.extend({
  rejectedRows: z.array(z.object({ row: z.number().int(), errors: z.array(z.object({ column: z.string(), code: z.string(), message: LocalisedMessageSchema }).passthrough()) })),
  conflicts: z.array(ConflictSchema),
}).openapi("ImportJobDetail");

const IdempotencyHeaders = z.object({
  "idempotency-key": z.string().min(1).max(200).optional().openapi({ description: "The same key returns the first result" }),
});

const FileSchema = z
  .custom<File>((value) => typeof File !== "undefined" && value instanceof File, { message: "a file is required" })
  .openapi({ type: "string", format: "binary" });

const CampaignParam = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" }, description: "Campaign id" }),
});

const xlsxResponse = (description: string) => ({ description, content: { [XLSX_TYPE]: { schema: z.string().openapi({ format: "binary" }) } } });

const xlsx = (bytes: Uint8Array, fileName: string) =>
  new Response(bytes as BodyInit, {
    status: 200,
    headers: {
      "content-type": XLSX_TYPE,
      "content-disposition": `attachment; filename="${fileName.replace(/[^\w.-]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      "cache-control": "no-store",
    },
  });

const asBytes = async (file: File) => new Uint8Array(await file.arrayBuffer());

export function registerTicketListRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute(enterpriseStaff, {
      method: "post",
      path: "/v1/campaigns/{id}/ticket-lists/validate",
      operationId: "validateTicketList",
      tags: ["ticket-lists"],
      summary: "Dry run: the row-level report of JSON rows; nothing is stored",
      request: {
        params: CampaignParam,
        body: { required: true, content: { "application/json": { schema: z.object({ rows: z.array(TravelerInputSchema).min(1).max(10_000) }).strict() } } },
      },
      responses: { 200: jsonResponse(ValidationReportSchema, "The report") },
    }),
    async (c) => c.json(await validateTicketList(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  app.openapi(
    defineRoute(enterpriseStaff, {
      method: "post",
      path: "/v1/campaigns/{id}/ticket-lists/validate-file",
      operationId: "validateTicketListFile",
      tags: ["ticket-lists"],
      summary: "Dry run of a CSV/XLSX file: the row-level report; nothing is stored",
      request: {
        params: CampaignParam,
        body: { required: true, content: { "multipart/form-data": { schema: z.object({ file: FileSchema, sheetName: z.string().max(100).optional() }) } } },
      },
      responses: { 200: jsonResponse(ValidationReportSchema, "The report") },
    }),
    async (c) => {
      const form = c.req.valid("form");
      const report = await validateTicketListFile(serviceContext(c), c.req.valid("param").id, {
        bytes: await asBytes(form.file),
        sheetName: form.sheetName,
        maxBytes: c.get("deps").config.UPLOAD_LIMIT_BYTES,
      });
      return c.json(report, 200);
    },
  );

  app.openapi(
    defineRoute(enterpriseStaff, {
      method: "post",
      path: "/v1/campaigns/{id}/ticket-lists",
      operationId: "submitTicketList",
      tags: ["ticket-lists"],
      summary: "Submit a list as JSON rows (idempotent by Idempotency-Key or content)",
      request: {
        params: CampaignParam,
        headers: IdempotencyHeaders,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z
                .object({ title: z.string().trim().min(1).max(200).optional(), mode: ModeSchema.optional(), rows: z.array(TravelerInputSchema).min(1).max(10_000) })
                .strict()
                .openapi("TicketListSubmission"),
            },
          },
        },
      },
      responses: { 201: jsonResponse(SubmitResultSchema, "Submitted"), 200: jsonResponse(SubmitResultSchema, "The first result of the same submission") },
    }),
    async (c) => {
      const result = await submitTicketList(serviceContext(c), c.req.valid("param").id, c.req.valid("json"), c.req.valid("header")["idempotency-key"]);
      return result.replayed ? c.json(result, 200) : c.json(result, 201);
    },
  );

  app.openapi(
    defineRoute(enterpriseStaff, {
      method: "post",
      path: "/v1/campaigns/{id}/ticket-lists/imports",
      operationId: "importTicketList",
      tags: ["ticket-lists"],
      summary: "Upload a CSV/XLSX list: an import job runs it (202)",
      request: {
        params: CampaignParam,
        headers: IdempotencyHeaders,
        body: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: z.object({ file: FileSchema, mode: ModeSchema.optional(), sheetName: z.string().max(100).optional(), title: z.string().max(200).optional() }),
            },
          },
        },
      },
      responses: { 202: jsonResponse(z.object({ job: ImportJobSchema, replayed: z.boolean() }), "Queued (or the first upload of the same file)") },
    }),
    async (c) => {
      const form = c.req.valid("form");
      const result = await startImport(
        serviceContext(c),
        c.req.valid("param").id,
        { bytes: await asBytes(form.file), fileName: form.file.name || undefined, mode: form.mode, sheetName: form.sheetName || undefined, title: form.title || undefined },
        c.req.valid("header")["idempotency-key"],
      );
      return c.json(result, 202);
    },
  );

  app.openapi(
    defineRoute(unionReaders, {
      method: "get",
      path: "/v1/imports/{id}",
      operationId: "getImportJob",
      tags: ["ticket-lists"],
      summary: "An import's progress: rows done, rows/s, errors so far",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(ImportJobDetailSchema, "The import") },
    }),
    async (c) => c.json(await getImportJob(serviceContext(c), c.req.valid("param").id), 200),
  );

  app.openapi(
    defineRoute(enterpriseStaff, {
      method: "get",
      path: "/v1/imports/{id}/rejected-rows.xlsx",
      operationId: "downloadImportRejectedRows",
      tags: ["ticket-lists"],
      summary: "The rows an import rejected, with an error column (uploading enterprise only; audited)",
      request: { params: IdParamSchema },
      responses: { 200: xlsxResponse("The rejected rows") },
    }),
    async (c) => {
      const file = await importRejectedRowsXlsx(serviceContext(c), c.req.valid("param").id);
      return xlsx(file.bytes, file.fileName) as never;
    },
  );

  app.openapi(
    defineRoute(unionReaders, {
      method: "get",
      path: "/v1/ticket-lists",
      operationId: "listTicketLists",
      tags: ["ticket-lists"],
      summary: "Lists of the caller's subtree",
      request: { query: z.object({ campaignId: z.uuid().optional() }) },
      responses: { 200: jsonResponse(z.object({ items: z.array(ListSchema.extend({ orgName: z.string() })) }), "Lists") },
    }),
    async (c) => c.json({ items: await listTicketLists(serviceContext(c), c.req.valid("query")) }, 200),
  );

  app.openapi(
    defineRoute(unionReaders, {
      method: "get",
      path: "/v1/ticket-lists/{id}",
      operationId: "getTicketList",
      tags: ["ticket-lists"],
      summary: "A list with its travellers (masked) and conflicts",
      request: {
        params: IdParamSchema,
        query: z.object({
          offset: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(5000).optional(),
          includeRemoved: z.enum(["true", "false"]).optional(),
        }),
      },
      responses: { 200: jsonResponse(ListDetailSchema, "The list") },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(await getTicketList(serviceContext(c), c.req.valid("param").id, { offset: q.offset, limit: q.limit, includeRemoved: q.includeRemoved === "true" }), 200);
    },
  );

  app.openapi(
    defineRoute(enterpriseStaff, {
      method: "patch",
      path: "/v1/ticket-lists/{id}",
      operationId: "amendTicketList",
      tags: ["ticket-lists"],
      summary: "Add, remove or change travellers (optimistic locking by version)",
      request: {
        params: IdParamSchema,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z
                .object({
                  version: z.number().int().min(1),
                  add: z.array(TravelerInputSchema).max(10_000).optional(),
                  remove: z.array(z.uuid()).max(10_000).optional(),
                  change: z.array(TravelerInputSchema.extend({ travelerId: z.uuid() })).max(10_000).optional(),
                })
                .strict()
                .openapi("TicketListAmendment"),
            },
          },
        },
      },
      responses: { 200: jsonResponse(ListDetailSchema, "The amended list") },
    }),
    async (c) => c.json(await amendTicketList(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  app.openapi(
    defineRoute(enterpriseStaff, {
      method: "post",
      path: "/v1/ticket-lists/{id}/withdraw",
      operationId: "withdrawTicketList",
      tags: ["ticket-lists"],
      summary: "Withdraw a list (its travellers leave the campaign)",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(ListSchema, "Withdrawn") },
    }),
    async (c) => c.json(await withdrawTicketList(serviceContext(c), c.req.valid("param").id), 200),
  );

  app.openapi(
    defineRoute(unionReaders, {
      method: "get",
      path: "/v1/ticket-list-template.xlsx",
      operationId: "downloadTicketListTemplate",
      tags: ["ticket-lists"],
      summary: "The XLSX template (headers, an example row, cell validation)",
      request: { query: z.object({ campaignId: z.uuid().optional() }) },
      responses: { 200: xlsxResponse("The template") },
    }),
    async (c) => xlsx(await ticketListTemplate(serviceContext(c), c.req.valid("query").campaignId), "团体名单模板.xlsx") as never,
  );

  app.openapi(
    defineRoute(unionReaders, {
      method: "get",
      path: "/v1/campaigns/{id}/traveler-conflicts",
      operationId: "listTravelerConflicts",
      tags: ["ticket-lists"],
      summary: "People on two enterprises' lists in the campaign (masked; caller's subtree)",
      request: { params: CampaignParam },
      responses: { 200: jsonResponse(z.object({ items: z.array(ConflictSchema) }), "Conflicts") },
    }),
    async (c) => c.json(await listTravelerConflicts(serviceContext(c), c.req.valid("param").id), 200),
  );

  app.openapi(
    defineRoute(cityAdmin, {
      method: "get",
      path: "/v1/travelers/{id}/identity",
      operationId: "getTravelerIdentity",
      tags: ["ticket-lists"],
      summary: "A traveller's full ID number and mobile (city-union admins; every read is audited)",
      request: { params: IdParamSchema },
      responses: {
        200: jsonResponse(z.object({ id: z.uuid(), name: z.string(), idNumber: z.string(), mobile: z.string() }).openapi("TravelerIdentity"), "Full identity"),
      },
    }),
    async (c) => c.json(await getTravelerIdentity(serviceContext(c), c.req.valid("param").id), 200),
  );
}
