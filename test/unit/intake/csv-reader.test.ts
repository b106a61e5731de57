import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { parseSlices, readCsvRows } from "../../../src/intake/files/csv-reader.ts";
import { detectCsvEncoding, detectFileKind } from "../../../src/intake/files/file-kind.ts";
import { IntakeFileError } from "../../../src/intake/files/file-error.ts";
import type { SheetRow } from "../../../src/intake/files/sheet-row.ts";

const NAMES = ["张三丰", "欧阳娜娜", "买买提·艾力", "𠮷野家", "李 明"];
const csvText = ["姓名,身份证号,备注", ...NAMES.map((name, i) => `${name},4114261990030712${i},"带""引号"",和逗号"`)].join("\r\n") + "\r\n";

async function collect(input: Uint8Array | AsyncIterable<Uint8Array>, options?: Parameters<typeof readCsvRows>[1]): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of readCsvRows(input, options)) rows.push(row);
  return rows;
}

async function failure(input: Uint8Array | AsyncIterable<Uint8Array>, options?: Parameters<typeof readCsvRows>[1]) {
  try {
    await collect(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(IntakeFileError);
    return error as IntakeFileError;
  }
  throw new Error("expected the file to be refused");
}

async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const namesOf = (rows: SheetRow[]) => rows.slice(1).map((r) => r.record[0]);

describe("detectCsvEncoding and detectFileKind", () => {
  it("tells UTF-8 (with or without BOM), UTF-16 and GB18030 apart", () => {
    expect(detectCsvEncoding(Buffer.from("\ufeff姓名", "utf8"))).toEqual({ encoding: "utf-8", bomLength: 3, decided: true });
    expect(detectCsvEncoding(Buffer.from("姓名,张三丰", "utf8"))).toEqual({ encoding: "utf-8", bomLength: 0, decided: true });
    expect(detectCsvEncoding(iconv.encode("姓名,张三丰", "gbk"))).toEqual({ encoding: "gb18030", bomLength: 0, decided: true });
    expect(detectCsvEncoding(Buffer.from([0xff, 0xfe, 0x59, 0x59]))).toMatchObject({ encoding: "utf-16le", bomLength: 2 });
    expect(detectCsvEncoding(Buffer.from("name,id", "ascii"))).toMatchObject({ decided: false });
  });

  it("tolerates a UTF-8 character cut off by the end of the sample", () => {
    const bytes = Buffer.from("姓名张", "utf8");
    expect(detectCsvEncoding(bytes.subarray(0, bytes.length - 1)).encoding).toBe("utf-8");
  });

  it("recognises xlsx and legacy xls from their signatures", () => {
    expect(detectFileKind(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0]))).toBe("xlsx");
    expect(detectFileKind(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toBe("xls");
    expect(detectFileKind(Buffer.from("姓名,身份证号"))).toBe("csv");
  });
});

describe("readCsvRows", () => {
  it("never cuts a character outside the BMP in half where it hands the parser slices of text", async () => {
    // Every offset of a 𠮷 (a surrogate pair) around the 32,768-character slice boundary.
    for (let pad = 32_760; pad <= 32_770; pad++) {
      const text = `姓名,备注\r\n${"x".repeat(pad)}𠮷野家,尾\r\n𠮷${"𠮷".repeat(20_000)},尾\r\n`;
      const slices = [...parseSlices(text)];
      expect(slices.join("")).toBe(text);
      for (const slice of slices) expect(slice).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
      const rows = await collect(Buffer.from(text, "utf8"), { maxFieldLength: 100_000 });
      expect(rows.slice(1).map((r) => r.record[0])).toEqual([`${"x".repeat(pad)}𠮷野家`, `𠮷${"𠮷".repeat(20_000)}`]);
    }
  });

  it.each([
    ["UTF-8", Buffer.from(csvText, "utf8")],
    ["UTF-8 with BOM", Buffer.from(`\ufeff${csvText}`, "utf8")],
    ["GB18030", iconv.encode(csvText, "gb18030")],
    ["UTF-16LE with BOM (tab-separated)", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csvText.replaceAll(",", "\t").replace('"带""引号""\t和逗号"', '"带""引号"",和逗号"'), "utf16le")])],
  ])("reads %s without garbling a name", async (_, bytes) => {
    const rows = await collect(bytes);
    expect(rows[0]).toEqual({ rowNumber: 1, record: ["姓名", "身份证号", "备注"] });
    expect(namesOf(rows)).toEqual(NAMES);
    expect(rows[1]!.record[2]).toBe('带"引号",和逗号');
  });

  it("round-trips names through GB18030, including 𠮷 outside GBK", () => {
    const encoded = iconv.encode(csvText, "gb18030");
    expect(iconv.decode(encoded, "gb18030")).toBe(csvText);
    // 𠮷 (U+20BB7) has no GBK code; GB18030 writes it as four bytes.
    expect(iconv.encode("𠮷", "gb18030")).toHaveLength(4);
  });

  it.each([1, 2, 3, 7, 4096])("decodes GBK split into %i-byte pieces", async (size) => {
    const rows = await collect(inPieces(iconv.encode(csvText, "gbk").subarray(0), size));
    expect(namesOf(rows).slice(0, 3)).toEqual(NAMES.slice(0, 3));
  });

  it("decides the encoding late when the file starts with plain ASCII", async () => {
    const asciiPrefix = `name,id_number,remark\r\n${"Wang Wei,411426199003071235,x\r\n".repeat(5000)}`;
    const text = `${asciiPrefix}张三丰,411426199003071235,备注\r\n`;
    for (const bytes of [Buffer.from(text, "utf8"), iconv.encode(text, "gbk")]) {
      const rows = await collect(inPieces(bytes, 65536));
      expect(rows.at(-1)!.record).toEqual(["张三丰", "411426199003071235", "备注"]);
      expect(rows.at(-1)!.rowNumber).toBe(5002);
    }
  });

  it("numbers rows as a spreadsheet does, skipping blank lines and keeping quoted line breaks", async () => {
    const rows = await collect(Buffer.from('姓名,备注\n张三,"第一行\n第二行"\n\n,,\n李四,\n', "utf8"));
    expect(rows).toEqual([
      { rowNumber: 1, record: ["姓名", "备注"] },
      { rowNumber: 2, record: ["张三", "第一行\n第二行"] },
      { rowNumber: 5, record: ["李四"] },
    ]);
  });

  it("refuses an empty file", async () => {
    expect((await failure(Buffer.alloc(0))).code).toBe("FILE_EMPTY");
  });

  it("refuses binary junk and NUL bytes", async () => {
    const junk = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256));
    expect((await failure(junk)).code).toBe("FILE_NOT_TEXT");
    expect((await failure(Buffer.from("姓名,身份证号\n张三\u0000,1\n", "utf8"))).code).toBe("FILE_NOT_TEXT");
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect((await failure(png)).code).toBe("FILE_NOT_TEXT");
  });

  it("refuses a file whose encoding changes after it was decided", async () => {
    const mixed = Buffer.concat([Buffer.from(`姓名\n${"张三\n".repeat(3000)}`, "utf8"), iconv.encode("李四\n", "gbk")]);
    expect((await failure(mixed)).code).toBe("FILE_NOT_TEXT");
  });

  it("refuses 10,000 columns", async () => {
    const wide = Buffer.from(`${Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(",")}\n`, "utf8");
    const error = await failure(wide);
    expect(error.code).toBe("FILE_TOO_MANY_COLUMNS");
    expect(error.details).toEqual({ row: 1, limit: 200 });
    expect(error.status).toBe(400);
    expect(error.localised.zh).toContain("上限 200");
  });

  it("ignores trailing empty columns Excel leaves behind", async () => {
    const rows = await collect(Buffer.from(`姓名,身份证号${",".repeat(500)}\n张三,1${",".repeat(500)}\n`, "utf8"));
    expect(rows[1]!.record).toEqual(["张三", "1"]);
  });

  it("refuses an overlong cell, and an unclosed quote that would swallow the file", async () => {
    const long = await failure(Buffer.from(`姓名,备注\n张三,${"很".repeat(3000)}\n`, "utf8"));
    expect(long).toMatchObject({ code: "FILE_FIELD_TOO_LONG", details: { row: 2, column: 2, limit: 2000 } });
    const unclosed = await failure(Buffer.from(`姓名,备注\n张三,"没有结束${"的引号 ".repeat(100_000)}\n`, "utf8"));
    expect(unclosed.code).toBe("FILE_FIELD_TOO_LONG");
    const malformed = await failure(Buffer.from('姓名,备注\n张三,"未闭合\n', "utf8"));
    expect(malformed.code).toBe("FILE_CSV_MALFORMED");
  });

  it("enforces the row and byte limits", async () => {
    const rows = Buffer.from(`姓名\n${"张三\n".repeat(20)}`, "utf8");
    expect(await collect(rows, { maxRows: 20 })).toHaveLength(21);
    expect(await failure(rows, { maxRows: 19 })).toMatchObject({ code: "FILE_TOO_MANY_ROWS", status: 413, details: { limit: 19 } });
    expect(await failure(rows, { maxBytes: 50 })).toMatchObject({ code: "FILE_TOO_LARGE", status: 413 });
  });
});
