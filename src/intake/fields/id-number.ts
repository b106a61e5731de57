// 居民身份证号码 (GB 11643-1999): 6-digit region + 8-digit birth date + 3-digit sequence (odd = male)
// + ISO 7064 MOD 11-2 check character. Lists kept in Excel arrive damaged in known ways, each
// reported under its own code so the enterprise union knows what to fix.
import { isKnownRegionCode } from "../regions.ts";
import { cellText } from "./cell-text.ts";
import { isoDateParts, realDate, toIsoDate, type IsoDate } from "./iso-date.ts";
import { accept, reject, type FieldResult } from "./field-result.ts";

export type IdNumberErrorCode =
  | "ID_REQUIRED"
  | "ID_EXCEL_SCIENTIFIC"
  | "ID_EXCEL_PRECISION"
  | "ID_CHARSET"
  | "ID_LENGTH"
  | "ID_LEGACY_15"
  | "ID_REGION"
  | "ID_BIRTHDATE"
  | "ID_AGE"
  | "ID_CHECKSUM";

export interface IdNumberOptions {
  /** Birth dates after this day are impossible. */
  today: IsoDate | Date;
  /** Age is measured on this day (the campaign's departure date); defaults to `today`. */
  ageAt?: IsoDate | Date;
  minAge?: number;
  maxAge?: number;
  /** First-generation 15-digit numbers are upgraded to 18 digits (GB 11643 annex) unless false. */
  acceptLegacy15?: boolean;
}

export interface ParsedIdNumber {
  idNumber: string;
  birthDate: IsoDate;
  sex: "M" | "F";
  regionCode: string;
  upgradedFrom15: boolean;
}

export const DEFAULT_MIN_AGE = 16;
export const DEFAULT_MAX_AGE = 75;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = "10X98765432";

/** ISO 7064 MOD 11-2 check character for the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARACTERS[sum % 11]!;
}

// Provinces of GB/T 2260 (71 台湾), plus 81/82/83: the 港澳台居民居住证 numbers 810000/820000/830000.
const PROVINCE_PREFIXES = new Set(
  "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split(" "),
);

/**
 * Whether the first six digits can be the region of a real ID number. IDs keep the code of the
 * place and year of first registration, and codes have been renumbered many times since 1984, so
 * the current table alone would reject real people. A code passes if it is a current or known old
 * code, or if it is structurally possible: a real province and a prefecture part other than 00
 * (Hong Kong, Macao and Taiwan residence permits use exactly 810000, 820000, 830000).
 */
export function isPlausibleIdRegion(code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  if (isKnownRegionCode(code)) return true;
  const province = code.slice(0, 2);
  if (!PROVINCE_PREFIXES.has(province)) return false;
  if (["71", "81", "82", "83"].includes(province)) return code.endsWith("0000");
  return code.slice(2, 4) !== "00";
}

function ageOn(birth: IsoDate, day: IsoDate): number {
  const b = isoDateParts(birth);
  const d = isoDateParts(day);
  const hadBirthday = d.month > b.month || (d.month === b.month && d.day >= b.day);
  return d.year - b.year - (hadBirthday ? 0 : 1);
}

const birthDateFrom = (yyyymmdd: string): IsoDate | undefined =>
  realDate(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)), Number(yyyymmdd.slice(6, 8)));

const SCIENTIFIC = /^[+-]?\d+(?:\.\d+)?E[+-]?\d+$/i;

/** Normalises and validates an ID number as typed or as Excel left it. */
export function parseIdNumber(raw: unknown, options: IdNumberOptions): FieldResult<ParsedIdNumber, IdNumberErrorCode> {
  // Excel keeps 15 significant digits: a numeric cell cannot hold an 18-digit ID intact (a 15-digit
  // first-generation number survives, and is read below).
  if (typeof raw === "number" && Math.abs(raw) >= 1e15) {
    return reject(
      "ID_EXCEL_PRECISION",
      "身份证号被 Excel 当作数字保存，末几位已变成 0；请把该列设为“文本”格式后重新填写",
      "Excel stored the ID number as a number and lost its last digits; format the column as Text and re-enter it",
    );
  }
  let text = cellText(raw).replace(/^['‘’`]/, "").replace(/\s+/g, "").toUpperCase();
  if (text === "") return reject("ID_REQUIRED", "身份证号不能为空", "The ID number is required");
  if (SCIENTIFIC.test(text)) {
    return reject(
      "ID_EXCEL_SCIENTIFIC",
      "身份证号显示为科学计数法（如 3.20102E+17），数字已丢失；请把该列设为“文本”格式后重新填写",
      "The ID number is in scientific notation (e.g. 3.20102E+17) and its digits are lost; format the column as Text and re-enter it",
    );
  }
  if (!/^\d+X?$/.test(text)) {
    return reject("ID_CHARSET", "身份证号只能由数字和末位的 X 组成", "An ID number has only digits, and an X only as the last character");
  }
  let upgradedFrom15 = false;
  if (text.length === 15 && !text.endsWith("X")) {
    if (options.acceptLegacy15 === false) {
      return reject("ID_LEGACY_15", "这是15位的第一代身份证号，请填写18位号码", "This is a 15-digit first-generation ID number; enter the 18-digit one");
    }
    const first17 = `${text.slice(0, 6)}19${text.slice(6)}`;
    text = first17 + idCheckCharacter(first17);
    upgradedFrom15 = true;
  }
  if (text.length !== 18) {
    return reject("ID_LENGTH", "身份证号应为18位", "An ID number has 18 characters");
  }
  const checkCharacter = idCheckCharacter(text);
  if (text.endsWith("000") && checkCharacter !== "0") {
    return reject(
      "ID_EXCEL_PRECISION",
      "身份证号末三位变成了 000，可能被 Excel 截断了精度；请把该列设为“文本”格式后重新填写",
      "The ID number ends in 000, probably cut by Excel's 15-digit precision; format the column as Text and re-enter it",
    );
  }
  const regionCode = text.slice(0, 6);
  if (!isPlausibleIdRegion(regionCode)) {
    return reject("ID_REGION", "身份证号前6位不是有效的行政区划代码", "The first six digits are not a valid region code");
  }
  const birthDate = birthDateFrom(text.slice(6, 14));
  const today = toIsoDate(options.today);
  if (birthDate === undefined || birthDate > today) {
    return reject("ID_BIRTHDATE", "身份证号中的出生日期不存在", "The birth date in the ID number is not a real date");
  }
  const minAge = options.minAge ?? DEFAULT_MIN_AGE;
  const maxAge = options.maxAge ?? DEFAULT_MAX_AGE;
  const age = ageOn(birthDate, toIsoDate(options.ageAt ?? options.today));
  if (age < minAge || age > maxAge) {
    return reject(
      "ID_AGE",
      `按身份证号推算的年龄不在 ${minAge}–${maxAge} 岁之间，请核对`,
      `The age from the ID number is outside ${minAge}–${maxAge}; please check it`,
    );
  }
  if (text[17] !== checkCharacter) {
    return reject("ID_CHECKSUM", "身份证号校验位不正确，请核对每一位数字", "The ID number's check character is wrong; check every digit");
  }
  return accept({
    idNumber: text,
    birthDate,
    sex: Number(text[16]) % 2 === 1 ? "M" : "F",
    regionCode,
    upgradedFrom15,
  });
}
