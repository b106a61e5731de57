import { deflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { IntakeFileError } from "../../../src/intake/files/file-error.ts";
import type { SheetRow } from "../../../src/intake/files/sheet-row.ts";
import { readXlsxRows, type XlsxReadOptions } from "../../../src/intake/files/xlsx-reader.ts";
import { isDateFormat } from "../../../src/intake/files/xlsx-number-formats.ts";
import { buildXlsx, inlineRow, worksheetXml } from "../../fixtures/intake/xlsx-parts.ts";
import { buildZip } from "../../fixtures/intake/zip-writer.ts";
import { idNumber } from "../../fixtures/intake/id-numbers.ts";

async function collect(input: Uint8Array | string, options?: XlsxReadOptions): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of readXlsxRows(input, options)) rows.push(row);
  return rows;
}

async function failure(input: Uint8Array, options?: XlsxReadOptions): Promise<IntakeFileError> {
  try {
    await collect(input, options);
  } catch (error) {
    expect(error).toBeInstanceOf(IntakeFileError);
    return error as IntakeFileError;
  }
  throw new Error("expected the file to be refused");
}

const id = idNumber("411426", "19900307", "135");

async function excelWorkbook(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("名单");
  sheet.addRow(["姓名", "身份证号", "手机号", "出发日期", "已确认"]);
  sheet.addRow(["张三丰", id, 13812345678, new Date(Date.UTC(2027, 0, 25)), true]);
  sheet.getCell("D2").numFmt = "yyyy/m/d";
  // Excel's damage: an 18-digit ID typed into a General cell keeps 15 significant digits.
  sheet.addRow(["欧阳娜娜", 320102199003078000, "139 8765 4321", 46413, false]);
  sheet.addRow([]);
  sheet.addRow([{ richText: [{ text: "买买提" }, { font: { bold: true }, text: "·艾力" }] }]);
  const other = workbook.addWorksheet("第二批");
  other.addRow(["姓名"]);
  other.addRow(["𠮷野家"]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe("readXlsxRows", () => {
  it("reads what Excel writes: shared strings, numbers, dates, booleans and rich text", async () => {
    const rows = await collect(await excelWorkbook());
    expect(rows).toEqual([
      { rowNumber: 1, record: ["姓名", "身份证号", "手机号", "出发日期", "已确认"] },
      { rowNumber: 2, record: ["张三丰", id, 13812345678, new Date(Date.UTC(2027, 0, 25)), true] },
      { rowNumber: 3, record: ["欧阳娜娜", 320102199003078000, "139 8765 4321", 46413, false] },
      { rowNumber: 5, record: ["买买提·艾力"] },
    ]);
  });

  it("reads a named sheet, and says when it is missing", async () => {
    const workbook = await excelWorkbook();
    expect((await collect(workbook, { sheetName: "第二批" })).map((r) => r.record)).toEqual([["姓名"], ["𠮷野家"]]);
    expect((await failure(workbook, { sheetName: "第三批" })).code).toBe("FILE_XLSX_SHEET_NOT_FOUND");
  });

  it("reads inline strings, skips phonetic guides and places cells by reference", async () => {
    const xml = worksheetXml(
      `${inlineRow(1, ["姓名", "备注"])}` +
        `<row r="3"><c r="A3" t="inlineStr"><is><r><t>张</t></r><r><t>三</t></r><rPh sb="0" eb="1"><t>ちょう</t></rPh></is></c>` +
        `<c r="D3" t="inlineStr"><is><t xml:space="preserve"> 第四列 </t></is></c><c r="E3" s="0"/></row>` +
        `<row><c t="str"><f>A3</f><v>公式结果</v></c><c><v>42</v></c><c t="e"><v>#N/A</v></c></row>`,
    );
    expect(await collect(buildXlsx({ sheets: [{ name: "S", xml }] }))).toEqual([
      { rowNumber: 1, record: ["姓名", "备注"] },
      { rowNumber: 3, record: ["张三", null, null, " 第四列 "] },
      { rowNumber: 4, record: ["公式结果", 42, "#N/A"] },
    ]);
  });

  it("turns date-formatted serials into dates, in both date systems", async () => {
    const stylesXml =
      '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>' +
      '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="49"/></cellXfs>';
    const xml = worksheetXml('<row r="1"><c r="A1" s="1"><v>46412</v></c><c r="B1" s="2"><v>46413</v></c><c r="C1" s="3"><v>46414</v></c><c r="D1"><v>46415</v></c></row>');
    const [row1900] = await collect(buildXlsx({ sheets: [{ name: "S", xml }], stylesXml }));
    expect(row1900!.record).toEqual([new Date(Date.UTC(2027, 0, 25)), new Date(Date.UTC(2027, 0, 26)), 46414, 46415]);
    const [row1904] = await collect(buildXlsx({ sheets: [{ name: "S", xml }], stylesXml, date1904: true }));
    expect(row1904!.record[0]).toEqual(new Date(Date.UTC(2031, 0, 26)));
  });

  it("reads a file from disk by path", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = `${mkdtempSync(`${tmpdir()}/intake-`)}/list.xlsx`;
    writeFileSync(path, await excelWorkbook());
    expect((await collect(path)).length).toBe(4);
  });
});

describe("readXlsxRows against hostile files", () => {
  it("refuses a zip bomb before inflating it", async () => {
    const inflated = 64 * 1024 * 1024;
    const bomb = deflateRawSync(Buffer.alloc(inflated, 0x20));
    expect(inflated / bomb.length).toBeGreaterThan(500);
    const file = buildXlsx({ sheets: [{ name: "S", xml: "", compressed: bomb, declaredSize: inflated }] });
    const started = performance.now();
    const error = await failure(file);
    expect(error).toMatchObject({ code: "FILE_XLSX_TOO_LARGE", status: 413, details: { limit: 200 } });
    expect(performance.now() - started).toBeLessThan(2000);
    // Even when the ratio were allowed, the total budget stops it.
    expect(await failure(file, { maxCompressionRatio: 1e6, maxUncompressedBytes: 32 * 1024 * 1024 })).toMatchObject({
      code: "FILE_XLSX_TOO_LARGE",
    });
  });

  it("stops a part that inflates past the size its header declares", async () => {
    const hidden = deflateRawSync(Buffer.from(worksheetXml(`${inlineRow(1, ["a"])}${" ".repeat(4 * 1024 * 1024)}`)));
    const file = buildXlsx({ sheets: [{ name: "S", xml: "", compressed: hidden, declaredSize: 1000 }] });
    expect((await failure(file)).code).toBe("FILE_XLSX_INVALID");
  });

  it.each([
    ["an unclosed element", worksheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>张三</t></is></c>')],
    ["a mismatched end tag", worksheetXml('<row r="1"><c r="A1"><v>1</x></c></row>')],
    ["an entity it cannot resolve", worksheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>')],
    ["a DOCTYPE entity bomb", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>`],
    ["a shared string that does not exist", worksheetXml('<row r="1"><c r="A1" t="s"><v>7</v></c></row>')],
    ["a number that is not one", worksheetXml('<row r="1"><c r="A1"><v>1,5</v></c></row>')],
  ])("refuses broken XML: %s", async (_, xml) => {
    expect((await failure(buildXlsx({ sheets: [{ name: "S", xml }] }))).code).toBe("FILE_XLSX_INVALID");
  });

  it("refuses 10,000 columns", async () => {
    const cells = Array.from({ length: 10_000 }, (_, i) => `<c t="inlineStr"><is><t>c${i}</t></is></c>`).join("");
    const error = await failure(buildXlsx({ sheets: [{ name: "S", xml: worksheetXml(`<row r="1">${cells}</row>`) }] }));
    expect(error).toMatchObject({ code: "FILE_TOO_MANY_COLUMNS", details: { row: 1, limit: 200 } });
  });

  it("refuses one cell placed far to the right without allocating the columns before it", async () => {
    const xml = worksheetXml('<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>');
    expect((await failure(buildXlsx({ sheets: [{ name: "S", xml }] }))).code).toBe("FILE_TOO_MANY_COLUMNS");
  });

  it("refuses an overlong cell and too many rows", async () => {
    const long = worksheetXml(inlineRow(1, ["很".repeat(2001)]));
    expect((await failure(buildXlsx({ sheets: [{ name: "S", xml: long }] }))).code).toBe("FILE_FIELD_TOO_LONG");
    const many = worksheetXml(Array.from({ length: 30 }, (_, i) => inlineRow(i + 1, ["张三"])).join(""));
    expect(await collect(buildXlsx({ sheets: [{ name: "S", xml: many }] }), { maxRows: 29 })).toHaveLength(30);
    expect(await failure(buildXlsx({ sheets: [{ name: "S", xml: many }] }), { maxRows: 28 })).toMatchObject({ code: "FILE_TOO_MANY_ROWS" });
  });

  it("refuses binary junk, a zip that is not a workbook, and too many entries", async () => {
    const junk = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 31 + 7) % 256))]);
    expect((await failure(junk)).code).toBe("FILE_XLSX_INVALID");
    expect((await failure(buildZip([{ name: "readme.txt", data: "hello" }]))).code).toBe("FILE_XLSX_INVALID");
    const entries = Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, data: "", store: true }));
    expect((await failure(buildZip(entries))).code).toBe("FILE_XLSX_TOO_LARGE");
  });
});

describe("isDateFormat", () => {
  it.each([
    [14, undefined, true],
    [31, undefined, true], // 年月日 built-in of Chinese Excel
    [49, undefined, false], // @ text
    [0, undefined, false],
    [164, "yyyy/m/d", true],
    [164, 'yyyy"年"m"月"d"日"', true],
    [164, "[$-804]aaaa", true], // 星期一
    [164, "[$-804]0.00", false],
    [164, "0.00", false],
    [164, '"Day "0', false],
    [164, "[Red]#,##0", false],
    [164, "@", false],
    [164, "General", false],
  ])("format %i %j → %s", (id, code, expected) => {
    expect(isDateFormat(id, new Map(code === undefined ? [] : [[id, code]]))).toBe(expected);
  });
});

describe("readXlsxRows shared-string budget", () => {
  it("refuses a table of millions of empty strings", async () => {
    const sharedStrings = Array.from({ length: 50_000 }, () => "");
    const file = buildXlsx({ sheets: [{ name: "S", xml: worksheetXml(inlineRow(1, ["a"])) }], sharedStrings });
    expect(await collect(file)).toHaveLength(1);
    expect(await failure(file, { maxSharedStringBytes: 1_000_000 })).toMatchObject({ code: "FILE_XLSX_TOO_LARGE" });
  });
});
