// One error model for the whole product: services throw AppError (or a subclass), the HTTP edge
// renders every error as RFC 9457 problem details (application/problem+json) with a stable code and
// a message in Chinese and English.

export interface LocalisedMessage {
  zh: string;
  en: string;
}

/** Every stable error code, its HTTP status and its default messages. */
export const errorCatalog = {
  VALIDATION_FAILED: { status: 400, zh: "请求内容不符合要求", en: "The request is not valid" },
  MALFORMED_JSON: { status: 400, zh: "请求体不是有效的 JSON", en: "The request body is not valid JSON" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: "不支持的内容类型", en: "Unsupported content type" },
  PAYLOAD_TOO_LARGE: { status: 413, zh: "请求体过大", en: "The request body is too large" },
  UNAUTHENTICATED: { status: 401, zh: "未登录或凭据无效", en: "Missing or invalid credentials" },
  FORBIDDEN: { status: 403, zh: "无权执行此操作", en: "You are not allowed to do this" },
  CSRF_FAILED: { status: 403, zh: "表单已过期，请刷新页面后重试", en: "The form has expired; reload the page and try again" },
  NOT_FOUND: { status: 404, zh: "未找到", en: "Not found" },
  ROUTE_NOT_FOUND: { status: 404, zh: "没有这个接口", en: "No such route" },
  METHOD_NOT_ALLOWED: { status: 405, zh: "不支持此请求方法", en: "Method not allowed" },
  CONFLICT: { status: 409, zh: "与当前状态冲突", en: "Conflicts with the current state" },
  VERSION_CONFLICT: { status: 409, zh: "记录已被他人修改，请刷新后重试", en: "The record was changed by someone else; reload and retry" },
  RATE_LIMITED: { status: 429, zh: "尝试次数过多，请稍后再试", en: "Too many attempts; try again later" },
  SERVICE_UNAVAILABLE: { status: 503, zh: "服务暂时不可用", en: "Service temporarily unavailable" },
  INTERNAL: { status: 500, zh: "服务器内部错误", en: "Internal server error" },
} as const satisfies Record<string, { status: number } & LocalisedMessage>;

export type BaseErrorCode = keyof typeof errorCatalog;

export interface FieldProblem {
  /** JSON path of the field ("body.travellers.3.idNumber") or a file location ("row 12, 身份证号"). */
  path: string;
  code: string;
  message: LocalisedMessage;
}

export interface AppErrorOptions {
  /** A more specific, stable code than the base one (e.g. "WAGE_CASE_INVALID_TRANSITION"). */
  code?: string;
  message?: LocalisedMessage;
  detail?: string;
  errors?: FieldProblem[];
  /** Extra members of the problem document (e.g. `allowed` next states). */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly baseCode: BaseErrorCode;
  readonly localised: LocalisedMessage;
  readonly detail?: string;
  readonly errors?: FieldProblem[];
  readonly extensions?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(baseCode: BaseErrorCode, options: AppErrorOptions = {}) {
    const entry = errorCatalog[baseCode];
    const localised = options.message ?? { zh: entry.zh, en: entry.en };
    super(localised.en, { cause: options.cause });
    this.name = "AppError";
    this.baseCode = baseCode;
    this.status = entry.status;
    this.code = options.code ?? baseCode;
    this.localised = localised;
    this.detail = options.detail;
    this.errors = options.errors;
    this.extensions = options.extensions;
    this.headers = options.headers;
  }
}

export const notFound = (what: LocalisedMessage = errorCatalog.NOT_FOUND) =>
  new AppError("NOT_FOUND", { message: what });
export const forbidden = (detail?: string) => new AppError("FORBIDDEN", { detail });
export const conflict = (code: string, message: LocalisedMessage, extensions?: Record<string, unknown>) =>
  new AppError("CONFLICT", { code, message, extensions });

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  message: LocalisedMessage;
  requestId: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export const problemTypeBase = "https://homeward.dev/problems/";

export function toProblem(error: AppError, requestId: string): ProblemDocument {
  return {
    ...error.extensions,
    type: `${problemTypeBase}${error.code.toLowerCase().replaceAll("_", "-")}`,
    title: error.localised.en,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    code: error.code,
    message: error.localised,
    requestId,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}
