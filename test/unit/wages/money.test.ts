import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatWanYuan, formatYuan, MAX_FEN, parseYuan, sumFen, toYuanDecimal } from "../../../src/wages/money.ts";

function fen(input: string): bigint {
  const result = parseYuan(input);
  if (!result.ok) throw new Error(`${input}: ${result.code}`);
  return result.fen;
}

function errorCode(input: string): string | null {
  const result = parseYuan(input);
  return result.ok ? null : result.code;
}

const amount = fc.bigInt({ min: 0n, max: 10n ** 12n });

describe("parsing yuan", () => {
  it("reads amounts as people write them", () => {
    expect(fen("12345.67")).toBe(1_234_567n);
    expect(fen("1,234.5")).toBe(123_450n);
    expect(fen("1.2万")).toBe(1_200_000n);
    expect(fen("5691万元")).toBe(5_691_000_000n);
    expect(fen("0.000001万")).toBe(1n);
    expect(fen("￥８００元")).toBe(80_000n);
    expect(fen(" 3 000 ")).toBe(300_000n);
    expect(fen("0")).toBe(0n);
  });

  it("refuses what is not an exact, non-negative amount", () => {
    expect(errorCode("")).toBe("MONEY_EMPTY");
    expect(errorCode("-5")).toBe("MONEY_NEGATIVE");
    expect(errorCode("12.345")).toBe("MONEY_TOO_MANY_DECIMALS");
    expect(errorCode("1.2345678万")).toBe("MONEY_TOO_MANY_DECIMALS");
    expect(errorCode("NaN")).toBe("MONEY_FORMAT");
    expect(errorCode("Infinity")).toBe("MONEY_FORMAT");
    expect(errorCode("1e5")).toBe("MONEY_FORMAT");
    expect(errorCode("12,34")).toBe("MONEY_FORMAT");
    expect(errorCode(".5")).toBe("MONEY_FORMAT");
    expect(errorCode("5.")).toBe("MONEY_FORMAT");
    expect(errorCode("1.2亿")).toBe("MONEY_FORMAT");
    expect(errorCode(`${MAX_FEN / 100n + 1n}`)).toBe("MONEY_TOO_LARGE");
  });
});

describe("formatting", () => {
  it("writes yuan grouped by thousands, with two decimals", () => {
    expect(formatYuan(1_234_567n)).toBe("12,345.67");
    expect(formatYuan(5n)).toBe("0.05");
    expect(formatYuan(100_000_000n)).toBe("1,000,000.00");
    expect(formatYuan(-123_456n)).toBe("-1,234.56");
    expect(toYuanDecimal(1_234_567n)).toBe("12345.67");
  });

  it("writes 万元 for the statistics form, rounding half up", () => {
    // Suzhou 2007 (seed): 56.91 million yuan owed, 56.86 million repaid.
    expect(formatWanYuan(fen("56,910,000"))).toBe("5691.00");
    expect(formatWanYuan(fen("56,860,000"))).toBe("5686.00");
    expect(formatWanYuan(fen("12,345.67"))).toBe("1.23");
    expect(formatWanYuan(fen("12,350.00"))).toBe("1.24");
    expect(formatWanYuan(fen("12,349.99"))).toBe("1.23");
    expect(formatWanYuan(fen("12,345.67"), 4)).toBe("1.2346");
    expect(formatWanYuan(fen("12,345.49"), 4)).toBe("1.2345");
    expect(formatWanYuan(0n)).toBe("0.00");
    expect(formatWanYuan(-fen("12,350"))).toBe("-1.24");
  });

  it("rounds once on the total, not on each district", () => {
    const districts = [fen("4,950"), fen("4,950"), fen("4,950")]; // each 0.495 万 → "0.50"
    const summedRounded = districts.map((d) => Number(formatWanYuan(d))).reduce((a, b) => a + b, 0);
    expect(summedRounded.toFixed(2)).toBe("1.50");
    expect(formatWanYuan(sumFen(districts))).toBe("1.49");
  });
});

describe("properties", () => {
  it("a whole split into payments sums back to the whole, to the fen, through their yuan strings", () => {
    fc.assert(
      fc.property(amount, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 200 }), (whole, cuts) => {
        // Cut points chosen from random fractions: the payments are uneven and may include zeros.
        const points = cuts.map((c) => (whole * BigInt(Math.floor(c * 1_000_000))) / 1_000_000n).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const bounds = [0n, ...points, whole];
        const parts = bounds.slice(1).map((bound, index) => bound - bounds[index]!);
        const reparsed = parts.map((part) => fen(toYuanDecimal(part)));
        expect(sumFen(reparsed)).toBe(whole);
        expect(fen(formatYuan(sumFen(parts)))).toBe(whole);
      }),
    );
  });

  it("parses back what it formats, grouped or not, and in 万 with 6 decimals", () => {
    fc.assert(
      fc.property(amount, (value) => {
        expect(fen(formatYuan(value))).toBe(value);
        expect(fen(toYuanDecimal(value))).toBe(value);
        const wan = `${value / 1_000_000n}.${String(value % 1_000_000n).padStart(6, "0")}万`;
        expect(fen(wan)).toBe(value);
      }),
    );
  });

  it("rounds 万元 to the nearest step, ties upward", () => {
    fc.assert(
      fc.property(amount, fc.constantFrom(2 as const, 4 as const), (value, decimals) => {
        const step = decimals === 2 ? 10_000n : 100n;
        const rounded = fen(`${formatWanYuan(value, decimals)}万`);
        const difference = rounded - value;
        expect(rounded % step).toBe(0n);
        expect(difference * 2n <= step && difference * 2n > -step).toBe(true);
      }),
    );
  });
});
