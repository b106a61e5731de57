// 统一社会信用代码 (GB 32100-2015): 1 registration-authority code, 1 organisation-type code, the
// 6-digit region code of the registering office (GB/T 2260), the 9-character organisation code
// (GB 11714, with its own check character) and a check character over the first 17.
//
// Strictness: every part is checked and every failure is an error, including the organisation
// code's own GB 11714 check character, because registries issue codes whose 9th–17th characters are
// a valid organisation code. The region code is checked for its province only: a code keeps the
// region of the office that issued it, even after that county was renamed or merged, so checking it
// against today's division list would reject valid codes.
import type { LocalisedMessage } from "../errors.ts";

export const USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_LENGTH = 18;
const CHECK_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORGANISATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * Registration authorities and their organisation types: GB 32100-2015 table 1–2, plus the types
 * assigned since and seen on issued codes (商事调解组织 36, 村/居民委员会 54/55, 非法人工会组织 82, 市场
 * 监管 其他 99, 公安 G, 住建 J, 侨联 Q). Being too narrow here would stop a case officer registering a
 * genuine employer, so the table errs on the side of what registries actually issue.
 */
const REGISTRATION_AUTHORITIES: Readonly<Record<string, { zh: string; types: Readonly<Record<string, string>> }>> = {
  "1": { zh: "机构编制", types: { "1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他" } },
  "2": { zh: "外交", types: { "1": "外国常驻新闻机构", "9": "其他" } },
  "3": {
    zh: "司法行政",
    types: { "1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会", "6": "商事调解组织", "9": "其他" },
  },
  "4": { zh: "文化", types: { "1": "外国在华文化中心", "9": "其他" } },
  "5": { zh: "民政", types: { "1": "社会团体", "2": "民办非企业单位", "3": "基金会", "4": "村民委员会", "5": "居民委员会", "9": "其他" } },
  "6": { zh: "旅游", types: { "1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他" } },
  "7": { zh: "宗教", types: { "1": "宗教活动场所", "2": "宗教院校", "9": "其他" } },
  "8": { zh: "工会", types: { "1": "基层工会", "2": "非法人工会组织", "9": "其他" } },
  "9": { zh: "工商（市场监管）", types: { "1": "企业", "2": "个体工商户", "3": "农民专业合作社", "9": "其他" } },
  A: { zh: "中央军委改革和编制办公室", types: { "1": "军队事业单位", "9": "其他" } },
  G: { zh: "公安", types: { "1": "境外非政府组织代表机构", "9": "其他" } },
  J: { zh: "住房城乡建设", types: { "1": "业主大会", "9": "其他" } },
  N: { zh: "农业农村", types: { "1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他" } },
  Q: { zh: "侨联", types: { "1": "区县级侨联组织", "2": "乡镇级侨联组织", "3": "村级侨联组织", "9": "其他" } },
  Y: { zh: "其他", types: { "1": "其他" } },
};

// GB/T 2260 provinces, plus 10 for registrations at national level (e.g. ICBC: 91100000…).
const PROVINCE_PREFIXES = new Set([
  "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
  "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
]);

export type UsccErrorCode =
  | "USCC_EMPTY"
  | "USCC_LENGTH"
  | "USCC_CHARSET"
  | "USCC_REGISTRATION_AUTHORITY"
  | "USCC_ORGANISATION_TYPE"
  | "USCC_REGION_CODE"
  | "USCC_ORGANISATION_CODE_CHECK"
  | "USCC_CHECKSUM";

export interface UsccError {
  code: UsccErrorCode;
  message: LocalisedMessage;
  /** 1-based positions of the offending characters, when the error is about particular ones. */
  positions?: number[];
}

export interface UsccParts {
  registrationAuthority: { code: string; zh: string };
  organisationType: { code: string; zh: string };
  regionCode: string;
  /** Organisation code (主体标识码), e.g. 19220382-1 is written here without the hyphen. */
  organisationCode: string;
  checkCharacter: string;
}

export type UsccValidation =
  | { ok: true; uscc: string; parts: UsccParts }
  | { ok: false; normalised: string; errors: UsccError[] };

/** Trim, turn full-width letters and digits (as typed with a Chinese IME) into ASCII, upper-case. */
export function normaliseUscc(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, " ")
    .trim()
    .toUpperCase();
}

/** The GB 32100 check character of 17 characters from the charset (also makes valid demo codes). */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let index = 0; index < 17; index += 1) {
    sum += USCC_CHARSET.indexOf(first17[index]!) * CHECK_WEIGHTS[index]!;
  }
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

// GB 11714-1997: digits keep their value, letters count A = 10 … Z = 35.
function organisationCheckCharacterOf(body: string): string {
  let sum = 0;
  for (let index = 0; index < 8; index += 1) {
    sum += parseInt(body[index]!, 36) * ORGANISATION_CODE_WEIGHTS[index]!;
  }
  const check = 11 - (sum % 11);
  return check === 10 ? "X" : check === 11 ? "0" : String(check);
}

const LOOK_ALIKES: Readonly<Record<string, string>> = { I: "1", O: "0", Z: "2", S: "5", V: "U" };

function charsetError(code: string): UsccError | null {
  const bad = [...code].flatMap((char, index) => (USCC_CHARSET.includes(char) ? [] : [{ char, position: index + 1 }]));
  if (bad.length === 0) return null;
  const listed = bad.map(({ char, position }) => `${position}:${char}`).join(", ");
  const hints = bad.flatMap(({ char }) => (LOOK_ALIKES[char] ? [`${char}→${LOOK_ALIKES[char]}?`] : []));
  const hint = hints.length > 0 ? ` (${hints.join(" ")})` : "";
  return {
    code: "USCC_CHARSET",
    positions: bad.map(({ position }) => position),
    message: {
      zh: `含有不允许的字符 ${listed}；统一社会信用代码只用数字和除 I、O、Z、S、V 外的大写字母${hint}`,
      en: `Characters not allowed at ${listed}; the code uses digits and capital letters except I, O, Z, S, V${hint}`,
    },
  };
}

export function validateUscc(input: string): UsccValidation {
  const code = normaliseUscc(input);
  const fail = (...errors: UsccError[]): UsccValidation => ({ ok: false, normalised: code, errors });

  if (code.length === 0) {
    return fail({ code: "USCC_EMPTY", message: { zh: "统一社会信用代码不能为空", en: "The unified social credit code is empty" } });
  }
  if ([...code].length !== USCC_LENGTH) {
    return fail({
      code: "USCC_LENGTH",
      message: {
        zh: `统一社会信用代码应为 18 位，实际 ${[...code].length} 位`,
        en: `The unified social credit code has 18 characters, not ${[...code].length}`,
      },
    });
  }
  const charset = charsetError(code);
  if (charset) return fail(charset);

  const errors: UsccError[] = [];
  const authority = REGISTRATION_AUTHORITIES[code[0]!];
  const typeName = authority?.types[code[1]!];
  if (!authority) {
    errors.push({
      code: "USCC_REGISTRATION_AUTHORITY",
      positions: [1],
      message: { zh: `第 1 位登记管理部门代码“${code[0]}”不存在`, en: `No registration authority has code "${code[0]}" (1st character)` },
    });
  } else if (!typeName) {
    errors.push({
      code: "USCC_ORGANISATION_TYPE",
      positions: [2],
      message: {
        zh: `第 2 位机构类别代码“${code[1]}”不属于登记管理部门“${authority.zh}”`,
        en: `Organisation type "${code[1]}" (2nd character) does not exist under registration authority "${code[0]}"`,
      },
    });
  }

  const regionCode = code.slice(2, 8);
  if (!/^\d{6}$/.test(regionCode) || !PROVINCE_PREFIXES.has(regionCode.slice(0, 2))) {
    errors.push({
      code: "USCC_REGION_CODE",
      positions: [3, 4, 5, 6, 7, 8],
      message: {
        zh: `第 3–8 位行政区划码“${regionCode}”无效`,
        en: `"${regionCode}" (3rd–8th characters) is not a region code`,
      },
    });
  }

  const organisationCode = code.slice(8, 17);
  if (organisationCheckCharacterOf(organisationCode) !== organisationCode[8]) {
    errors.push({
      code: "USCC_ORGANISATION_CODE_CHECK",
      positions: [9, 10, 11, 12, 13, 14, 15, 16, 17],
      message: {
        zh: `第 9–17 位组织机构代码“${organisationCode}”校验位不符（GB 11714）`,
        en: `The organisation code "${organisationCode}" (9th–17th characters) fails its GB 11714 check`,
      },
    });
  }

  const expected = usccCheckCharacter(code.slice(0, 17));
  if (expected !== code[17]) {
    errors.push({
      code: "USCC_CHECKSUM",
      positions: [18],
      message: {
        zh: "第 18 位校验码不符，请逐位核对代码",
        en: "The check character (18th) does not match; check the code character by character",
      },
    });
  }

  if (errors.length > 0 || !authority || !typeName) return fail(...errors);
  return {
    ok: true,
    uscc: code,
    parts: {
      registrationAuthority: { code: code[0]!, zh: authority.zh },
      organisationType: { code: code[1]!, zh: typeName },
      regionCode,
      organisationCode,
      checkCharacter: code[17]!,
    },
  };
}
