// Mainland China mobile numbers (1[3-9] + 9 digits), stored in E.164 (+8613812345678).
import { cellText } from "./cell-text.ts";
import { accept, reject, type FieldResult } from "./field-result.ts";

export type MobileErrorCode = "MOBILE_REQUIRED" | "MOBILE_EXCEL_SCIENTIFIC" | "MOBILE_MULTIPLE" | "MOBILE_FORMAT";

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
const SCIENTIFIC = /^(\d)(?:\.(\d+))?E\+?(\d+)$/i;
const SEPARATORS = /[\s\-–—()（）.·]/g;

// "1.3812345678E+10" still holds every digit and is expanded; "1.38123E+10" lost some.
function expandScientific(text: string): string | undefined {
  const match = SCIENTIFIC.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? "";
  return fraction.length === Number(match[3]) ? match[1] + fraction : undefined;
}

function withoutCountryCode(digits: string): string {
  if (digits.startsWith("+86")) return digits.slice(3);
  if (digits.startsWith("0086")) return digits.slice(4);
  if (digits.startsWith("86") && digits.length === 13) return digits.slice(2);
  return digits;
}

const mainlandDigits = (text: string): string | undefined => {
  const digits = withoutCountryCode(text.replace(SEPARATORS, ""));
  return MAINLAND_MOBILE.test(digits) ? digits : undefined;
};

/** A mobile number as typed or as Excel left it, normalised to E.164. */
export function parseMobile(raw: unknown): FieldResult<string, MobileErrorCode> {
  let text = cellText(raw);
  text = text.replace(/^['‘’`]/, "");
  if (text === "") return reject("MOBILE_REQUIRED", "手机号不能为空", "The mobile number is required");
  if (SCIENTIFIC.test(text)) {
    const expanded = expandScientific(text);
    if (expanded === undefined || !MAINLAND_MOBILE.test(expanded)) {
      return reject(
        "MOBILE_EXCEL_SCIENTIFIC",
        "手机号显示为科学计数法（如 1.38123E+10），数字已丢失；请把该列设为“文本”格式后重新填写",
        "The mobile number is in scientific notation (e.g. 1.38123E+10) and its digits are lost; format the column as Text and re-enter it",
      );
    }
    text = expanded;
  }
  const single = mainlandDigits(text);
  if (single) return accept(`+86${single}`);
  const parts = text.split(/[/,;、，；|]+/).filter((part) => part.trim() !== "");
  if (parts.length > 1 && parts.every((part) => mainlandDigits(part))) {
    return reject("MOBILE_MULTIPLE", "每行只能填写一个手机号", "Enter exactly one mobile number per row");
  }
  return reject(
    "MOBILE_FORMAT",
    "手机号应为以 13–19 开头的11位大陆手机号码",
    "A mobile number has 11 digits starting with 13–19 (mainland China)",
  );
}
