// Money is an integer number of fen (分, 0.01 yuan) held in a bigint: sums of thousands of payments
// stay exact, and nothing ever passes through a floating-point number.
import type { LocalisedMessage } from "../errors.ts";

export type Fen = bigint;

const FEN_PER_YUAN = 100n;
const FEN_PER_WAN_YUAN = 1_000_000n;
/**
 * The largest amount accepted: 2^53 − 1 fen (about 90 万亿 yuan), far above any wage claim, so an
 * amount also fits PostgreSQL bigint and a JSON number without loss.
 */
export const MAX_FEN: Fen = BigInt(Number.MAX_SAFE_INTEGER);

export type MoneyErrorCode = "MONEY_EMPTY" | "MONEY_FORMAT" | "MONEY_NEGATIVE" | "MONEY_TOO_MANY_DECIMALS" | "MONEY_TOO_LARGE";

export type MoneyParse = { ok: true; fen: Fen } | { ok: false; code: MoneyErrorCode; message: LocalisedMessage };

// Integer part plain ("12345") or grouped by thousands ("12,345"), optional decimals, optional 万
// (ten thousand), optional 元; a leading ¥ is tolerated.
const AMOUNT_PATTERN = /^¥?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(万)?(?:元)?$/;

function fullWidthToAscii(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0)).replace(/\uFFE5/g, "¥");
}

/**
 * Parse an amount in yuan as people write it: "12345.67", "1,234.5", "1.2万" (12,000 yuan), "￥８００元".
 * At most 2 decimals for yuan and 6 for 万 (both are whole fen); negative or malformed input is refused.
 */
export function parseYuan(input: string): MoneyParse {
  const text = fullWidthToAscii(input).replace(/\s+/g, "");
  if (text === "") {
    return { ok: false, code: "MONEY_EMPTY", message: { zh: "金额不能为空", en: "The amount is empty" } };
  }
  if (/^[-−]/.test(text)) {
    return { ok: false, code: "MONEY_NEGATIVE", message: { zh: "金额不能为负数", en: "The amount cannot be negative" } };
  }
  const match = AMOUNT_PATTERN.exec(text);
  if (!match) {
    return {
      ok: false,
      code: "MONEY_FORMAT",
      message: { zh: `“${input}”不是有效金额，应写作 12345.67、1,234.50 或 1.2万`, en: `"${input}" is not an amount; write 12345.67, 1,234.50 or 1.2万` },
    };
  }
  const [, integerPart = "", decimals = "", wan] = match;
  const maxDecimals = wan ? 6 : 2;
  if (decimals.length > maxDecimals) {
    return {
      ok: false,
      code: "MONEY_TOO_MANY_DECIMALS",
      message: {
        zh: wan ? "以万元为单位时最多 6 位小数（精确到分）" : "最多 2 位小数（精确到分）",
        en: wan ? "At most 6 decimals in 万 (whole fen)" : "At most 2 decimals (whole fen)",
      },
    };
  }
  const unit = wan ? FEN_PER_WAN_YUAN : FEN_PER_YUAN;
  const fen = BigInt(integerPart.replaceAll(",", "")) * unit + BigInt(decimals.padEnd(maxDecimals, "0"));
  if (fen > MAX_FEN) {
    return { ok: false, code: "MONEY_TOO_LARGE", message: { zh: "金额过大", en: "The amount is too large" } };
  }
  return { ok: true, fen };
}

export function sumFen(amounts: Iterable<Fen>): Fen {
  let total = 0n;
  for (const amount of amounts) total += amount;
  return total;
}

function absolute(fen: Fen): Fen {
  return fen < 0n ? -fen : fen;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+$)/g, ",");
}

/** "12345.67": the exact amount in yuan, as API responses carry it. */
export function toYuanDecimal(fen: Fen): string {
  const sign = fen < 0n ? "-" : "";
  const magnitude = absolute(fen);
  return `${sign}${magnitude / FEN_PER_YUAN}.${String(magnitude % FEN_PER_YUAN).padStart(2, "0")}`;
}

/** "12,345.67": the exact amount in yuan, grouped by thousands, for pages and exports. */
export function formatYuan(fen: Fen): string {
  const [integerPart = "", decimals = ""] = toYuanDecimal(fen).split(".");
  const sign = integerPart.startsWith("-") ? "-" : "";
  return `${sign}${groupThousands(integerPart.replace("-", ""))}.${decimals}`;
}

/**
 * The amount in 万元 as the statistics form (row 08(C), 11(A)) asks, rounded half up — away from
 * zero — to 2 decimals (to the hundred yuan, the forms' usual 保留两位小数) or 4 (to the yuan).
 * Round once, on the total: a city's figure is its districts' fen summed, then rounded, never the
 * sum of their rounded figures.
 */
export function formatWanYuan(fen: Fen, decimals: 2 | 4 = 2): string {
  const step = 10n ** BigInt(6 - decimals); // fen per last printed digit
  const magnitude = absolute(fen);
  const units = (magnitude + step / 2n) / step;
  const scale = 10n ** BigInt(decimals);
  const sign = fen < 0n && units > 0n ? "-" : "";
  return `${sign}${units / scale}.${String(units % scale).padStart(decimals, "0")}`;
}
