// Exact money formatting for the statistics form (fen → 元 / 万元, half up, no floats) and the masking
// of traveller names in drill-downs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fenToWanYuan, fenToYuan } from "../../../src/services/totals/definitions.ts";
import { maskName } from "../../../src/services/totals/drilldown.ts";

describe("fen to 元 and 万元", () => {
  it("formats exactly", () => {
    expect(fenToYuan(0n)).toBe("0.00");
    expect(fenToYuan(5n)).toBe("0.05");
    expect(fenToYuan(123_456_789n)).toBe("1234567.89");
    expect(fenToWanYuan(3_000_001n)).toBe("3.00");
    expect(fenToWanYuan(1_005_000n)).toBe("1.01"); // 1.005 万元 rounds half up
    expect(fenToWanYuan(1_004_999n)).toBe("1.00");
    expect(fenToWanYuan(5_686_000_000n)).toBe("5686.00"); // Suzhou 2007: 56.86 million yuan repaid
    expect(fenToWanYuan(123n, 6)).toBe("0.000123");
  });

  it("agrees with decimal arithmetic on any amount", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (fen) => {
        const yuan = fenToYuan(fen);
        expect(BigInt(yuan.replace(".", ""))).toBe(fen);
        const wan = fenToWanYuan(fen);
        const hundredths = BigInt(wan.replace(".", ""));
        // |wan × 10^6 − fen| ≤ half a unit of the last digit (5,000 fen).
        const diff = hundredths * 10_000n - fen;
        expect(diff <= 5_000n && diff > -5_000n).toBe(true);
      }),
    );
  });
});

describe("maskName", () => {
  it("keeps the first character only", () => {
    expect(maskName("张伟")).toBe("张*");
    expect(maskName("欧阳·娜娜")).toBe("欧****");
    expect(maskName("李")).toBe("*");
  });
});
