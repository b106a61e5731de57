import { describe, expect, it } from "vitest";
import { USCC_CHARSET, usccCheckCharacter, validateUscc, type UsccErrorCode } from "../../../src/wages/uscc.ts";

// Published codes of well-known companies (from their public registration records).
const REAL_CODES: readonly [string, string][] = [
  ["914403001922038216", "华为技术有限公司"],
  ["91440300708461136T", "腾讯科技（深圳）有限公司"],
  ["91330100799655058B", "阿里巴巴（中国）有限公司"],
  ["91110108551385082Q", "小米科技有限责任公司"],
  ["91440300192317458F", "比亚迪股份有限公司"],
  ["91110000710925462X", "中国石油天然气股份有限公司"],
  ["91100000100003962T", "中国工商银行股份有限公司"],
  ["911100001000044477", "中国建设银行股份有限公司"],
  ["91340111MA2RAD3M4R", "蔚来控股有限公司"],
  ["91210200716996405L", "中国华录集团有限公司"],
];

function codes(input: string): UsccErrorCode[] {
  const result = validateUscc(input);
  return result.ok ? [] : result.errors.map((error) => error.code);
}

/** `first17` completed with its correct check character, so that only the rule under test fails. */
function withCheck(first17: string): string {
  return first17 + usccCheckCharacter(first17);
}

describe("统一社会信用代码 (GB 32100-2015)", () => {
  it.each(REAL_CODES)("accepts %s (%s)", (code) => {
    expect(codes(code)).toEqual([]);
  });

  it("splits a code into its parts", () => {
    const result = validateUscc("914403001922038216");
    expect(result).toEqual({
      ok: true,
      uscc: "914403001922038216",
      parts: {
        registrationAuthority: { code: "9", zh: "工商（市场监管）" },
        organisationType: { code: "1", zh: "企业" },
        regionCode: "440300",
        organisationCode: "192203821",
        checkCharacter: "6",
      },
    });
  });

  it("normalises full-width characters, spaces and lower case as typed with a Chinese IME", () => {
    expect(validateUscc("　９１４４０３００７０８４６１１３６ｔ ")).toMatchObject({ ok: true, uscc: "91440300708461136T" });
    expect(validateUscc("91330100799655058b")).toMatchObject({ ok: true, uscc: "91330100799655058B" });
  });

  it("refuses empty codes and codes of the wrong length", () => {
    expect(codes("  ")).toEqual(["USCC_EMPTY"]);
    expect(codes("91440300708461136")).toEqual(["USCC_LENGTH"]);
    expect(codes("91440300708461136TT")).toEqual(["USCC_LENGTH"]);
    // The old 15-digit business registration number (注册号) is not a credit code.
    expect(codes("440301104001819")).toEqual(["USCC_LENGTH"]);
  });

  it("refuses the letters I, O, Z, S, V and says where they are", () => {
    const result = validateUscc("9144030070846113IT");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ code: "USCC_CHARSET", positions: [17] });
    expect(result.errors[0]!.message.zh).toContain("I→1");
    expect(codes("91440300708461136O")).toEqual(["USCC_CHARSET"]);
    expect(codes("91440300-70846113T")).toEqual(["USCC_CHARSET"]);
  });

  it("detects every single-character substitution in every real code", () => {
    for (const [code] of REAL_CODES) {
      for (let position = 0; position < 18; position += 1) {
        for (const replacement of USCC_CHARSET) {
          if (replacement === code[position]) continue;
          const mutated = code.slice(0, position) + replacement + code.slice(position + 1);
          expect(validateUscc(mutated).ok, mutated).toBe(false);
        }
      }
    }
  });

  it("detects every swap of two different neighbouring characters", () => {
    for (const [code] of REAL_CODES) {
      for (let position = 0; position < 17; position += 1) {
        if (code[position] === code[position + 1]) continue;
        const swapped = code.slice(0, position) + code[position + 1] + code[position] + code.slice(position + 2);
        expect(codes(swapped), swapped).toContain("USCC_CHECKSUM");
      }
    }
  });

  it("reports a wrong check character as USCC_CHECKSUM only", () => {
    expect(codes("914403001922038217")).toEqual(["USCC_CHECKSUM"]);
  });

  it("refuses unknown registration authorities and organisation types", () => {
    expect(codes(withCheck("B1440300708461136"))).toEqual(["USCC_REGISTRATION_AUTHORITY"]);
    expect(codes(withCheck("97440300708461136"))).toEqual(["USCC_ORGANISATION_TYPE"]);
    expect(codes(withCheck("Y2440300708461136"))).toEqual(["USCC_ORGANISATION_TYPE"]);
    // A grassroots trade union (基层工会) and a 民办非企业单位 are valid combinations.
    expect(validateUscc(withCheck("81320500708461136"))).toMatchObject({ ok: true, parts: { organisationType: { zh: "基层工会" } } });
    expect(codes(withCheck("52320500708461136"))).toEqual([]);
  });

  it("refuses a region code outside any province", () => {
    expect(codes(withCheck("91990300708461136"))).toEqual(["USCC_REGION_CODE"]);
    expect(codes(withCheck("9144A300708461136"))).toEqual(["USCC_REGION_CODE"]);
  });

  it("checks the organisation code's own GB 11714 check character", () => {
    // 70846113-6 is Tencent's organisation code; -7 is not, even with a matching 18th character.
    expect(codes(withCheck("91440300708461137"))).toEqual(["USCC_ORGANISATION_CODE_CHECK"]);
  });

  it("reports every structural failure of a code at once", () => {
    expect(codes("B9990300708461137T")).toEqual(["USCC_REGISTRATION_AUTHORITY", "USCC_REGION_CODE", "USCC_ORGANISATION_CODE_CHECK", "USCC_CHECKSUM"]);
  });
});
