// Names as printed on the ID card: Han characters (any CJK extension: 𠮷), the middle dot of
// transliterated minority and foreign names (买买提·艾力), or a Latin-script name for the few
// foreigners and minority workers whose documents carry one.
import { cellText } from "./cell-text.ts";
import { accept, reject, type FieldResult } from "./field-result.ts";

export type NameErrorCode = "NAME_REQUIRED" | "NAME_LENGTH" | "NAME_CHARSET";

export const NAME_MIN_LENGTH = 2;
export const NAME_MAX_LENGTH = 30;

// Middle dots people type instead of U+00B7: bullet, katakana middle dot (full and half width),
// hyphenation point, dot operators, Greek ano teleia.
const DOT_VARIANTS = /[•・‧･∙⋅·]/g;
const HAN_NAME = /^\p{Script=Han}+(?:·\p{Script=Han}+)*$/u;
const LATIN_NAME = /^\p{Script=Latin}+(?:[ '\-.·]\p{Script=Latin}+)*\.?$/u;

// Most names are two to four common ideographs and need none of the work below.
const PLAIN_HAN_NAME = /^[\u4e00-\u9fff]{2,4}$/;

/** A person's name, normalised (NFKC, one kind of middle dot, single spaces). */
export function parseName(raw: unknown): FieldResult<string, NameErrorCode> {
  if (typeof raw === "string" && PLAIN_HAN_NAME.test(raw)) return accept(raw);
  let name = cellText(raw)
    .replace(DOT_VARIANTS, "·")
    .replace(/\s+/g, " ");
  if (name === "") return reject("NAME_REQUIRED", "姓名不能为空", "The name is required");
  // Between Han characters a full stop or spaces around the dot are typing variants of ·.
  name = name.replace(/(?<=\p{Script=Han})\s*[.·]\s*(?=\p{Script=Han})/gu, "·");
  if (/\p{Script=Han}/u.test(name)) name = name.replace(/\s+/g, "");
  const length = [...name].length;
  if (length < NAME_MIN_LENGTH || length > NAME_MAX_LENGTH) {
    return reject(
      "NAME_LENGTH",
      `姓名长度应为 ${NAME_MIN_LENGTH}–${NAME_MAX_LENGTH} 个字`,
      `A name has ${NAME_MIN_LENGTH}–${NAME_MAX_LENGTH} characters`,
    );
  }
  if (!HAN_NAME.test(name) && !LATIN_NAME.test(name)) {
    return reject(
      "NAME_CHARSET",
      "姓名只能是汉字（少数民族姓名可用“·”分隔）或拉丁字母，不能夹杂数字或符号",
      "A name is Chinese characters (minority names may use ·) or Latin letters, without digits or symbols",
    );
  }
  return accept(name);
}
