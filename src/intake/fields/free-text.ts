// The optional free-text cells: a travel-together group tag and a remark.
import { cellText } from "./cell-text.ts";
import { accept, reject, type FieldResult } from "./field-result.ts";

export type FreeTextErrorCode = "GROUP_TOO_LONG" | "REMARK_TOO_LONG";

export const GROUP_TAG_MAX_LENGTH = 32;
export const REMARK_MAX_LENGTH = 200;

const textOf = (raw: unknown) => cellText(raw).replace(/\s+/g, " ");

/** Travellers with the same tag (a family, co-villagers) are kept together; blank means alone. */
export function parseGroupTag(raw: unknown): FieldResult<string | null, FreeTextErrorCode> {
  const tag = textOf(raw);
  if ([...tag].length > GROUP_TAG_MAX_LENGTH) {
    return reject("GROUP_TOO_LONG", `同行组名称最多 ${GROUP_TAG_MAX_LENGTH} 个字`, `A group tag has at most ${GROUP_TAG_MAX_LENGTH} characters`);
  }
  return accept(tag === "" ? null : tag);
}

export function parseRemark(raw: unknown): FieldResult<string | null, FreeTextErrorCode> {
  const remark = textOf(raw);
  if ([...remark].length > REMARK_MAX_LENGTH) {
    return reject("REMARK_TOO_LONG", `备注最多 ${REMARK_MAX_LENGTH} 个字`, `A remark has at most ${REMARK_MAX_LENGTH} characters`);
  }
  return accept(remark === "" ? null : remark);
}
