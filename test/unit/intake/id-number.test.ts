import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idCheckCharacter, isPlausibleIdRegion, parseIdNumber } from "../../../src/intake/fields/id-number.ts";
import { idNumber, withCheckCharacter } from "../../fixtures/intake/id-numbers.ts";

const today = "2026-12-01";
const options = { today, ageAt: "2027-01-22" };
const codeOf = (raw: unknown, extra: Partial<Parameters<typeof parseIdNumber>[1]> = {}) => {
  const result = parseIdNumber(raw, { ...options, ...extra });
  return result.ok ? "OK" : result.error.code;
};

describe("idCheckCharacter", () => {
  it("reproduces the examples printed in GB 11643-1999", () => {
    expect(idCheckCharacter("11010519491231002")).toBe("X");
    expect(idCheckCharacter("44052418800101001")).toBe("4");
  });

  it("agrees with the definition for any 17 digits", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}$/), (first17) => {
        expect(first17 + idCheckCharacter(first17)).toBe(withCheckCharacter(first17));
      }),
    );
  });
});

describe("parseIdNumber", () => {
  const valid = idNumber("411426", "19900307", "123"); // 河南商丘夏邑, male

  it("returns the normalised number, birth date, sex and region", () => {
    expect(parseIdNumber(valid, options)).toEqual({
      ok: true,
      value: { idNumber: valid, birthDate: "1990-03-07", sex: "M", regionCode: "411426", upgradedFrom15: false },
    });
    const female = idNumber("320102", "19851120", "042");
    expect(parseIdNumber(female, options)).toMatchObject({ ok: true, value: { sex: "F", birthDate: "1985-11-20" } });
  });

  it("accepts a lower-case x check character and writes it upper-case", () => {
    const first17 = ["340102", "19920101", "050"].join("");
    const withX = Array.from({ length: 1000 }, (_, i) => first17.slice(0, 14) + String(i).padStart(3, "0"))
      .map(withCheckCharacter)
      .find((id) => id.endsWith("X"))!;
    expect(parseIdNumber(withX.toLowerCase(), options)).toMatchObject({ ok: true, value: { idNumber: withX } });
  });

  it("repairs what typing and copying add", () => {
    const fullWidth = [...valid].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
    for (const raw of [` ${valid} `, `\u00a0${valid}\u3000`, `'${valid}`, fullWidth, `${valid.slice(0, 6)} ${valid.slice(6, 14)} ${valid.slice(14)}`, `\u200b${valid}`]) {
      expect(parseIdNumber(raw, options), JSON.stringify(raw)).toMatchObject({ ok: true, value: { idNumber: valid } });
    }
  });

  it("recognises Excel's scientific notation", () => {
    expect(codeOf("3.20102E+17")).toBe("ID_EXCEL_SCIENTIFIC");
    expect(codeOf("3.20102199003078E+17")).toBe("ID_EXCEL_SCIENTIFIC");
    expect(codeOf("4.11426e17")).toBe("ID_EXCEL_SCIENTIFIC");
  });

  it("recognises digits lost to Excel's 15-digit precision", () => {
    // A real ID whose last three characters Excel turned into 000.
    const damaged = `${valid.slice(0, 15)}000`;
    expect(withCheckCharacter(damaged.slice(0, 17))).not.toBe(damaged);
    expect(codeOf(damaged)).toBe("ID_EXCEL_PRECISION");
    // The same value arriving as a number from a numeric cell.
    expect(codeOf(Number(valid.slice(0, 17)) * 10)).toBe("ID_EXCEL_PRECISION");
    expect(codeOf(320102199003078000)).toBe("ID_EXCEL_PRECISION");
  });

  it("keeps a real ID that happens to end in 000", () => {
    const endsIn000 = Array.from({ length: 10 }, (_, d) => `41142619900307${d}00`)
      .map((first17) => withCheckCharacter(first17))
      .find((id) => id.endsWith("000"));
    expect(endsIn000).toBeDefined();
    expect(codeOf(endsIn000)).toBe("OK");
  });

  it("upgrades a first-generation 15-digit number (GB 11643 annex) unless told not to", () => {
    // 110105491231002 is the 15-digit form of the standard's example 11010519491231002X.
    expect(parseIdNumber("110105491231002", { today, minAge: 16, maxAge: 80, ageAt: "2027-01-22" })).toMatchObject({
      ok: true,
      value: { idNumber: "11010519491231002X", birthDate: "1949-12-31", upgradedFrom15: true },
    });
    expect(codeOf(411426900307123)).toBe("OK");
    expect(codeOf("411426900307123", { acceptLegacy15: false })).toBe("ID_LEGACY_15");
  });

  it.each([
    ["", "ID_REQUIRED"],
    [null, "ID_REQUIRED"],
    ["41142619900307123A", "ID_CHARSET"],
    ["4114261990X3071231", "ID_CHARSET"],
    ["张三", "ID_CHARSET"],
    ["4114261990030712", "ID_LENGTH"],
    ["4114261990030712345", "ID_LENGTH"],
  ])("rejects %j with %s", (raw, code) => {
    expect(codeOf(raw)).toBe(code);
  });

  it("rejects a region that never existed", () => {
    expect(codeOf(idNumber("991426", "19900307", "123"))).toBe("ID_REGION"); // no province 99
    expect(codeOf(idNumber("410026", "19900307", "123"))).toBe("ID_REGION"); // prefecture 00
    expect(codeOf(idNumber("810001", "19900307", "123"))).toBe("ID_REGION");
  });

  it("accepts old region codes that people's IDs still carry", () => {
    expect(codeOf(idNumber("371202", "19880808", "011"))).toBe("OK"); // 莱芜市莱城区, merged 2019
    expect(codeOf(idNumber("412322", "19760512", "035"))).toBe("OK"); // 商丘地区, renamed 1997
    expect(codeOf(idNumber("522401", "19950101", "456"))).toBe("OK"); // 毕节地区毕节市
    expect(codeOf(idNumber("810000", "19900307", "123"))).toBe("OK"); // Hong Kong residence permit
    expect(isPlausibleIdRegion("441900")).toBe(true); // 东莞: a prefecture without counties
  });

  it("rejects birth dates that are not real or in the future", () => {
    expect(codeOf(idNumber("411426", "19900230", "123"))).toBe("ID_BIRTHDATE");
    expect(codeOf(idNumber("411426", "19901301", "123"))).toBe("ID_BIRTHDATE");
    expect(codeOf(idNumber("411426", "18991231", "123"))).toBe("ID_BIRTHDATE");
    expect(codeOf(idNumber("411426", "20261202", "123"))).toBe("ID_BIRTHDATE");
    expect(codeOf(idNumber("411426", "20000229", "123"))).not.toBe("ID_BIRTHDATE"); // leap day
  });

  it("checks the working age on the campaign date, with adjustable bounds", () => {
    expect(codeOf(idNumber("411426", "20110123", "123"))).toBe("ID_AGE"); // 15 on 2027-01-22
    expect(codeOf(idNumber("411426", "20110122", "123"))).toBe("OK"); // 16 that day
    expect(codeOf(idNumber("411426", "19510123", "123"))).toBe("OK"); // 75, turning 76 the next day
    expect(codeOf(idNumber("411426", "19510122", "123"))).toBe("ID_AGE"); // 76 that day
    expect(codeOf(idNumber("411426", "19510122", "123"), { maxAge: 80 })).toBe("OK");
    expect(codeOf(idNumber("411426", "20090201", "123"), { minAge: 18 })).toBe("ID_AGE");
  });

  it("detects any single mistyped sequence digit by the check character", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 14, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        (sequence, position, shift) => {
          const id = idNumber("320102", "19900307", String(sequence).padStart(3, "0"));
          const typo = id.slice(0, position) + String((Number(id[position]) + shift) % 10) + id.slice(position + 1);
          expect(["ID_CHECKSUM", "ID_EXCEL_PRECISION"]).toContain(codeOf(typo));
        },
      ),
    );
  });

  it("accepts every valid ID from real regions and dates", () => {
    const regions = ["110105", "320506", "340321", "411426", "510722", "522428", "530628", "500236"];
    fc.assert(
      fc.property(
        fc.constantFrom(...regions),
        fc.date({ min: new Date("1955-01-01T00:00:00Z"), max: new Date("2008-12-31T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (region, birth, sequence) => {
          const birthText = birth.toISOString().slice(0, 10).replaceAll("-", "");
          const id = idNumber(region, birthText, String(sequence).padStart(3, "0"));
          const result = parseIdNumber(id, options);
          expect(result).toMatchObject({ ok: true, value: { idNumber: id, sex: sequence % 2 === 1 ? "M" : "F" } });
        },
      ),
    );
  });
});
