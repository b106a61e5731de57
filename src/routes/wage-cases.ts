// Wage-arrears cases (追讨欠薪, issue 6): register, read, list, move on, note, record payments,
// figures for row 08(C), and the travellers flagged as unpaid before they leave.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { UNION_KINDS } from "../auth/policy.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, IdParamSchema, jsonResponse, LocalisedMessageSchema } from "../http/openapi.ts";
import { addWageCaseEvent, createWageCase, getWageCase, listWageCases, transitionWageCase } from "../services/wages/cases.ts";
import { getWageFigures } from "../services/wages/figures.ts";
import { recordWageRecovery, recordWageRecoveryBodySchema } from "../services/wages/recoveries.ts";
import { listWageTravelFlags } from "../services/wages/travel-flags.ts";
import { AGEING_BUCKETS } from "../wages/deadlines.ts";
import { addWageCaseEventSchema, createWageCaseSchema, transitionWageCaseSchema } from "../wages/schemas.ts";
import { CASE_SOURCES, HANDLING_ORGS } from "../wages/vocabulary.ts";
import { WAGE_CASE_STATUSES } from "../wages/workflow.ts";
import { IsoDateSchema } from "./schemas.ts";
import { serviceContext } from "./service-context.ts";

const MoneySchema = z
  .object({
    fen: z.string().openapi({ description: "Exact amount in fen (分), as a string of digits", example: "1234567" }),
    yuan: z.string().openapi({ description: "Exact amount in yuan", example: "12345.67" }),
    wanYuan: z.string().openapi({ description: "万元, rounded half up to 2 decimals, as the statistics form asks", example: "1.23" }),
  })
  .openapi("Money");

const WageCaseStatusSchema = z.enum(WAGE_CASE_STATUSES).openapi("WageCaseStatus");

const WageCaseSummarySchema = z
  .object({
    id: z.uuid(),
    caseNo: z.string().openapi({ example: "QX2027-000123" }),
    campaignId: z.uuid().nullable(),
    orgId: z.uuid().openapi({ description: "The organisation the case belongs to (its subtree sees it)" }),
    orgName: z.string(),
    reportingOrgId: z.uuid(),
    source: z.enum(CASE_SOURCES),
    employer: z.object({ name: z.string(), uscc: z.string().nullable(), address: z.string().nullable(), districtCode: z.string().nullable() }),
    constructionProject: z.object({ name: z.string(), generalContractor: z.object({ name: z.string(), uscc: z.string().nullable() }) }).nullable(),
    workers: z.object({ count: z.number().int(), migrantCount: z.number().int() }),
    owed: MoneySchema,
    period: z.object({ from: IsoDateSchema, to: IsoDateSchema }).nullable(),
    handlingOrg: z.enum(HANDLING_ORGS),
    status: WageCaseStatusSchema,
    statusLabel: LocalisedMessageSchema,
    allowedTransitions: z.array(WageCaseStatusSchema).openapi({ description: "Statuses an officer may move the case to by hand" }),
    canRecordRecovery: z.boolean(),
    rejectReason: z.string().nullable(),
    notes: z.string().nullable(),
    version: z.number().int().openapi({ description: "Send it back as expectedVersion when moving the case on" }),
    registeredOn: IsoDateSchema,
    acceptanceDueOn: IsoDateSchema.nullable().openapi({ description: "5 working days after registration; null while that year's schedule is not loaded" }),
    resolutionTargetOn: IsoDateSchema.nullable().openapi({ description: "The campaign's 'paid before leaving' date" }),
    acceptedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    escalatedAt: z.string().nullable(),
    ageDays: z.number().int(),
    overdue: z.object({ overdue: z.boolean(), reasons: z.array(z.enum(["ACCEPTANCE_DEADLINE_PASSED", "PAID_BEFORE_DATE_PASSED"])) }),
    recovered: z.object({
      amount: MoneySchema,
      migrantAmount: MoneySchema,
      outstanding: MoneySchema,
      workersPaid: z.number().int(),
      migrantWorkersPaid: z.number().int(),
      overRecoveryAllowed: z.boolean(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WageCaseSummary");

const WagePaymentSchema = z
  .object({
    id: z.uuid(),
    amount: MoneySchema,
    paidOn: IsoDateSchema,
    workersPaid: z.number().int(),
    migrantWorkersPaid: z.number().int(),
    migrantAmount: MoneySchema,
    method: z.string(),
    overRecovery: z.boolean(),
    overRecoveryReason: z.string().nullable(),
    note: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("WagePayment");

const WageCaseEventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    kind: z.string(),
    kindLabel: LocalisedMessageSchema,
    actor: z.string(),
    actorOrgId: z.string().nullable(),
    fromStatus: WageCaseStatusSchema.nullable(),
    toStatus: WageCaseStatusSchema.nullable(),
    note: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("WageCaseEvent");

const WageCaseSchema = WageCaseSummarySchema.extend({
  namedWorkers: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      idNumberMasked: z.string(),
      mobileMasked: z.string().nullable(),
      isMigrant: z.boolean(),
      paidAt: z.string().nullable(),
      paymentId: z.string().nullable(),
    }),
  ),
  timeline: z.array(WageCaseEventSchema),
  payments: z.array(WagePaymentSchema),
}).openapi("WageCase");

const CreatedWageCaseSchema = WageCaseSchema.extend({
  calendarGap: z
    .object({ missingYear: z.number().int(), message: LocalisedMessageSchema })
    .nullable()
    .openapi({ description: "Set when the acceptance deadline waits for a year's schedule to be loaded" }),
}).openapi("CreatedWageCase");

const ScopeQuerySchema = z.object({
  campaignId: z.uuid().openapi({ description: "The campaign" }),
  orgId: z.uuid().optional().openapi({ description: "Narrow to this organisation's subtree (a district or an enterprise)" }),
});

const staff = { kinds: UNION_KINDS, minRole: "STAFF" } as const;
const readers = { kinds: UNION_KINDS, minRole: "READ_ONLY" } as const;
const json = <S extends z.ZodType>(schema: S) => ({ required: true, content: { "application/json": { schema } } });

export function registerWageCaseRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute(staff, {
      method: "post",
      path: "/v1/wage-cases",
      operationId: "createWageCase",
      tags: ["wage cases"],
      summary: "Register a wage-arrears case",
      description:
        "The case belongs to the reporting enterprise or district union; when the city union reports it, to the district union whose region code is the employer's. Named workers' ID numbers and mobiles are stored encrypted and answered masked.",
      request: { body: json(createWageCaseSchema) },
      responses: { 201: jsonResponse(CreatedWageCaseSchema, "Registered") },
    }),
    async (c) => c.json(await createWageCase(serviceContext(c), c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute(readers, {
      method: "get",
      path: "/v1/wage-cases",
      operationId: "listWageCases",
      tags: ["wage cases"],
      summary: "Cases of the caller's subtree, newest first",
      request: {
        query: z.object({
          campaignId: z.uuid().optional(),
          status: WageCaseStatusSchema.optional(),
          orgId: z.uuid().optional().openapi({ description: "A district or enterprise in the caller's subtree" }),
          overdue: z.enum(["true", "false"]).optional().openapi({ description: "true: only overdue cases (the overdue list)" }),
          employer: z.string().trim().min(1).max(200).optional().openapi({ description: "Part of the employer's name, its USCC, or a case number" }),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(WageCaseSummarySchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }), "Cases"),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const result = await listWageCases(serviceContext(c), {
        ...q,
        status: q.status ? [q.status] : undefined,
        overdue: q.overdue === undefined ? undefined : q.overdue === "true",
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    defineRoute(readers, {
      method: "get",
      path: "/v1/wage-cases/{id}",
      operationId: "getWageCase",
      tags: ["wage cases"],
      summary: "A case with its named workers (masked), timeline and payments",
      request: { params: IdParamSchema },
      responses: { 200: jsonResponse(WageCaseSchema, "The case") },
    }),
    async (c) => c.json(await getWageCase(serviceContext(c), c.req.valid("param").id), 200),
  );

  app.openapi(
    defineRoute(staff, {
      method: "post",
      path: "/v1/wage-cases/{id}/transitions",
      operationId: "transitionWageCase",
      tags: ["wage cases"],
      summary: "Move a case to its next status",
      description:
        "Follows the explicit transition table; a move it does not allow is a 409 WAGE_CASE_INVALID_TRANSITION listing `allowed`. RECOVERED and PARTIALLY_RECOVERED follow from recording payments. `expectedVersion` must be the version the officer read; otherwise 409 WAGE_CASE_VERSION_CONFLICT.",
      request: { params: IdParamSchema, body: json(transitionWageCaseSchema) },
      responses: { 200: jsonResponse(WageCaseSchema, "The case after the move") },
    }),
    async (c) => c.json(await transitionWageCase(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  app.openapi(
    defineRoute(staff, {
      method: "post",
      path: "/v1/wage-cases/{id}/events",
      operationId: "addWageCaseEvent",
      tags: ["wage cases"],
      summary: "Add an entry (call, interview, visit, note…) to a case's timeline",
      request: { params: IdParamSchema, body: json(addWageCaseEventSchema) },
      responses: { 201: jsonResponse(WageCaseEventSchema, "Added") },
    }),
    async (c) => c.json(await addWageCaseEvent(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute(staff, {
      method: "post",
      path: "/v1/wage-cases/{id}/recoveries",
      operationId: "recordWageRecovery",
      tags: ["wage cases"],
      summary: "Record money recovered for the case's workers",
      description:
        "The amount is an exact yuan string (`amountYuan`, e.g. \"12345.67\") or integer fen (`amountFen`), never a float. The total may exceed the amount owed only with `overRecovery: true` and a reason (audited). The status becomes PARTIALLY_RECOVERED or RECOVERED. With `notifyWorkers` and `paidWorkerIds`, the paid workers get a 工资已追回 SMS.",
      request: { params: IdParamSchema, body: json(recordWageRecoveryBodySchema) },
      responses: { 201: jsonResponse(z.object({ payment: WagePaymentSchema, case: WageCaseSchema }), "Recorded") },
    }),
    async (c) => c.json(await recordWageRecovery(serviceContext(c), c.req.valid("param").id, c.req.valid("json")), 201),
  );

  app.openapi(
    defineRoute(readers, {
      method: "get",
      path: "/v1/wage-figures",
      operationId: "getWageFigures",
      tags: ["wage cases"],
      summary: "Cases by status, ageing, overdue, and what was recovered (row 08(C)) for a subtree and campaign",
      request: { query: ScopeQuerySchema },
      responses: {
        200: jsonResponse(
          z
            .object({
              campaignId: z.uuid(),
              orgId: z.uuid(),
              asOf: IsoDateSchema,
              cases: z.object({
                total: z.number().int(),
                open: z.number().int(),
                overdue: z.number().int(),
                byStatus: z.array(z.object({ status: WageCaseStatusSchema, label: LocalisedMessageSchema, count: z.number().int() })),
                ageing: z.array(z.object({ bucket: z.enum(AGEING_BUCKETS.map((b) => b.key) as [string, ...string[]]), label: LocalisedMessageSchema, count: z.number().int() })),
              }),
              owed: z.object({ amount: MoneySchema, workers: z.number().int(), migrantWorkers: z.number().int() }),
              recovered: z.object({
                payments: z.number().int(),
                all: z.object({ workers: z.number().int(), amount: MoneySchema }),
                migrant: z.object({ workers: z.number().int(), amount: MoneySchema }),
                reconciled: z.boolean().openapi({ description: "The payments add up exactly to the sums kept on the cases" }),
              }),
            })
            .openapi("WageFigures"),
          "Figures",
        ),
      },
    }),
    async (c) => c.json(await getWageFigures(serviceContext(c), c.req.valid("query")), 200),
  );

  app.openapi(
    defineRoute(readers, {
      method: "get",
      path: "/v1/wage-travel-flags",
      operationId: "listWageTravelFlags",
      tags: ["wage cases"],
      summary: "Travellers who are named workers of an unpaid case: 'unpaid, departs on …'",
      request: { query: ScopeQuerySchema },
      responses: {
        200: jsonResponse(
          z.object({
            items: z.array(
              z
                .object({
                  traveler: z.object({
                    id: z.uuid(),
                    orgId: z.uuid(),
                    orgName: z.string(),
                    name: z.string(),
                    idNumberMasked: z.string(),
                    mobileMasked: z.string(),
                    earliestDate: IsoDateSchema,
                  }),
                  cases: z.array(
                    z.object({
                      id: z.uuid(),
                      caseNo: z.string(),
                      status: z.string(),
                      employerName: z.string(),
                      outstandingYuan: z.string(),
                      workerPaidAt: z.string().nullable(),
                    }),
                  ),
                  departure: z
                    .object({
                      date: IsoDateSchema,
                      time: z.string(),
                      at: z.string(),
                      vehicle: z.string().nullable(),
                      mode: z.string().nullable(),
                      car: z.string().nullable(),
                      seat: z.string().nullable(),
                    })
                    .nullable(),
                  departsOn: IsoDateSchema,
                  message: LocalisedMessageSchema,
                })
                .openapi("WageTravelFlag"),
            ),
          }),
          "Flagged travellers",
        ),
      },
    }),
    async (c) => c.json(await listWageTravelFlags(serviceContext(c), c.req.valid("query")), 200),
  );
}
