// SMS segment counting as the carriers (and Twilio) bill it. A message is GSM-7 only when every
// character is in the GSM 03.38 default alphabet or its extension table; one other character
// (any Chinese character) switches the whole message to UCS-2.
export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SegmentInfo {
  encoding: SmsEncoding;
  segments: number;
  /** GSM-7 septets (extension characters count 2) or UTF-16 code units for UCS-2. */
  units: number;
  /** Capacity of each segment in units: 160/70 when the message fits one, 153/67 when split. */
  perSegment: number;
  /** Units still free in the last segment before another segment is billed. */
  remainingInSegment: number;
}

const GSM7_BASIC = new Set(
  Array.from(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
  ),
);
// Sent as ESC + character, so each costs two septets.
const GSM7_EXTENSION = new Set(Array.from("\f^{}\\[~]|€"));

const LIMITS: Record<SmsEncoding, { single: number; multipart: number }> = {
  // Multipart segments lose 7 septets / 3 code units to the concatenation header (UDH).
  "GSM-7": { single: 160, multipart: 153 },
  "UCS-2": { single: 70, multipart: 67 },
};

export function detectEncoding(text: string): SmsEncoding {
  for (const char of text) {
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) return "UCS-2";
  }
  return "GSM-7";
}

function unitsOf(char: string, encoding: SmsEncoding): number {
  if (encoding === "GSM-7") return GSM7_EXTENSION.has(char) ? 2 : 1;
  // A code point outside the BMP is a surrogate pair: two UTF-16 code units.
  return char.length;
}

export function countSegments(text: string): SegmentInfo {
  const encoding = detectEncoding(text);
  const limits = LIMITS[encoding];
  const charUnits = Array.from(text, (char) => unitsOf(char, encoding));
  const units = charUnits.reduce((sum, n) => sum + n, 0);

  if (units <= limits.single) {
    return {
      encoding,
      segments: units === 0 ? 0 : 1,
      units,
      perSegment: limits.single,
      remainingInSegment: limits.single - units,
    };
  }

  // An escape sequence or a surrogate pair is never split across two segments: when it does not
  // fit in what is left of a segment, the rest of that segment stays empty.
  let segments = 1;
  let used = 0;
  for (const n of charUnits) {
    if (used + n > limits.multipart) {
      segments += 1;
      used = 0;
    }
    used += n;
  }
  return {
    encoding,
    segments,
    units,
    perSegment: limits.multipart,
    remainingInSegment: limits.multipart - used,
  };
}
