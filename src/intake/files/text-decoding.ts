// Bytes of an uploaded CSV → text, in the encoding detectCsvEncoding picks, refusing anything that
// would garble a name: invalid UTF-8 after UTF-8 was chosen, bytes GB18030 cannot map, NUL and
// other control characters that only binary files contain.
import iconv from "iconv-lite";
import { detectCsvEncoding, type CsvEncoding } from "./file-kind.ts";
import { IntakeFileError } from "./file-error.ts";

export interface DecodeOptions {
  /** Total bytes accepted before FILE_TOO_LARGE. */
  maxBytes: number;
}

interface ChunkDecoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

function chunkDecoder(encoding: CsvEncoding): ChunkDecoder {
  if (encoding === "gb18030") {
    const decoder = iconv.getDecoder("gb18030");
    return { write: (bytes) => decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), end: () => decoder.end() ?? "" };
  }
  const decoder = new TextDecoder(encoding, { fatal: true });
  return {
    write: (bytes) => decoder.decode(bytes, { stream: true }),
    end: () => decoder.decode(),
  };
}

// Tab, line feed and carriage return are the only controls a CSV holds.
const BINARY_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
// Undecided text waits for this many bytes from its first non-ASCII byte before judging, so that
// one GBK character split across chunks is not mistaken for truncated UTF-8.
const DECISION_SAMPLE = 4096;

function checked(text: string, encoding: CsvEncoding | undefined): string {
  if (BINARY_CONTROL.test(text) || (encoding === "gb18030" && text.includes("\ufffd"))) {
    throw new IntakeFileError("FILE_NOT_TEXT");
  }
  return text;
}

const firstNonAscii = (bytes: Uint8Array) => bytes.findIndex((byte) => byte >= 0x80);

// The strict UTF-8 and UTF-16 decoders throw a TypeError on a byte they cannot read.
const asFileError = (error: unknown) => (error instanceof IntakeFileError ? error : new IntakeFileError("FILE_NOT_TEXT", {}, error));

/** Decodes a CSV byte stream to text chunks. Throws IntakeFileError (FILE_NOT_TEXT, FILE_TOO_LARGE). */
export async function* decodeCsvBytes(input: AsyncIterable<Uint8Array>, options: DecodeOptions): AsyncGenerator<string> {
  let total = 0;
  let first = true;
  let encoding: CsvEncoding | undefined;
  let decoder: ChunkDecoder | undefined;
  let pending = new Uint8Array(0);

  const decide = (bytes: Uint8Array) => {
    encoding = detectCsvEncoding(bytes).encoding;
    decoder = chunkDecoder(encoding);
  };
  const decodeWith = (bytes: Uint8Array) => {
    try {
      return checked(decoder!.write(bytes), encoding);
    } catch (error) {
      throw asFileError(error);
    }
  };

  for await (const chunk of input) {
    total += chunk.byteLength;
    if (total > options.maxBytes) throw new IntakeFileError("FILE_TOO_LARGE", { limit: options.maxBytes });
    let bytes = chunk;
    if (first) {
      first = false;
      const detection = detectCsvEncoding(chunk);
      if (detection.bomLength > 0) {
        encoding = detection.encoding;
        decoder = chunkDecoder(encoding);
        bytes = chunk.subarray(detection.bomLength);
      }
    }
    if (decoder) {
      yield decodeWith(bytes);
      continue;
    }
    // Still undecided: ASCII passes through (it reads the same either way) until enough non-ASCII
    // bytes have arrived to judge.
    const joined = pending.byteLength > 0 ? concat(pending, bytes) : bytes;
    const cut = firstNonAscii(joined);
    if (cut === -1) {
      pending = new Uint8Array(0);
      yield checked(Buffer.from(joined.buffer, joined.byteOffset, joined.byteLength).toString("latin1"), undefined);
      continue;
    }
    if (joined.byteLength - cut < DECISION_SAMPLE) {
      if (cut > 0) yield checked(Buffer.from(joined.buffer, joined.byteOffset, cut).toString("latin1"), undefined);
      pending = joined.slice(cut);
      continue;
    }
    if (cut > 0) yield checked(Buffer.from(joined.buffer, joined.byteOffset, cut).toString("latin1"), undefined);
    pending = new Uint8Array(0);
    decide(joined.subarray(cut));
    yield decodeWith(joined.subarray(cut));
  }
  if (first) return;
  if (!decoder && pending.byteLength > 0) {
    decide(pending);
    yield decodeWith(pending);
  }
  if (decoder) {
    let rest: string;
    try {
      rest = checked(decoder.end(), encoding);
    } catch (error) {
      throw asFileError(error);
    }
    if (rest) yield rest;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a, 0);
  joined.set(b, a.byteLength);
  return joined;
}
