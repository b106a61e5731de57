// Which cell styles display a number as a date: Excel stores dates as serial day numbers and only
// the style's number format says "this is a date".

// Built-in date/time formats, including the East Asian ones (27–36, 50–58) Chinese Excel uses.
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** True when a custom format code shows a date or time (y, m, d, h, s, or aaa for the Chinese
 * weekday, outside literals). */
export function isDateFormatCode(code: string): boolean {
  const unquoted = code
    .replace(/"[^"]*"/g, "")
    .replace(/\\./g, "")
    // [Red], [$-804] are decorations, not tokens.
    .replace(/\[[^\]]*\]/g, "");
  if (/^general$/i.test(unquoted.trim()) || unquoted.includes("@")) return false;
  return /[ymdhs年月日]|aaa/i.test(unquoted);
}

export function isDateFormat(numFmtId: number, customFormats: ReadonlyMap<number, string>): boolean {
  const custom = customFormats.get(numFmtId);
  return custom !== undefined ? isDateFormatCode(custom) : BUILT_IN_DATE_FORMATS.has(numFmtId);
}
