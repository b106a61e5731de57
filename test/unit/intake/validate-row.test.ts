import { describe, expect, it } from "vitest";
import { findDuplicatesInList, validateRow, type RowContext } from "../../../src/intake/validate-row.ts";
import { TEMPLATE_EXAMPLE } from "../../../src/intake/template-example.ts";
import { idNumber } from "../../fixtures/intake/id-numbers.ts";

const ctx: RowContext = { window: { start: "2027-01-22", end: "2027-02-05" }, today: "2026-12-01" };
const id = idNumber("411426", "19900307", "135");
const row = {
  name: "张三丰",
  idNumber: id,
  mobile: "138 1234 5678",
  destination: "商丘夏邑",
  earliestDate: "2027/1/25",
  latestDate: "2027年1月27日",
  group: "张家",
  preference: "高铁",
  remark: "",
};

describe("validateRow", () => {
  it("turns a good row into a normalised traveller", () => {
    const result = validateRow(row, ctx);
    expect(result).toEqual({
      ok: true,
      value: {
        name: "张三丰",
        idNumber: id,
        birthDate: "1990-03-07",
        sex: "M",
        idUpgradedFrom15: false,
        mobile: "+8613812345678",
        destination: {
          code: "411426",
          level: "county",
          name: "夏邑县",
          fullName: "河南省商丘市夏邑县",
          prefectureCode: "411400",
          provinceCode: "410000",
          lng: expect.any(Number),
          lat: expect.any(Number),
        },
        earliestDate: "2027-01-25",
        latestDate: "2027-01-27",
        group: "张家",
        preference: "rail",
        remark: null,
      },
    });
  });

  it("takes a missing latest date as the earliest", () => {
    const result = validateRow({ ...row, latestDate: undefined }, ctx);
    expect(result.ok && result.value.latestDate).toBe("2027-01-25");
  });

  it("reports every problem of a row at once, naming the file's columns", () => {
    const result = validateRow(
      { name: "张", idNumber: "3.20102E+17", mobile: "0512-66668888", destination: "朝阳区", earliestDate: "2027-02-04", latestDate: "2027-02-01", preference: "轮船" },
      { ...ctx, headerByField: { idNumber: "身份证号码", mobile: "联系电话" } },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.column}/${e.field}/${e.code}`)).toEqual([
      "姓名/name/NAME_LENGTH",
      "身份证号码/idNumber/ID_EXCEL_SCIENTIFIC",
      "联系电话/mobile/MOBILE_FORMAT",
      "目的地/destination/DESTINATION_AMBIGUOUS",
      "最晚出发日期/latestDate/DATE_ORDER",
      "交通方式偏好/preference/PREFERENCE_UNKNOWN",
    ]);
    const destination = result.errors.find((e) => e.field === "destination")!;
    expect(destination.message.zh).toContain("北京市朝阳区(110105)");
    expect(destination.message.zh).toContain("吉林省长春市朝阳区(220104)");
    for (const error of result.errors) {
      expect(error.message.zh.length).toBeGreaterThan(0);
      expect(error.message.en.length).toBeGreaterThan(0);
    }
  });

  it("uses the ID number's region to settle a shared county name", () => {
    const fromChangchun = idNumber("220104", "19880101", "321");
    const result = validateRow({ ...row, idNumber: fromChangchun, destination: "朝阳区" }, ctx);
    expect(result.ok && result.value.destination.fullName).toBe("吉林省长春市朝阳区");
  });

  it("requires the required fields", () => {
    const result = validateRow({}, ctx);
    expect(result.ok ? [] : result.errors.map((e) => e.code)).toEqual([
      "NAME_REQUIRED",
      "ID_REQUIRED",
      "MOBILE_REQUIRED",
      "DESTINATION_REQUIRED",
      "DATE_REQUIRED",
    ]);
  });

  it("rejects the template's example row left in the list", () => {
    const result = validateRow({ ...row, ...TEMPLATE_EXAMPLE }, ctx);
    expect(result.ok ? [] : result.errors.map((e) => e.code)).toEqual(["ROW_IS_TEMPLATE_EXAMPLE"]);
  });

  it("measures age on the window's start unless told otherwise", () => {
    const justSixteen = idNumber("411426", "20110122", "123");
    expect(validateRow({ ...row, idNumber: justSixteen }, ctx).ok).toBe(true);
    expect(validateRow({ ...row, idNumber: justSixteen }, { ...ctx, ageAt: "2027-01-21" }).ok).toBe(false);
  });
});

describe("findDuplicatesInList", () => {
  it("marks every row of a repeated person, naming the other rows, with the ID masked", () => {
    const a = idNumber("411426", "19900307", "123");
    const b = idNumber("320102", "19851120", "042");
    const errors = findDuplicatesInList(
      [
        { rowNumber: 2, idNumber: a },
        { rowNumber: 3, idNumber: b },
        { rowNumber: 7, idNumber: a },
        { rowNumber: 9, idNumber: a },
      ],
      { idNumber: "身份证号码" },
    );
    expect([...errors.keys()]).toEqual([2, 7, 9]);
    expect(errors.get(7)).toMatchObject({ column: "身份证号码", field: "idNumber", code: "ID_DUPLICATE_IN_LIST" });
    expect(errors.get(7)!.message.zh).toContain("第 2、9 行");
    expect(errors.get(2)!.message.en).toContain("row 7, 9");
    expect(errors.get(2)!.message.zh).toContain(`411426********${a.slice(-4)}`);
    expect(JSON.stringify([...errors.values()])).not.toContain(a);
  });

  it("finds nothing in a list of distinct people", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ rowNumber: i + 2, idNumber: idNumber("411426", "19900307", String(i).padStart(3, "0")) }));
    expect(findDuplicatesInList(rows).size).toBe(0);
  });
});
