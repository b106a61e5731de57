// The zip container of an .xlsx, opened with limits that make a zip bomb a clean error: the
// entry count, each part's declared size against a total budget, and the compression ratio are
// checked before inflating, and yauzl stops any part that inflates past its declared size.
import yauzl from "yauzl";
import { IntakeFileError } from "./file-error.ts";

export interface ArchiveLimits {
  /** Inflated bytes of all parts read, together. */
  maxUncompressedBytes: number;
  /** Inflated/compressed size of one part, checked for parts above RATIO_FLOOR_BYTES. */
  maxCompressionRatio: number;
  maxEntries: number;
}

// Small parts compress extremely well (a 2 KB styles.xml of repeated elements reaches 100:1)
// without being dangerous; the ratio only matters for parts that are large once inflated.
const RATIO_FLOOR_BYTES = 8 * 1024 * 1024;

const invalid = (cause: unknown) => new IntakeFileError("FILE_XLSX_INVALID", {}, cause);

export class XlsxArchive {
  private budget: number;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    private readonly limits: ArchiveLimits,
  ) {
    this.budget = limits.maxUncompressedBytes;
  }

  static async open(input: Uint8Array | string, limits: ArchiveLimits): Promise<XlsxArchive> {
    const options: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true };
    let zip: yauzl.ZipFile;
    try {
      zip =
        typeof input === "string"
          ? await yauzl.openPromise(input, options)
          : await yauzl.fromBufferPromise(Buffer.from(input.buffer, input.byteOffset, input.byteLength), options);
    } catch (error) {
      throw invalid(error);
    }
    try {
      if (zip.entryCount > limits.maxEntries) throw new IntakeFileError("FILE_XLSX_TOO_LARGE", { limit: limits.maxEntries });
      const entries = new Map<string, yauzl.Entry>();
      for await (const entry of zip.eachEntry()) entries.set(entry.fileName.toLowerCase(), entry);
      return new XlsxArchive(zip, entries, limits);
    } catch (error) {
      zip.close();
      throw error instanceof IntakeFileError ? error : invalid(error);
    }
  }

  /** Part names are case-insensitive in OOXML. */
  has(path: string): boolean {
    return this.entries.has(path.toLowerCase());
  }

  /** A part's text, decoded from UTF-8 chunk by chunk. */
  async *text(path: string): AsyncGenerator<string> {
    const entry = this.entries.get(path.toLowerCase());
    if (!entry) throw invalid(new Error(`missing part ${path}`));
    const size = entry.uncompressedSize;
    if (size > RATIO_FLOOR_BYTES && size / Math.max(1, entry.compressedSize) > this.limits.maxCompressionRatio) {
      throw new IntakeFileError("FILE_XLSX_TOO_LARGE", { limit: this.limits.maxCompressionRatio });
    }
    if (size > this.budget) throw new IntakeFileError("FILE_XLSX_TOO_LARGE", { limit: this.limits.maxUncompressedBytes });
    this.budget -= size;
    const decoder = new TextDecoder("utf-8", { fatal: true });
    try {
      const stream = await this.zip.openReadStreamPromise(entry);
      for await (const chunk of stream as AsyncIterable<Buffer>) yield decoder.decode(chunk, { stream: true });
      const rest = decoder.decode();
      if (rest) yield rest;
    } catch (error) {
      throw error instanceof IntakeFileError ? error : invalid(error);
    }
  }

  close(): void {
    this.zip.close();
  }
}
