// Request bodies of the wage-arrears API (issue 6), in plain zod so the HTTP layer can wrap them for
// OpenAPI. A rule failure is a custom issue with params { code, zh } and the English message, which
// the error handler turns into a field problem with a stable code.
import { z } from "zod";
import { isIsoDate } from "../calendar/iso-date.ts";
import { parseIdNumber } from "../intake/fields/id-number.ts";
import { parseMobile } from "../intake/fields/mobile.ts";
import { parseYuan } from "./money.ts";
import { validateUscc } from "./uscc.ts";
import { CASE_SOURCES, HANDLING_ORGS, OFFICER_EVENT_KINDS, PAYMENT_METHODS, TRANSFER_TARGETS } from "./vocabulary.ts";
import { WAGE_CASE_STATUSES } from "./workflow.ts";

interface Issue {
  code: string;
  zh: string;
  en: string;
  path?: PropertyKey[];
}

function addCodedIssue(ctx: z.RefinementCtx, { code, zh, en, path }: Issue): void {
  ctx.addIssue({ code: "custom", message: en, params: { code, zh }, ...(path ? { path } : {}) });
}

const text = (max: number) => z.string().trim().min(1).max(max);

const isoDateSchema = z
  .string()
  .refine(isIsoDate, { message: "Expected a real date written YYYY-MM-DD", params: { code: "INVALID_DATE", zh: "应为 YYYY-MM-DD 格式的真实日期" } })
  .describe("Date in China, YYYY-MM-DD");

/** A 统一社会信用代码, normalised (half-width, upper case) and checked (GB 32100 and GB 11714 check characters). */
export const usccSchema = z
  .string()
  .max(40)
  .transform((raw, ctx) => {
    const result = validateUscc(raw);
    if (result.ok) return result.uscc;
    for (const error of result.errors) addCodedIssue(ctx, { code: error.code, ...error.message });
    return z.NEVER;
  })
  .describe("统一社会信用代码, 18 characters, e.g. 914403001922038216");

/** An amount in yuan written as a string ("12345.67", "1,234.50", "1.2万"), turned into a positive number of fen. */
export const positiveYuanSchema = z
  .string()
  .max(40)
  .transform((raw, ctx) => {
    const result = parseYuan(raw);
    if (!result.ok) {
      addCodedIssue(ctx, { code: result.code, ...result.message });
      return z.NEVER;
    }
    if (result.fen === 0n) {
      addCodedIssue(ctx, { code: "MONEY_NOT_POSITIVE", zh: "金额必须大于零", en: "The amount must be more than zero" });
      return z.NEVER;
    }
    return result.fen;
  })
  .describe("Amount in yuan as a string, never a JSON number: 12345.67, 1,234.50 or 1.2万");

const regionCodeSchema = z
  .string()
  .refine((code) => /^\d{6}$/.test(code), {
    message: "Expected a 6-digit GB/T 2260 region code",
    params: { code: "INVALID_REGION_CODE", zh: "应为 6 位行政区划代码" },
  })
  .describe("GB/T 2260 code of the district or county, e.g. 320509 吴江区");

// Named workers are checked exactly as intake checks travellers, so that a worker's ID hash and
// mobile match the ticket lists (the travel flag) and the SMS pipeline (E.164).
const mobileSchema = z
  .string()
  .max(30)
  .transform((raw, ctx) => {
    const result = parseMobile(raw);
    if (result.ok) return result.value;
    addCodedIssue(ctx, { code: result.error.code, ...result.error.message });
    return z.NEVER;
  })
  .describe("Mainland mobile number, 11 digits starting 1[3-9]; stored as E.164 (+8613812345678)");

// Elderly labourers are common on construction sites; the travel lists' upper age limit does not apply.
const OLDEST_WORKER_AGE = 100;

const idNumberSchema = z
  .string()
  .max(30)
  .transform((raw, ctx) => {
    const result = parseIdNumber(raw, { today: new Date(), maxAge: OLDEST_WORKER_AGE });
    if (result.ok) return result.value.idNumber;
    addCodedIssue(ctx, { code: result.error.code, ...result.error.message });
    return z.NEVER;
  })
  .describe("居民身份证号码, 18 characters; stored encrypted, compared by keyed hash, shown masked");

const namedWorkerSchema = z.object({
  name: text(50).describe("Worker's name"),
  idNumber: idNumberSchema,
  mobile: mobileSchema.optional(),
});

const companySchema = z.object({
  name: text(200).describe("Registered name"),
  uscc: usccSchema,
});

export const createWageCaseSchema = z
  .object({
    campaignId: z.uuid().describe("The campaign whose 'paid before leaving' date the case works to"),
    reportingOrgId: z
      .uuid()
      .describe("Who reports the case: an enterprise union, a district union or the city union's rights department"),
    source: z.enum(CASE_SOURCES).describe("How the case reached the union"),
    employer: z
      .object({
        name: text(200).describe("Employer's name"),
        uscc: usccSchema
          .optional()
          .describe("Employer's 统一社会信用代码; may be missing only for a construction project, where the general contractor's is given"),
        address: text(300).describe("Where the employer is"),
        districtCode: regionCodeSchema,
      })
      .describe("The employer in arrears"),
    constructionProject: z
      .object({
        name: text(200).describe("Project name"),
        generalContractor: companySchema.describe("总承包单位, which pays first under 《保障农民工工资支付条例》"),
      })
      .optional()
      .describe("For construction: the project and its general contractor"),
    workers: z
      .object({
        count: z.number().int().min(1).max(100_000).describe("Workers owed wages"),
        migrantCount: z.number().int().min(0).max(100_000).describe("Of whom migrant workers (农民工)"),
      })
      .superRefine((workers, ctx) => {
        if (workers.migrantCount > workers.count) {
          addCodedIssue(ctx, {
            code: "WAGE_MIGRANT_EXCEEDS_WORKERS",
            path: ["migrantCount"],
            zh: "农民工人数不能超过涉及职工总数",
            en: "Migrant workers cannot outnumber the workers",
          });
        }
      }),
    namedWorkers: z.array(namedWorkerSchema).max(1000).default([]).describe("The workers known by name, if any"),
    owedYuan: positiveYuanSchema.describe("Amount owed, in yuan as a string"),
    period: z
      .object({ from: isoDateSchema.describe("First day of unpaid work"), to: isoDateSchema.describe("Last day of unpaid work") })
      .superRefine((period, ctx) => {
        if (isIsoDate(period.from) && isIsoDate(period.to) && period.from > period.to) {
          addCodedIssue(ctx, { code: "WAGE_PERIOD_REVERSED", path: ["to"], zh: "欠薪期间的结束日早于开始日", en: "The period ends before it starts" });
        }
      })
      .describe("The period the wages are owed for"),
    handlingOrg: z.enum(HANDLING_ORGS).default("UNION").describe("Who handles the case now"),
    notes: z.string().trim().max(2000).optional(),
  })
  .superRefine((input, ctx) => {
    if (!input.employer.uscc && !input.constructionProject) {
      addCodedIssue(ctx, {
        code: "WAGE_EMPLOYER_USCC_REQUIRED",
        path: ["employer", "uscc"],
        zh: "请填写用人单位统一社会信用代码（建设工程项目可只填总承包单位的）",
        en: "Give the employer's unified social credit code (for a construction project, the general contractor's is enough)",
      });
    }
    if (input.namedWorkers.length > input.workers.count) {
      addCodedIssue(ctx, {
        code: "WAGE_NAMED_WORKERS_EXCEED_COUNT",
        path: ["namedWorkers"],
        zh: "列名职工多于涉及职工总数",
        en: "More named workers than workers in the case",
      });
    }
    const seen = new Set<string>();
    input.namedWorkers.forEach((worker, index) => {
      if (seen.has(worker.idNumber)) {
        addCodedIssue(ctx, {
          code: "WAGE_DUPLICATE_NAMED_WORKER",
          path: ["namedWorkers", index, "idNumber"],
          zh: "同一身份证号码出现两次",
          en: "The same ID number appears twice",
        });
      }
      seen.add(worker.idNumber);
    });
  })
  .describe("Register a wage-arrears case");

export const transitionWageCaseSchema = z
  .object({
    to: z.enum(WAGE_CASE_STATUSES).describe("The status to move to"),
    reason: z.string().trim().min(1).max(500).optional().describe("Why; required to reject, and to close without full recovery"),
    transferTo: z.enum(TRANSFER_TARGETS).optional().describe("Who takes the case over; required with to = TRANSFERRED"),
    note: z.string().trim().max(2000).optional().describe("Added to the timeline"),
    expectedVersion: z.number().int().min(0).describe("The case version the officer saw; a different current version is a 409"),
  })
  .superRefine((input, ctx) => {
    if (input.to === "REJECTED" && !input.reason) {
      addCodedIssue(ctx, { code: "WAGE_CASE_REASON_REQUIRED", path: ["reason"], zh: "不予处理须填写理由", en: "A rejection needs a reason" });
    }
    if (input.to === "TRANSFERRED" && !input.transferTo) {
      addCodedIssue(ctx, {
        code: "WAGE_CASE_TRANSFER_TARGET_REQUIRED",
        path: ["transferTo"],
        zh: "移交须指明接收单位",
        en: "A transfer must name who takes the case",
      });
    }
    if (input.to !== "TRANSFERRED" && input.transferTo) {
      addCodedIssue(ctx, {
        code: "WAGE_CASE_TRANSFER_TARGET_UNEXPECTED",
        path: ["transferTo"],
        zh: "只有移交时才填写接收单位",
        en: "transferTo belongs only to a transfer",
      });
    }
  })
  .describe("Move a case to its next status");

export const addWageCaseEventSchema = z
  .object({
    kind: z.enum(OFFICER_EVENT_KINDS).describe("What happened"),
    note: text(2000).describe("What was done or said"),
  })
  .describe("Add an entry to a case's timeline");

export const recordWageRecoverySchema = z
  .object({
    amountYuan: positiveYuanSchema.describe("Amount paid, in yuan as a string"),
    paidOn: isoDateSchema.describe("The day the workers were paid"),
    workersPaid: z.number().int().min(1).max(100_000).describe("Workers paid by this payment"),
    migrantWorkersPaid: z.number().int().min(0).max(100_000).describe("Of whom migrant workers"),
    method: z.enum(PAYMENT_METHODS).describe("How the money was paid"),
    overRecovery: z.boolean().default(false).describe("Set knowingly when the total goes above the amount owed"),
    overRecoveryReason: z.string().trim().min(1).max(500).optional().describe("Why more than owed was recovered"),
    notifyWorkers: z.boolean().default(false).describe("Send the named workers a 工资已追回 SMS"),
  })
  .superRefine((input, ctx) => {
    if (input.migrantWorkersPaid > input.workersPaid) {
      addCodedIssue(ctx, {
        code: "WAGE_RECOVERY_MIGRANT_WORKERS_OUT_OF_RANGE",
        path: ["migrantWorkersPaid"],
        zh: "其中农民工人数不能超过获付职工人数",
        en: "Migrant workers paid cannot exceed the workers paid",
      });
    }
    if (input.overRecovery && !input.overRecoveryReason) {
      addCodedIssue(ctx, {
        code: "WAGE_OVER_RECOVERY_REASON_REQUIRED",
        path: ["overRecoveryReason"],
        zh: "超额追回须说明理由",
        en: "An over-recovery needs a reason",
      });
    }
  })
  .describe("Record money recovered for the workers of a case");

export type CreateWageCaseInput = z.output<typeof createWageCaseSchema>;
export type TransitionWageCaseInput = z.output<typeof transitionWageCaseSchema>;
export type AddWageCaseEventInput = z.output<typeof addWageCaseEventSchema>;
export type RecordWageRecoveryInput = z.output<typeof recordWageRecoverySchema>;
