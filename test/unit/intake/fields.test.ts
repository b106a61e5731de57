import { describe, expect, it } from "vitest";
import { checkDepartureDates, excelSerialToIsoDate, parseListDate } from "../../../src/intake/fields/dates.ts";
import { parseGroupTag, parseRemark } from "../../../src/intake/fields/free-text.ts";
import { maskIdNumber, maskMobile } from "../../../src/intake/fields/masking.ts";
import { parseMobile } from "../../../src/intake/fields/mobile.ts";
import { parseName } from "../../../src/intake/fields/name.ts";
import { parsePreference } from "../../../src/intake/fields/preference.ts";

const outcome = <T>(result: { ok: true; value: T } | { ok: false; error: { code: string } }) =>
  result.ok ? result.value : result.error.code;

describe("parseMobile", () => {
  it.each([
    ["13812345678", "+8613812345678"],
    ["138 1234 5678", "+8613812345678"],
    ["138-1234-5678", "+8613812345678"],
    ["+86 138 1234 5678", "+8613812345678"],
    ["+86-13812345678", "+8613812345678"],
    ["008613812345678", "+8613812345678"],
    ["8613812345678", "+8613812345678"],
    ["(+86)13812345678", "+8613812345678"],
    ["１３８１２３４５６７８", "+8613812345678"],
    ["'13812345678", "+8613812345678"],
    [13812345678, "+8613812345678"],
    ["1.3812345678E+10", "+8613812345678"],
    ["19912345678", "+8619912345678"],
  ])("%j → %s", (raw, expected) => {
    expect(outcome(parseMobile(raw))).toBe(expected);
  });

  it.each([
    ["", "MOBILE_REQUIRED"],
    [undefined, "MOBILE_REQUIRED"],
    ["1.38123E+10", "MOBILE_EXCEL_SCIENTIFIC"],
    ["13812345678/13987654321", "MOBILE_MULTIPLE"],
    ["13812345678、13987654321", "MOBILE_MULTIPLE"],
    ["12812345678", "MOBILE_FORMAT"],
    ["1381234567", "MOBILE_FORMAT"],
    ["0512-66668888", "MOBILE_FORMAT"],
    ["+85291234567", "MOBILE_FORMAT"],
    ["138abc45678", "MOBILE_FORMAT"],
  ])("%j → %s", (raw, code) => {
    expect(outcome(parseMobile(raw))).toBe(code);
  });
});

describe("masking", () => {
  it("shows the first 6 and last 4 characters of an ID number", () => {
    expect(maskIdNumber("32010219900307123X")).toBe("320102********123X");
  });

  it("shows the first 3 and last 4 digits of a mobile, E.164 or not", () => {
    expect(maskMobile("+8613812345678")).toBe("138****5678");
    expect(maskMobile("13812345678")).toBe("138****5678");
  });

  it("never shows a short value", () => {
    expect(maskIdNumber("1234")).toBe("****");
    expect(maskMobile("5678")).toBe("****");
  });
});

describe("parseName", () => {
  it.each([
    ["张三", "张三"],
    ["  欧阳娜娜 ", "欧阳娜娜"],
    ["张 三", "张三"],
    ["买买提·艾力", "买买提·艾力"],
    ["买买提•艾力", "买买提·艾力"],
    ["买买提・艾力", "买买提·艾力"],
    ["买买提‧艾力", "买买提·艾力"],
    ["买买提.艾力", "买买提·艾力"],
    ["买买提 · 艾力", "买买提·艾力"],
    ["阿依古丽·买买提·吐尔逊", "阿依古丽·买买提·吐尔逊"],
    ["𠮷野家", "𠮷野家"],
    ["Maria Garcia", "Maria Garcia"],
    ["José  O'Neil", "José O'Neil"],
    ["ＬＩ　Ｍｉｎｇ", "LI Ming"],
  ])("%j → %j", (raw, expected) => {
    expect(outcome(parseName(raw))).toBe(expected);
  });

  it.each([
    ["", "NAME_REQUIRED"],
    ["张", "NAME_LENGTH"],
    ["张".repeat(31), "NAME_LENGTH"],
    ["张三3", "NAME_CHARSET"],
    ["张三Li", "NAME_CHARSET"],
    ["·张三", "NAME_CHARSET"],
    ["张三··丰", "NAME_CHARSET"],
    ["<script>", "NAME_CHARSET"],
  ])("%j → %s", (raw, code) => {
    expect(outcome(parseName(raw))).toBe(code);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(outcome(parseName("𠮷".repeat(30)))).toBe("𠮷".repeat(30));
  });
});

describe("parseListDate", () => {
  it.each([
    ["2027-01-25", "2027-01-25"],
    ["2027/1/25", "2027-01-25"],
    ["2027.1.25", "2027-01-25"],
    ["2027年1月25日", "2027-01-25"],
    ["2027年01月25号", "2027-01-25"],
    ["20270125", "2027-01-25"],
    ["2027/1/25 0:00", "2027-01-25"],
    ["２０２７－０１－２５", "2027-01-25"],
    [46412, "2027-01-25"],
    [46412.75, "2027-01-25"],
    ["46412", "2027-01-25"],
    [new Date(Date.UTC(2027, 0, 25)), "2027-01-25"],
  ])("%j → %s", (raw, expected) => {
    expect(outcome(parseListDate(raw))).toBe(expected);
  });

  it.each([
    ["", "DATE_REQUIRED"],
    ["2027-02-30", "DATE_INVALID"],
    ["2027-13-01", "DATE_INVALID"],
    ["20270230", "DATE_INVALID"],
    ["1月25日", "DATE_FORMAT"],
    ["25/01/2027", "DATE_FORMAT"],
    ["下周一", "DATE_FORMAT"],
    [12, "DATE_FORMAT"],
  ])("%j → %s", (raw, code) => {
    expect(outcome(parseListDate(raw))).toBe(code);
  });

  it("converts Excel serials (1900 date system) to days", () => {
    expect(excelSerialToIsoDate(36526)).toBe("2000-01-01");
    expect(excelSerialToIsoDate(45292)).toBe("2024-01-01");
    expect(excelSerialToIsoDate(46446)).toBe("2027-02-28");
    expect(excelSerialToIsoDate(46812)).toBe("2028-02-29");
    expect(excelSerialToIsoDate(73050)).toBe("2099-12-31");
  });
});

describe("checkDepartureDates", () => {
  const window = { start: "2027-01-22", end: "2027-02-05" };
  const codes = (earliest: string, latest: string) =>
    checkDepartureDates(earliest, latest, window).map((p) => `${p.field}:${p.code}`);

  it("accepts dates inside the window in order, including its edges", () => {
    expect(codes("2027-01-22", "2027-02-05")).toEqual([]);
    expect(codes("2027-01-30", "2027-01-30")).toEqual([]);
  });

  it("names the date outside the window and a reversed pair", () => {
    expect(codes("2027-01-21", "2027-01-25")).toEqual(["earliestDate:DATE_OUTSIDE_WINDOW"]);
    expect(codes("2027-01-25", "2027-02-06")).toEqual(["latestDate:DATE_OUTSIDE_WINDOW"]);
    expect(codes("2027-01-28", "2027-01-25")).toEqual(["latestDate:DATE_ORDER"]);
  });
});

describe("parsePreference", () => {
  it.each([
    ["", "any"],
    ["汽车", "bus"],
    ["大巴", "bus"],
    ["Bus", "bus"],
    ["火车", "rail"],
    ["高铁", "rail"],
    ["动车", "rail"],
    ["train", "rail"],
    ["飞机", "air"],
    ["不限", "any"],
    [" 都可以 ", "any"],
    ["轮船", "PREFERENCE_UNKNOWN"],
    ["火箭", "PREFERENCE_UNKNOWN"],
  ])("%j → %s", (raw, expected) => {
    expect(outcome(parsePreference(raw))).toBe(expected);
  });
});

describe("group tag and remark", () => {
  it("keeps text, collapses whitespace, and treats blank as none", () => {
    expect(outcome(parseGroupTag("  张家  老小 "))).toBe("张家 老小");
    expect(outcome(parseGroupTag(""))).toBeNull();
    expect(outcome(parseRemark("带小孩\n一名"))).toBe("带小孩 一名");
    expect(outcome(parseRemark(null))).toBeNull();
  });

  it("limits their length", () => {
    expect(outcome(parseGroupTag("组".repeat(32)))).toBe("组".repeat(32));
    expect(outcome(parseGroupTag("组".repeat(33)))).toBe("GROUP_TOO_LONG");
    expect(outcome(parseRemark("注".repeat(200)))).toBe("注".repeat(200));
    expect(outcome(parseRemark("注".repeat(201)))).toBe("REMARK_TOO_LONG");
  });
});
