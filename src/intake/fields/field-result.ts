import type { LocalisedMessage } from "../../errors.ts";

/** One problem with one value: a stable code and what to tell the person who typed it. */
export interface FieldIssue<Code extends string = string> {
  code: Code;
  message: LocalisedMessage;
}

export type FieldResult<Value, Code extends string = string> =
  | { ok: true; value: Value }
  | { ok: false; error: FieldIssue<Code> };

export const accept = <Value>(value: Value): { ok: true; value: Value } => ({ ok: true, value });

export const reject = <Code extends string>(code: Code, zh: string, en: string): { ok: false; error: FieldIssue<Code> } => ({
  ok: false,
  error: { code, message: { zh, en } },
});
