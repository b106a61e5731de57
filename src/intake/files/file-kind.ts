// What an upload is, from its first bytes (the file name and Content-Type are often wrong: Chinese
// Excel saves CSV as .xls on request, and browsers send application/vnd.ms-excel for CSV).

export type FileKind = "xlsx" | "xls" | "csv";

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
// OLE compound file: .xls, and also an encrypted .xlsx.
const CFB_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((byte, i) => bytes[i] === byte);

export function detectFileKind(firstBytes: Uint8Array): FileKind {
  if (startsWith(firstBytes, ZIP_SIGNATURE)) return "xlsx";
  if (startsWith(firstBytes, CFB_SIGNATURE)) return "xls";
  return "csv";
}

export type CsvEncoding = "utf-8" | "gb18030" | "utf-16le" | "utf-16be";

export interface EncodingDetection {
  encoding: CsvEncoding;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
  /** False when the sample was plain ASCII, which reads the same in UTF-8 and GB18030. */
  decided: boolean;
}

/** Strict UTF-8 (no overlongs, no surrogates), allowing a sequence cut off by the end of the
 * sample; `sequences` counts the multi-byte characters read before the end or the first error. */
function scanUtf8(bytes: Uint8Array): { valid: boolean; sequences: number } {
  let i = 0;
  let sequences = 0;
  const n = bytes.length;
  while (i < n) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    if (byte >= 0xc2 && byte <= 0xdf) [length, min] = [2, 0x80];
    else if (byte >= 0xe0 && byte <= 0xef) [length, min] = [3, 0x800];
    else if (byte >= 0xf0 && byte <= 0xf4) [length, min] = [4, 0x10000];
    else return { valid: false, sequences };
    if (i + length > n) return { valid: bytes.subarray(i + 1).every((b) => (b & 0xc0) === 0x80), sequences };
    let codePoint = byte & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) return { valid: false, sequences };
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return { valid: false, sequences };
    sequences++;
    i += length;
  }
  return { valid: true, sequences };
}

// GBK text rarely reads as more than a few UTF-8 characters before an invalid byte (at most 5 in
// 20,000 random lines of names and places). A sample with this many is UTF-8 with a foreign part
// pasted in: it is kept as UTF-8 so the strict decoder refuses it instead of garbling it as GB18030.
const MIXED_ENCODING_EVIDENCE = 16;

/**
 * The encoding of a CSV from its first bytes: a BOM decides; otherwise valid UTF-8 with non-ASCII
 * bytes is UTF-8, and anything else is GB18030 (the superset of GBK and GB2312 that Chinese Excel
 * writes). A pure-ASCII sample is undecided: the reader decides at the first non-ASCII byte.
 */
export function detectCsvEncoding(firstBytes: Uint8Array): EncodingDetection {
  if (startsWith(firstBytes, [0xef, 0xbb, 0xbf])) return { encoding: "utf-8", bomLength: 3, decided: true };
  if (startsWith(firstBytes, [0xff, 0xfe])) return { encoding: "utf-16le", bomLength: 2, decided: true };
  if (startsWith(firstBytes, [0xfe, 0xff])) return { encoding: "utf-16be", bomLength: 2, decided: true };
  if (firstBytes.every((byte) => byte < 0x80)) return { encoding: "utf-8", bomLength: 0, decided: false };
  const utf8 = scanUtf8(firstBytes);
  const looksUtf8 = utf8.valid || utf8.sequences >= MIXED_ENCODING_EVIDENCE;
  return { encoding: looksUtf8 ? "utf-8" : "gb18030", bomLength: 0, decided: true };
}
