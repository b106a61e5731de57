// Streaming CSV reader for group lists: detects the encoding, the delimiter (comma, or tab for
// Excel's "Unicode text"), and enforces limits while reading so a hostile file costs bounded
// memory. Runs in the Node API and worker (uses node:stream).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse, CsvError } from "csv-parse";
import { IntakeFileError } from "./file-error.ts";
import { DEFAULT_LIMITS, withoutTrailingEmpty, type SheetLimits, type SheetRow } from "./sheet-row.ts";
import { decodeCsvBytes } from "./text-decoding.ts";

export interface CsvReadOptions extends SheetLimits {
  /** Bytes accepted before FILE_TOO_LARGE; default 100 MiB. */
  maxBytes?: number;
}

// Bytes are decoded a slice at a time, so that each piece of text is a young, short-lived string:
// decoded 1 MiB of bytes is a 1–2 MB string in V8's large-object space, freed only by a full
// collection.
const BUFFER_SLICE = 32_768;

async function* slices(input: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const buffer of input instanceof Uint8Array ? [input] : input) {
    for (let offset = 0; offset < buffer.byteLength; offset += BUFFER_SLICE) {
      yield buffer.subarray(offset, offset + BUFFER_SLICE);
    }
  }
}

const PARSE_SLICE = 32_768;

/** A text in slices of at most PARSE_SLICE characters, never between the halves of a surrogate
 * pair (the parser takes strings as UTF-8 bytes; half a pair would become U+FFFD and garble 𠮷). */
export function* parseSlices(text: string): Generator<string> {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + PARSE_SLICE, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(start, end);
    start = end;
  }
}

function delimiterOf(firstText: string): string {
  const firstLine = firstText.slice(0, firstText.search(/\r?\n|$/));
  const count = (character: string) => firstLine.split(character).length - 1;
  return count("\t") > count(",") ? "\t" : ",";
}

/** Rows of a CSV file, header included. Throws IntakeFileError on a file that cannot be read. */
export async function* readCsvRows(
  input: Uint8Array | AsyncIterable<Uint8Array>,
  options: CsvReadOptions = {},
): AsyncGenerator<SheetRow> {
  const { maxColumns, maxFieldLength, maxRows } = { ...DEFAULT_LIMITS, ...options };
  const text = decodeCsvBytes(slices(input), {
    maxBytes: options.maxBytes ?? 100 * 1024 * 1024,
  });
  const first = await text.next();
  if (first.done) throw new IntakeFileError("FILE_EMPTY");

  const parser = parse({
    delimiter: delimiterOf(first.value),
    relax_column_count: true,
    relax_quotes: true,
    // Bounds the buffer of one record (an unclosed quote would otherwise swallow the file).
    max_record_size: maxFieldLength * maxColumns,
  });
  // The parser turns all it is given into records at once, ahead of the reader: 1 MiB of text
  // became ~12,000 waiting rows, which outlived young collections and filled the old
  // generation (the heap of a 1,000,000-row import grew by ~0.6 KB a row between major
  // collections). Handing it slices keeps a few hundred rows ahead.
  async function* all() {
    yield* parseSlices(first.value as string);
    for await (const chunk of text) yield* parseSlices(chunk);
  }
  const feeding = pipeline(Readable.from(all()), parser).catch(() => {
    // The same error surfaces through the parser iteration below.
  });

  let rowNumber = 0;
  let nonEmptyRows = 0;
  try {
    for await (const raw of parser as AsyncIterable<string[]>) {
      rowNumber++;
      const record = withoutTrailingEmpty(raw);
      if (record.length === 0) continue;
      if (++nonEmptyRows > maxRows + 1) throw new IntakeFileError("FILE_TOO_MANY_ROWS", { limit: maxRows });
      if (record.length > maxColumns) throw new IntakeFileError("FILE_TOO_MANY_COLUMNS", { row: rowNumber, limit: maxColumns });
      const long = record.findIndex((cell) => (cell as string).length > maxFieldLength);
      if (long !== -1) throw new IntakeFileError("FILE_FIELD_TOO_LONG", { row: rowNumber, column: long + 1, limit: maxFieldLength });
      yield { rowNumber, record };
    }
  } catch (error) {
    if (error instanceof IntakeFileError) throw error;
    if (error instanceof CsvError) {
      const row = rowNumber + 1;
      if (error.code === "CSV_MAX_RECORD_SIZE") throw new IntakeFileError("FILE_FIELD_TOO_LONG", { row, limit: maxFieldLength }, error);
      throw new IntakeFileError("FILE_CSV_MALFORMED", { row }, error);
    }
    throw error;
  } finally {
    parser.destroy();
    await feeding;
  }
}
