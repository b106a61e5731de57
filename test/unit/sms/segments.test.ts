import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countSegments, detectEncoding } from "../../../src/sms/segments.ts";

const HAN = "中";
const EMOJI = "😀"; // outside the BMP: a surrogate pair, two UTF-16 code units

describe("detectEncoding", () => {
  it("keeps GSM-7 for the default alphabet and its extension table", () => {
    expect(detectEncoding("Hello @£$¥ èé ÄÖÑÜ§¿ 0-9 ¤")).toBe("GSM-7");
    expect(detectEncoding("{}[]~|^\\€\f")).toBe("GSM-7");
  });

  it("switches to UCS-2 for a single character outside GSM 03.38", () => {
    expect(detectEncoding("Hello 你")).toBe("UCS-2");
    // Only the capital Ç is in the GSM alphabet; the backtick is not at all.
    expect(detectEncoding("ç")).toBe("UCS-2");
    expect(detectEncoding("`")).toBe("UCS-2");
  });
});

describe("countSegments", () => {
  it("counts nothing for an empty body", () => {
    expect(countSegments("")).toEqual({ encoding: "GSM-7", segments: 0, units: 0, perSegment: 160, remainingInSegment: 160 });
  });

  it("fits 160 GSM-7 characters in one segment and splits at 161 into 153-septet parts", () => {
    expect(countSegments("a".repeat(160))).toEqual({
      encoding: "GSM-7", segments: 1, units: 160, perSegment: 160, remainingInSegment: 0,
    });
    expect(countSegments("a".repeat(161))).toEqual({
      encoding: "GSM-7", segments: 2, units: 161, perSegment: 153, remainingInSegment: 2 * 153 - 161,
    });
    expect(countSegments("a".repeat(306)).segments).toBe(2);
    expect(countSegments("a".repeat(307)).segments).toBe(3);
  });

  it("counts extension characters as two septets", () => {
    expect(countSegments("€".repeat(80))).toMatchObject({ segments: 1, units: 160 });
    expect(countSegments(`a${"€".repeat(80)}`)).toMatchObject({ segments: 2, units: 161 });
  });

  it("never splits an escape sequence across segments", () => {
    // 306 septets would fill exactly two segments, but the € straddles the first boundary.
    const text = `${"a".repeat(152)}€${"a".repeat(152)}`;
    expect(countSegments(text)).toMatchObject({ encoding: "GSM-7", units: 306, segments: 3, remainingInSegment: 152 });
  });

  it("fits 70 Chinese characters in one UCS-2 segment and splits at 71 into 67-unit parts", () => {
    expect(countSegments("你好")).toEqual({ encoding: "UCS-2", segments: 1, units: 2, perSegment: 70, remainingInSegment: 68 });
    expect(countSegments(HAN.repeat(70))).toMatchObject({ segments: 1, remainingInSegment: 0 });
    expect(countSegments(HAN.repeat(71))).toEqual({
      encoding: "UCS-2", segments: 2, units: 71, perSegment: 67, remainingInSegment: 2 * 67 - 71,
    });
    expect(countSegments(HAN.repeat(134)).segments).toBe(2);
    expect(countSegments(HAN.repeat(135)).segments).toBe(3);
  });

  it("counts a character outside the BMP as two code units", () => {
    expect(countSegments(EMOJI.repeat(35))).toMatchObject({ encoding: "UCS-2", segments: 1, units: 70 });
    expect(countSegments(EMOJI.repeat(36))).toMatchObject({ segments: 2, units: 72 });
  });

  it("never splits a surrogate pair across segments", () => {
    const text = `${HAN.repeat(66)}${EMOJI}${HAN.repeat(66)}`;
    expect(countSegments(text)).toMatchObject({ units: 134, segments: 3, remainingInSegment: 66 });
  });

  it("bills a mostly-Latin message with one Chinese character as UCS-2", () => {
    expect(countSegments(`${"a".repeat(100)}中`)).toMatchObject({ encoding: "UCS-2", units: 101, segments: 2 });
  });

  it("matches the plain formula whenever every character is one unit", () => {
    const gsmChar = fc.constantFrom(..."abcXYZ019 @£$!?".split(""));
    const hanChar = fc.constantFrom(..."苏州市总工会返乡乘车一二三".split(""));
    const expected = (n: number, single: number, multi: number) => (n === 0 ? 0 : n <= single ? 1 : Math.ceil(n / multi));
    fc.assert(
      fc.property(fc.array(gsmChar, { maxLength: 700 }), (chars) => {
        expect(countSegments(chars.join("")).segments).toBe(expected(chars.length, 160, 153));
      }),
    );
    fc.assert(
      fc.property(fc.array(hanChar, { maxLength: 400 }), (chars) => {
        const info = countSegments(chars.join(""));
        expect(info.segments).toBe(expected(chars.length, 70, 67));
        expect(info.units).toBe(chars.length);
      }),
    );
  });
});
