// The edge where every error becomes problem+json. Unexpected errors are logged with the request
// id and answered 500 with no stack trace or internals.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import { AppError, toProblem, type FieldProblem } from "../errors.ts";
import type { AppEnv } from "./env.ts";

export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const requestId = c.get("requestId") ?? "unknown";
  const body = toProblem(error, requestId);
  const headers: Record<string, string> = { "content-type": "application/problem+json; charset=utf-8", "x-request-id": requestId, ...error.headers };
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

export function zodToFieldProblems(error: ZodError, prefix: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    code: customCode(issue) ?? `INVALID_${issue.code.toUpperCase()}`,
    message: { zh: localiseZodIssue(issue), en: issue.message },
  }));
}

/** Refinements may carry their own stable code and Chinese text in `params`. */
function customCode(issue: ZodError["issues"][number]): string | undefined {
  const params = (issue as unknown as { params?: { code?: unknown } }).params;
  return typeof params?.code === "string" ? params.code : undefined;
}

function localiseZodIssue(issue: ZodError["issues"][number]): string {
  const custom = (issue as unknown as { params?: { zh?: string } }).params?.zh;
  if (custom) return custom;
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "必填项缺失" : "类型不正确";
    case "too_small":
      return "取值过小或过短";
    case "too_big":
      return "取值过大或过长";
    case "invalid_format":
      return "格式不正确";
    case "invalid_value":
      return "取值不在允许范围内";
    case "unrecognized_keys":
      return "包含未知字段";
    default:
      return "取值无效";
  }
}

export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof AppError) return problemResponse(c, error);
  if (error instanceof ZodError) {
    return problemResponse(c, new AppError("VALIDATION_FAILED", { errors: zodToFieldProblems(error, "") }));
  }
  if (error instanceof HTTPException) {
    if (error.status === 413) return problemResponse(c, new AppError("PAYLOAD_TOO_LARGE"));
    if (error.status === 400 && /json/i.test(error.message)) return problemResponse(c, new AppError("MALFORMED_JSON"));
    if (error.status === 400) return problemResponse(c, new AppError("VALIDATION_FAILED", { detail: error.message }));
  }
  const log = c.get("log");
  log?.error({ err: error, requestId: c.get("requestId"), route: c.req.routePath }, "unexpected error");
  return problemResponse(c, new AppError("INTERNAL"));
};

export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new AppError("ROUTE_NOT_FOUND", { detail: `${c.req.method} ${new URL(c.req.url).pathname}` }));
