// The one configuration of homeward, parsed with zod at each entry point (Node API + workers,
// the Cloudflare Workers fetch handler, scripts). A bad value stops the process with a message
// that names the variable; nothing else in the code reads process.env.
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const base64Key = z
  .string()
  .refine((s) => Buffer.from(s, "base64").length === 32, "must be 32 bytes, base64-encoded");

export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public base URL of the API, used in links and to verify Twilio webhook signatures. */
  PUBLIC_BASE_URL: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL").optional(),
  /** Where the embedded PostgreSQL/Redis and generated dev secrets live when no URL is set. */
  DATA_DIR: z.string().default(".data"),
  LOCAL_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  LOCAL_REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(63799),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Largest JSON body accepted. */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Largest uploaded file (ticket lists). */
  UPLOAD_LIMIT_BYTES: z.coerce.number().int().positive().default(50 * 1_048_576),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(10),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  /** Cookies get the Secure flag (set true behind HTTPS). */
  COOKIE_SECURE: bool.optional(),
  /**
   * Encryption keys for personal data at rest: "keyId:base64(32 bytes)" separated by commas; the
   * first encrypts, all decrypt (rotation). Generated into DATA_DIR in development.
   */
  PII_ENCRYPTION_KEYS: z
    .string()
    .transform((s, ctx) => {
      const keys = s.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
        const [id, key] = part.split(":");
        return { id: id ?? "", key: key ?? "" };
      });
      for (const k of keys) {
        if (!/^[A-Za-z0-9_-]{1,16}$/.test(k.id) || !base64Key.safeParse(k.key).success) {
          ctx.addIssue({ code: "custom", message: "each entry must be keyId:base64(32 bytes)" });
          return z.NEVER;
        }
      }
      if (keys.length === 0) {
        ctx.addIssue({ code: "custom", message: "at least one key" });
        return z.NEVER;
      }
      return keys;
    })
    .optional(),
  /** HMAC-SHA256 key for the keyed hashes used to look up and deduplicate ID numbers and phones. */
  PII_HMAC_KEY: base64Key.optional(),
  /**
   * HTTP API processes of `npm start` (cluster workers sharing PORT). Unset: one per core, at most 4.
   */
  API_PROCESSES: z.coerce.number().int().min(1).max(64).optional(),
  /** Connections of each API process's pool (default: 20 in all, shared out among the API processes, at least 5 each). */
  API_POOL_SIZE: z.coerce.number().int().min(1).max(200).optional(),
  /** Queue workers run inside `npm start` (in a child process) unless disabled. */
  START_WORKERS: bool.default(true),
  OUTBOX_POLL_MS: z.coerce.number().int().positive().default(500),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "must look like AC + 32 hex").optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_API_KEY_SID: z.string().regex(/^SK[0-9a-fA-F]{32}$/).optional(),
  TWILIO_API_KEY_SECRET: z.string().optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/).optional(),
  TWILIO_FROM: z.string().optional(),
  /** Only for tests and the benchmark: the base URL of a local Twilio API double. */
  TWILIO_API_BASE_URL: z.url().optional(),
  SMS_RATE_PER_SECOND: z.coerce.number().positive().default(50),
  SMS_SIGNATURE: z.string().default("【苏州市总工会】"),
  SMS_HOTLINE: z.string().default("12351"),
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(2),
  SMS_QUIET_HOURS: z
    .string()
    .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, "HH:MM-HH:MM")
    .default("22:00-08:00"),
  /** How long Twilio may keep a message queued before giving up (a departure is time-bound). */
  SMS_VALIDITY_PERIOD_SEC: z.coerce.number().int().min(1).max(36_000).default(14_400),
  /** Longest a provider send request may take; after it an unanswered attempt counts as ended. */
  SMS_SEND_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** How long the provider's message list may lag (a lookup that finds nothing is conclusive after it). */
  SMS_LOOKUP_SETTLE_MS: z.coerce.number().int().min(0).default(120_000),
  /** Estimated price of one SMS segment, in fen, for the cost column of the summary. */
  SMS_SEGMENT_PRICE_FEN: z.coerce.number().int().min(0).default(5),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment (process.env, or the Workers `env` bindings). Empty strings count as unset. */
export function parseConfig(env: Record<string, unknown>): Config {
  const cleaned: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === "string" && value !== "") cleaned[key] = value;
  }
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  const config = result.data;
  if (config.NODE_ENV === "production" && (!config.PII_ENCRYPTION_KEYS || !config.PII_HMAC_KEY)) {
    throw new ConfigError(["PII_ENCRYPTION_KEYS and PII_HMAC_KEY must be set in production"]);
  }
  return config;
}
