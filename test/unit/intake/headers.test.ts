import { describe, expect, it } from "vitest";
import { CANONICAL_FIELDS, TEMPLATE_HEADERS, mapHeaders, recordFromCells } from "../../../src/intake/headers.ts";

describe("mapHeaders", () => {
  it("maps Chinese headers in any order and reports unknown columns", () => {
    const result = mapHeaders(["序号", "手机", "姓名", "身份证号码", "返乡地", "出发日期", "部门"]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.mapping.columnByField).toEqual({ mobile: 1, name: 2, idNumber: 3, destination: 4, earliestDate: 5 });
    expect(result.mapping.unknownColumns).toEqual([
      { column: 0, header: "序号" },
      { column: 6, header: "部门" },
    ]);
    expect(result.mapping.headerByField.idNumber).toBe("身份证号码");
  });

  it("maps English headers in any spelling", () => {
    const result = mapHeaders(["Name", "ID Number", "id_number_x", "Phone", "Hometown", "earliest_date", "Latest Date", "Group", "Preference", "Remarks"]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.mapping.columnByField).sort()).toEqual([...CANONICAL_FIELDS].sort());
    expect(result.mapping.unknownColumns.map((c) => c.header)).toEqual(["id_number_x"]);
  });

  it("maps the template's own headers, with required marks and hints", () => {
    const headers = CANONICAL_FIELDS.map((f) => `*${TEMPLATE_HEADERS[f]}`);
    const result = mapHeaders([...headers.slice(4), ...headers.slice(0, 4)]);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.mapping.columnByField.name).toBe(5);
    expect(mapHeaders(["姓名（必填）", "证件号码", "联系电话", "目的地", "最早出发日期"]).ok).toBe(true);
  });

  it("is a file-level error when required columns are missing", () => {
    const result = mapHeaders(["姓名", "手机号", "备注"]);
    expect(result).toMatchObject({ ok: false, error: { code: "FILE_MISSING_COLUMNS", missing: ["idNumber", "destination", "earliestDate"] } });
    if (!result.ok) expect(result.error.message.zh).toContain("身份证号、目的地、最早出发日期");
  });

  it("refuses two columns for one field and a blank header row", () => {
    expect(mapHeaders(["姓名", "身份证号", "证件号码", "手机", "目的地", "出发日期"])).toMatchObject({
      ok: false,
      error: { code: "FILE_DUPLICATE_COLUMN", duplicated: { field: "idNumber", headers: ["身份证号", "证件号码"] } },
    });
    expect(mapHeaders(["", null, " "])).toMatchObject({ ok: false, error: { code: "FILE_NO_HEADER" } });
  });
});

describe("recordFromCells", () => {
  it("picks each field's cell and drops unknown columns", () => {
    const result = mapHeaders(["序号", "姓名", "身份证号", "手机号", "目的地", "出发日期"]);
    if (!result.ok) throw new Error("headers");
    expect(recordFromCells([1, "张三", "x", 13812345678, "夏邑", 46412], result.mapping)).toEqual({
      name: "张三",
      idNumber: "x",
      mobile: 13812345678,
      destination: "夏邑",
      earliestDate: 46412,
    });
  });
});
