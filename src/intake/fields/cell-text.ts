// What a spreadsheet cell holds, as text a person would recognise. Cells arrive as strings (CSV,
// text cells), numbers (XLSX numeric cells), booleans or Dates (XLSX date-formatted cells).

const INVISIBLE = /\p{Cf}/gu;
const CONTROL = /\p{Cc}/gu;
// Visible ASCII and common CJK ideographs are unchanged by NFKC: most cells skip the slow path.
const ALREADY_CLEAN = /^[\x21-\x7e\u4e00-\u9fff]*$/;

/** NFKC (full-width digits and letters to ASCII, ideographic space to space), invisible format
 * characters removed, line breaks and other controls made spaces, surrounding whitespace
 * (including NBSP and U+3000) trimmed. */
export function cleanText(raw: string): string {
  if (ALREADY_CLEAN.test(raw)) return raw;
  return raw.normalize("NFKC").replace(INVISIBLE, "").replace(CONTROL, " ").trim();
}

/** A cell as cleaned text; Dates as ISO dates. */
export function cellText(raw: unknown): string {
  if (raw === null || raw === undefined) return "";
  if (typeof raw === "string") return cleanText(raw);
  // JS prints numbers below 1e21 without exponent and with the shortest round-trip digits, so a
  // damaged 18-digit ID shows as Excel showed it (320102199003078000).
  if (typeof raw === "number") return Number.isFinite(raw) ? String(raw) : "";
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? "" : raw.toISOString().slice(0, 10);
  if (typeof raw === "boolean") return raw ? "TRUE" : "FALSE";
  return cleanText(String(raw));
}
