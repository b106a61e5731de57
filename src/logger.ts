// The one logger: structured JSON (pino). Personal data never reaches it: request bodies are not
// logged, and the redaction list catches the field names that could carry an ID number or phone
// if someone logs an object by mistake.
import { pino, type Logger } from "pino";

export const redactedPaths = [
  "idNumber", "*.idNumber", "*.*.idNumber", "mobile", "*.mobile", "*.*.mobile", "phone", "*.phone",
  "password", "*.password", "authorization", "*.authorization", "req.headers.authorization",
  "req.headers.cookie", "apiKey", "*.apiKey", "token", "*.token", "To", "From", "Body", "*.To", "*.From", "*.Body",
];

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: "homeward", ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: "[redacted]" },
    formatters: { level: (label) => ({ level: label }) },
  });
}

export type { Logger };
