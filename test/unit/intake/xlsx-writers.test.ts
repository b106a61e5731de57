import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { buildRejectedRowsXlsx } from "../../../src/intake/files/rejected-rows-xlsx.ts";
import { buildTemplateXlsx } from "../../../src/intake/files/xlsx-template.ts";
import { readXlsxRows } from "../../../src/intake/files/xlsx-reader.ts";
import type { SheetRow } from "../../../src/intake/files/sheet-row.ts";
import { mapHeaders, recordFromCells } from "../../../src/intake/headers.ts";
import { TEMPLATE_EXAMPLE } from "../../../src/intake/template-example.ts";
import { validateRow } from "../../../src/intake/validate-row.ts";
import { idNumber, withCheckCharacter } from "../../fixtures/intake/id-numbers.ts";

const window = { start: "2027-01-22", end: "2027-02-05" };

async function rowsOf(buffer: Buffer, sheetName?: string): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of readXlsxRows(buffer, { sheetName })) rows.push(row);
  return rows;
}

async function loaded(buffer: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook;
}

describe("buildTemplateXlsx", () => {
  it("has headers intake maps, and an example row that is valid but recognised", async () => {
    const buffer = await buildTemplateXlsx({ window });
    const [header, example, ...rest] = await rowsOf(buffer);
    expect(rest).toEqual([]);
    const mapping = mapHeaders(header!.record);
    expect(mapping.ok && mapping.mapping.unknownColumns).toEqual([]);
    if (!mapping.ok) return;
    expect(TEMPLATE_EXAMPLE.idNumber).toBe(withCheckCharacter(TEMPLATE_EXAMPLE.idNumber.slice(0, 17)));
    const record = recordFromCells(example!.record, mapping.mapping);
    expect(record.earliestDate).toEqual(new Date(Date.UTC(2027, 0, 22)));
    const result = validateRow(record, { window, today: "2026-12-01" });
    expect(result.ok ? [] : result.errors.map((e) => e.code)).toEqual(["ROW_IS_TEMPLATE_EXAMPLE"]);
    // With another ID the same row is valid: the example shows a correct row.
    expect(validateRow({ ...record, idNumber: idNumber("411426", "19900307", "135") }, { window, today: "2026-12-01" }).ok).toBe(true);
  });

  it("formats ID and mobile columns as text and validates dates and the preference", async () => {
    const workbook = await loaded(await buildTemplateXlsx({ window, rows: 100 }));
    const sheet = workbook.getWorksheet("名单")!;
    expect(sheet.getColumn(2).numFmt).toBe("@");
    expect(sheet.getColumn(3).numFmt).toBe("@");
    const validations = (sheet as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }).dataValidations.model;
    // exceljs expands the validated ranges into cells when it loads a file.
    const dateRule = { type: "date", formulae: [new Date(Date.UTC(2027, 0, 22)), new Date(Date.UTC(2027, 1, 5))] };
    expect(validations.E2).toMatchObject(dateRule);
    expect(validations.F101).toMatchObject(dateRule);
    expect(validations.E102).toBeUndefined();
    expect(validations.H2).toMatchObject({ type: "list", formulae: ['"汽车,火车,飞机,不限"'] });
    expect(validations.B2).toMatchObject({ type: "textLength", formulae: [18] });
  });

  it("has a second sheet of instructions", async () => {
    const buffer = await buildTemplateXlsx();
    const workbook = await loaded(buffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["名单", "填写说明"]);
    const text = (await rowsOf(buffer, "填写说明")).flatMap((r) => r.record).join("\n");
    expect(text).toContain("身份证号");
    expect(text).toContain("文本");
    expect(text).toContain("GBK");
  });
});

describe("buildRejectedRowsXlsx", () => {
  it("keeps the original columns as text and adds the row number and errors", async () => {
    const headers = ["姓名", "身份证号", "手机号", "出发日期"];
    const buffer = await buildRejectedRowsXlsx(headers, [
      {
        rowNumber: 3,
        record: ["张三", 320102199003078000, 13812345678, new Date(Date.UTC(2027, 0, 25))],
        errors: [
          { column: "身份证号", field: "idNumber", code: "ID_EXCEL_PRECISION", message: { zh: "末三位变成了 000", en: "ends in 000" } },
          { column: "出发日期", field: "earliestDate", code: "DATE_OUTSIDE_WINDOW", message: { zh: "不在出发期内", en: "outside the window" } },
        ],
      },
      { rowNumber: 8, record: ["李四", "41142619900307135X"], errors: [] },
    ]);
    const rows = await rowsOf(buffer);
    expect(rows[0]!.record).toEqual([...headers, "原行号 (row)", "错误说明", "error"]);
    expect(rows[1]!.record).toEqual([
      "张三",
      "320102199003078000",
      "13812345678",
      "2027-01-25",
      3,
      "【身份证号】末三位变成了 000；【出发日期】不在出发期内",
      "[身份证号] ends in 000；[出发日期] outside the window",
    ]);
    expect(rows[2]!.record.slice(0, 2)).toEqual(["李四", "41142619900307135X"]);
    const sheet = (await loaded(buffer)).worksheets[0]!;
    expect(sheet.getColumn(2).numFmt).toBe("@");
  });

  it("can be fixed and uploaded again: its headers still map", async () => {
    const buffer = await buildRejectedRowsXlsx(["姓名", "身份证号", "手机号", "目的地", "出发日期"], []);
    const [header] = await rowsOf(buffer);
    const mapping = mapHeaders(header!.record);
    expect(mapping.ok && mapping.mapping.unknownColumns.map((c) => c.header)).toEqual(["原行号 (row)", "错误说明", "error"]);
  });
});
