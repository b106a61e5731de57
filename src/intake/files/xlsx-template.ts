// The downloadable group-list template: the headers intake recognises, one example row, text
// format on the ID and mobile columns (so Excel cannot turn them into 3.20102E+17), date and
// choice validation, and a sheet of instructions. Node only (exceljs).
import type ExcelJS from "exceljs";
import { CANONICAL_FIELDS, REQUIRED_FIELDS, TEMPLATE_HEADERS, type CanonicalField } from "../headers.ts";
import type { DateWindow } from "../fields/dates.ts";
import { PREFERENCE_CHOICES_ZH } from "../fields/preference.ts";
import { GROUP_TAG_MAX_LENGTH, REMARK_MAX_LENGTH } from "../fields/free-text.ts";
import { TEMPLATE_EXAMPLE } from "../template-example.ts";

export interface TemplateOptions {
  /** The campaign's departure window: date cells are limited to it and the example uses it. */
  window?: DateWindow;
  /** Rows that carry cell validation (default 5,000). */
  rows?: number;
}

const TEXT_FORMAT = "@";
const DATE_FORMAT = "yyyy-mm-dd";
const COLUMN_WIDTHS: Record<CanonicalField, number> = {
  name: 14,
  idNumber: 24,
  mobile: 16,
  destination: 28,
  earliestDate: 20,
  latestDate: 20,
  group: 14,
  preference: 18,
  remark: 30,
};

const utcDate = (iso: string) => new Date(`${iso}T00:00:00Z`);

// exceljs accepts range addresses for data validation but does not declare the collection.
type RangeValidations = { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } };

function instructions(window: DateWindow | undefined): string[][] {
  const windowText = window ? `${window.start} 至 ${window.end}` : "活动规定的出发期";
  return [
    ["填写说明 / Instructions"],
    [""],
    ["1. 第一行是表头，请勿修改；列的顺序可以调整。带 * 说明的列为必填：姓名、身份证号、手机号、目的地、最早出发日期。", "Row 1 holds the headers; keep them. Required: name, ID number, mobile, destination, earliest departure date."],
    ["2. 身份证号：18位，末位可以是 X。该列已设为“文本”格式，请勿改成数字格式，否则 Excel 会把号码变成 3.20102E+17 或把末三位变成 000。", "ID number: 18 characters, the last may be X. The column is Text; do not change it, or Excel damages the numbers."],
    ["3. 手机号：11位大陆手机号，可带 +86。", "Mobile: an 11-digit mainland number, +86 optional."],
    ["4. 目的地：填写行政区划代码（如 411426）或“省市县”名称（如 河南省商丘市夏邑县、商丘夏邑）。同名的区县请写明所属地市。", "Destination: a region code (e.g. 411426) or the names (e.g. 河南省商丘市夏邑县). Name the prefecture for counties that share a name."],
    [`5. 出发日期：${windowText}之间，格式 2027-01-25；最晚出发日期可不填（视为与最早出发日期相同），不能早于最早出发日期。`, `Departure dates: within ${window ? `${window.start} to ${window.end}` : "the campaign window"}, as 2027-01-25; the latest date may be left blank.`],
    [`6. 同行组：同一家庭或同乡需要一起出行的，填写相同的组名（最多${GROUP_TAG_MAX_LENGTH}字）。`, `Travel group: the same tag keeps people together (at most ${GROUP_TAG_MAX_LENGTH} characters).`],
    [`7. 交通方式偏好：${PREFERENCE_CHOICES_ZH.join("、")}，可不填。`, "Transport preference: bus (汽车), rail (火车), air (飞机), any (不限); optional."],
    [`8. 备注：最多${REMARK_MAX_LENGTH}字。`, `Remark: at most ${REMARK_MAX_LENGTH} characters.`],
    ["9. 第2行是示例，请删除后再填写；同一个人在名单中只能出现一次。", "Row 2 is an example: delete it. Each person appears once per list."],
    ["10. 也可以上传 CSV（UTF-8 或 Excel 默认的 GBK 编码均可）。", "CSV is accepted too (UTF-8 or Excel's default GBK)."],
    ["11. 身份证号和手机号属于个人信息，仅用于购票和出行通知，系统加密保存，页面只显示部分号码。", "ID numbers and mobiles are personal information, used only for tickets and travel notices, stored encrypted and shown masked."],
  ];
}

/** The template as .xlsx bytes. */
export async function buildTemplateXlsx(options: TemplateOptions = {}): Promise<Buffer> {
  const validatedRows = options.rows ?? 5000;
  // Loaded on first use (exceljs is large; most processes never build the template).
  const { default: ExcelJSModule } = await import("exceljs");
  const workbook = new ExcelJSModule.Workbook();
  workbook.creator = "homeward";
  const sheet = workbook.addWorksheet("名单", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = CANONICAL_FIELDS.map((field) => ({
    header: (REQUIRED_FIELDS.includes(field) ? "*" : "") + TEMPLATE_HEADERS[field],
    key: field,
    width: COLUMN_WIDTHS[field],
    style:
      field === "earliestDate" || field === "latestDate"
        ? { numFmt: DATE_FORMAT }
        : field === "idNumber" || field === "mobile"
          ? { numFmt: TEXT_FORMAT }
          : {},
  }));
  sheet.getRow(1).font = { bold: true };

  // The example leaves two days of slack, within the window.
  const earliest = utcDate(options.window?.start ?? "2027-01-25");
  const twoDaysLater = new Date(earliest.getTime() + 2 * 86_400_000);
  const end = options.window ? utcDate(options.window.end) : twoDaysLater;
  const example = sheet.addRow({
    ...TEMPLATE_EXAMPLE,
    earliestDate: earliest,
    latestDate: twoDaysLater < end ? twoDaysLater : end,
  });
  example.font = { italic: true, color: { argb: "FF808080" } };

  const column = (field: CanonicalField) => sheet.getColumn(field).letter;
  const range = (field: CanonicalField) => `${column(field)}2:${column(field)}${validatedRows + 1}`;
  const validations = (sheet as unknown as RangeValidations).dataValidations;
  const dateRule: ExcelJS.DataValidation = {
    type: "date",
    operator: "between",
    allowBlank: true,
    formulae: [utcDate(options.window?.start ?? "2000-01-01"), utcDate(options.window?.end ?? "2099-12-31")],
    showErrorMessage: true,
    errorTitle: "日期无效",
    error: options.window ? `请填写 ${options.window.start} 至 ${options.window.end} 之间的日期` : "请填写有效日期，如 2027-01-25",
  };
  validations.add(range("earliestDate"), dateRule);
  validations.add(range("latestDate"), dateRule);
  validations.add(range("preference"), {
    type: "list",
    allowBlank: true,
    formulae: [`"${PREFERENCE_CHOICES_ZH.join(",")}"`],
    showErrorMessage: true,
    errorTitle: "交通方式",
    error: `请选择：${PREFERENCE_CHOICES_ZH.join("、")}`,
  });
  validations.add(range("idNumber"), {
    type: "textLength",
    operator: "equal",
    allowBlank: true,
    formulae: [18],
    showInputMessage: true,
    promptTitle: "身份证号",
    prompt: "18位，末位可为X",
    showErrorMessage: true,
    errorTitle: "身份证号",
    error: "身份证号应为18位",
  });
  validations.add(range("mobile"), {
    type: "textLength",
    operator: "equal",
    allowBlank: true,
    formulae: [11],
    showErrorMessage: true,
    errorTitle: "手机号",
    error: "手机号应为11位",
  });

  const help = workbook.addWorksheet("填写说明");
  help.columns = [{ width: 100 }, { width: 100 }];
  help.addRows(instructions(options.window));
  help.getRow(1).font = { bold: true, size: 14 };
  help.getColumn(1).alignment = { wrapText: true, vertical: "top" };
  help.getColumn(2).alignment = { wrapText: true, vertical: "top" };

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
