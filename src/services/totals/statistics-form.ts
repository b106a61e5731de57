// exportStatisticsForm: the annex 全市工会送温暖活动统计表 (苏工办〔2012〕104号) of an organisation's
// subtree — rows 01–11 with their (A)…(I) lines in the annex's order and wording, the lines the
// platform holds filled in (10(A)–10(H), 11(A), 08(C)), the others left blank for the district to
// complete. A district's form is the sum of its enterprises; the city's the sum of its districts.
import type { ServiceContext } from "../context.ts";
import { STAGE_LABEL_ZH, stageKey, type Stage } from "./definitions.ts";
import type { TotalsFilter } from "./scope.ts";
import { loadTotals, type HomewardTotals } from "./totals.ts";

export interface FormSlot {
  unit: string;
  value: string | null;
}

export interface FormLine {
  /** "01" … "11". */
  row: string;
  /** "A" … "I"; "" for a row's heading sentence. */
  line: string;
  text: string;
  slots: FormSlot[];
  /** "platform" (computed from records), "manual" (entered by hand), "platform+manual", or "" (to complete). */
  source: string;
}

export interface StatisticsForm {
  title: string;
  reportingUnit: string;
  reporter: string;
  phone: string;
  date: string;
  stage: Stage;
  stageLabel: string;
  campaign: { id: string; name: string };
  lines: FormLine[];
  note: string;
  generatedAt: string;
}

type Value = string | number | null;
type Template = [row: string, line: string, text: string, units: string[], values?: (t: HomewardTotals, s: Stage) => Value[], source?: string];

// The annex's sentences; "__" marks a blank. `{Y}` is the Spring Festival year of the campaign.
const TEMPLATE: Template[] = [
  ["01", "A", "当地职工总数__人，其中农民工总数__人。", ["人", "人"]],
  ["02", "A", "当地困难职工总数__人，其中困难农民工__人。", ["人", "人"]],
  ["03", "A", "当地已经建立困难职工档案的困难职工家庭__户；其中困难农民工__户。", ["户", "户"]],
  ["03", "B", "其中家庭人均收入低于当地居民最低生活保障线的困难职工家庭__户；", ["户"]],
  ["03", "C", "其中市县工会认定的特困职工家庭__户；", ["户"]],
  ["03", "D", "其中因意外事件、重大疾病、自然灾害等造成生活困难的困难职工家庭__户；", ["户"]],
  ["03", "E", "本年度经过工会帮扶实现脱贫的困难职工家庭__户。", ["户"]],
  ["04", "", "{Y}年元旦、春节期间送温暖活动中", []],
  ["04", "A", "走访企业__家，走访职工家庭__户；", ["家", "户"]],
  ["04", "B", "慰问困难企业__家；", ["家"]],
  ["04", "C", "慰问困难家庭总数__户，其中困难职工__户，困难农民工__户，慰问困难劳模__户；", ["户", "户", "户", "户"]],
  ["05", "", "{Y}年元旦、春节期间送温暖活动中筹集慰问款物总额__万元，其中：", ["万元"]],
  ["05", "A", "政府拨款__万元；", ["万元"]],
  ["05", "B", "工会投入__万元；", ["万元"]],
  ["05", "C", "社会捐助__万元；", ["万元"]],
  ["05", "D", "其他收入__万元。", ["万元"]],
  ["06", "", "{Y}年元旦、春节期间送温暖活动中，发放款物__万元，其中：", ["万元"]],
  ["06", "A", "向困难劳模发放__万元；", ["万元"]],
  ["06", "B", "向困难农民工发放__万元。", ["万元"]],
  ["07", "", "{Y}年元旦、春节期间送温暖活动中", []],
  ["07", "A", "组织召开学习宣传十八大精神会议（活动）__场次；", ["场次"]],
  ["07", "B", "提供政策宣传__人次；帮助符合条件的困难职工落实民生政策__人次；", ["人次", "人次"]],
  ["07", "C", "为下岗失业人员提供就业岗位__个；", ["个"]],
  ["07", "D", "为困难职工提供生活救助__人次；", ["人次"]],
  ["07", "E", "为困难职工提供就业培训__人次；", ["人次"]],
  ["07", "F", "为困难职工提供医疗救助__人次；", ["人次"]],
  ["07", "G", "为困难职工子女提供助学帮扶__人次；", ["人次"]],
  ["07", "H", "为困难职工提供法律援助__人次；", ["人次"]],
  ["07", "I", "与困难职工结对帮扶__对。", ["对"]],
  ["08", "", "{Y}年元旦、春节期间送温暖活动中", []],
  ["08", "A", "为__名权益受损的职工开展维权工作，其中涉及新生代农民工__人；", ["名", "人"]],
  ["08", "B", "为职工开展权益维护方面知识宣传教育__人次，其中涉及新生代农民工__人次；", ["人次", "人次"]],
  [
    "08", "C", "共协助政府有关部门帮助__名职工追讨欠薪__万元；其中帮助__名农民工追讨欠薪__万元。", ["名", "万元", "名", "万元"],
    (t) => [t.figures["08C"].workers, t.figures["08C"].amountWanYuan, t.figures["08C"].migrantWorkers, t.figures["08C"].migrantAmountWanYuan],
    "platform",
  ],
  ["09", "", "{Y}年元旦、春节期间送温暖活动中为职工提供各项服务__人次，其中新生代农民工__人次。其中：", ["人次", "人次"]],
  ["09", "A", "为职工开展心理咨询疏导__人次，其中新生代农民工__人次；", ["人次", "人次"]],
  ["09", "B", "为职工开展送文化活动__人次，其中为新生代农民工__人次；", ["人次", "人次"]],
  ["09", "C", "为职工提供医疗体检、健康咨询__人次；其中新生代农民工__人次；", ["人次", "人次"]],
  ["09", "D", "其他生活服务__人次；其中新生代农民工__人次。", ["人次", "人次"]],
  ["10", "A", "送温暖活动期间共帮助农民工平安返乡__人次；", ["人次"], (t, s) => [t.figures["10A"].persons[stageKey[s]]], "platform"],
  ["10", "B", "共包专列__列，运送__人次；", ["列", "人次"], (t, s) => [t.figures["10B"].vehicles[stageKey[s]], t.figures["10B"].persons[stageKey[s]]], "platform"],
  ["10", "C", "共包火车车厢__节，运送__人次；", ["节", "人次"], (t, s) => [t.figures["10C"].vehicles[stageKey[s]], t.figures["10C"].persons[stageKey[s]]], "platform"],
  ["10", "D", "共包汽车__辆，运送__人次；", ["辆", "人次"], (t, s) => [t.figures["10D"].vehicles[stageKey[s]], t.figures["10D"].persons[stageKey[s]]], "platform"],
  ["10", "E", "共包船__艘，运送__人次；", ["艘", "人次"], (t, s) => [t.figures["10E"].vehicles[stageKey[s]], t.figures["10E"].persons[stageKey[s]]], "platform"],
  ["10", "F", "共包机__架，运送__人次；", ["架", "人次"], (t, s) => [t.figures["10F"].vehicles[stageKey[s]], t.figures["10F"].persons[stageKey[s]]], "platform"],
  [
    "10", "G", "帮助农民工购买车（船）票__张；", ["张"],
    (t, s) => [t.figures["10G"].platformTickets[stageKey[s]] + t.figures["10G"].manualTickets],
    "platform+manual",
  ],
  ["10", "H", "开设购票窗口的帮扶中心__个。", ["个"], (t) => [t.figures["10H"].helpCentres], "manual"],
  ["11", "A", "经过与用人单位协商，为农民工返乡争取经济补贴__万元。", ["万元"], (t) => [t.figures["11A"].subsidyWanYuan], "manual"],
];

export const FORM_NOTE = "注：本表中职工均包括农民工";

export interface FormInput extends TotalsFilter {
  stage: Stage;
  reporter?: string;
  phone?: string;
  /** The form's date (default: today in Asia/Shanghai). */
  date?: string;
}

const todayInShanghai = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

export async function buildStatisticsForm(ctx: ServiceContext, input: FormInput): Promise<StatisticsForm> {
  const { scope, totals } = await loadTotals(ctx, input);
  const year = String(scope.campaign.year);
  const lines = TEMPLATE.map(([row, line, text, units, values, source]) => {
    const filled = values?.(totals, input.stage) ?? [];
    return {
      row,
      line,
      text: text.replaceAll("{Y}", year),
      slots: units.map((unit, i) => ({ unit, value: filled[i] === undefined || filled[i] === null ? null : String(filled[i]) })),
      source: source ?? "",
    };
  });
  return {
    title: `${year}年全市工会送温暖活动统计表`,
    reportingUnit: scope.org.name,
    reporter: input.reporter ?? "",
    phone: input.phone ?? "",
    date: input.date ?? todayInShanghai(),
    stage: input.stage,
    stageLabel: STAGE_LABEL_ZH[input.stage],
    campaign: { id: scope.campaign.id, name: scope.campaign.name },
    lines,
    note: FORM_NOTE,
    generatedAt: totals.generatedAt,
  };
}

/** A line's sentence with its blanks filled ("____" where the district completes it). */
export function sentence(line: FormLine): string {
  let i = 0;
  return line.text.replace(/__/g, () => {
    const slot = line.slots[i++];
    return slot?.value != null ? ` ${slot.value} ` : "____";
  });
}

const SOURCE_ZH: Record<string, string> = { platform: "平台记录", manual: "人工填报", "platform+manual": "平台记录＋人工填报", "": "" };
const MAX_SLOTS = 4;

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export function statisticsFormCsv(form: StatisticsForm): string {
  const header = ["序号", "项", "内容", ...Array.from({ length: MAX_SLOTS }, (_, i) => [`数值${i + 1}`, `单位${i + 1}`]).flat(), "来源"];
  const rows: string[][] = [
    [form.title],
    [`填报单位：${form.reportingUnit}`, `日期：${form.date}`],
    [`填报人：${form.reporter}`, `联系电话：${form.phone}`],
    [`统计口径：${form.stageLabel}`],
    header,
    ...form.lines.map((l) => [
      l.row,
      l.line ? `（${l.line}）` : "",
      sentence(l),
      ...Array.from({ length: MAX_SLOTS }, (_, i) => [l.slots[i]?.value ?? "", l.slots[i]?.unit ?? ""]).flat(),
      SOURCE_ZH[l.source] ?? "",
    ]),
    [form.note],
  ];
  // BOM so that Excel opens the UTF-8 text as Chinese.
  return "\uFEFF" + rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

export async function statisticsFormXlsx(form: StatisticsForm): Promise<ArrayBuffer> {
  const { default: ExcelJS } = await import("exceljs");
  const wb = new ExcelJS.Workbook();
  wb.creator = "homeward";
  wb.created = new Date(form.generatedAt);
  const ws = wb.addWorksheet("统计表", { pageSetup: { paperSize: 9, orientation: "portrait", fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = [
    { width: 6 }, { width: 6 }, { width: 64 },
    ...Array.from({ length: MAX_SLOTS }, () => [{ width: 11 }, { width: 6 }]).flat(),
    { width: 16 },
  ];
  const lastCol = 3 + MAX_SLOTS * 2 + 1;
  const thin = { style: "thin" as const };
  const border = { top: thin, left: thin, bottom: thin, right: thin };

  ws.mergeCells(1, 1, 1, lastCol);
  const title = ws.getCell(1, 1);
  title.value = form.title;
  title.font = { bold: true, size: 16 };
  title.alignment = { horizontal: "center" };
  ws.mergeCells(2, 1, 2, 3);
  ws.getCell(2, 1).value = `填报单位：${form.reportingUnit}`;
  ws.mergeCells(2, 4, 2, lastCol);
  const [y, m, d] = form.date.split("-");
  ws.getCell(2, 4).value = `${y}年${Number(m)}月${Number(d)}日`;
  ws.getCell(2, 4).alignment = { horizontal: "right" };
  ws.mergeCells(3, 1, 3, 3);
  ws.getCell(3, 1).value = `填报人：${form.reporter}`;
  ws.mergeCells(3, 4, 3, lastCol);
  ws.getCell(3, 4).value = `联系电话：${form.phone}`;
  ws.mergeCells(4, 1, 4, lastCol);
  ws.getCell(4, 1).value = `统计口径：${form.stageLabel}（平台数据截至 ${form.generatedAt}）；空白处由填报单位填写`;
  ws.getCell(4, 1).font = { italic: true, size: 9, color: { argb: "FF6B7280" } };

  const head = ws.getRow(5);
  head.values = ["序号", "项", "内容", ...Array.from({ length: MAX_SLOTS }, (_, i) => [`数值${i + 1}`, "单位"]).flat(), "来源"];
  head.font = { bold: true };
  head.eachCell((cell) => {
    cell.border = border;
    cell.alignment = { horizontal: "center", vertical: "middle" };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFF3F4F6" } };
  });

  let r = 6;
  let previousRow = "";
  for (const line of form.lines) {
    const row = ws.getRow(r);
    const values: (string | number | null)[] = [line.row === previousRow ? "" : line.row, line.line ? `（${line.line}）` : "", sentence(line)];
    for (let i = 0; i < MAX_SLOTS; i++) {
      const slot = line.slots[i];
      const numeric = slot?.value != null && /^-?\d+(\.\d+)?$/.test(slot.value) ? Number(slot.value) : slot?.value ?? null;
      values.push(numeric, slot?.unit ?? null);
    }
    values.push(SOURCE_ZH[line.source] ?? "");
    row.values = values;
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      if (col > lastCol) return;
      cell.border = border;
      cell.alignment = { vertical: "middle", wrapText: col === 3 };
    });
    for (let i = 0; i < line.slots.length; i++) {
      const cell = row.getCell(4 + i * 2);
      if (line.slots[i]!.unit === "万元") cell.numFmt = "0.00";
      if (line.slots[i]!.value === null) cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFFBEB" } };
    }
    previousRow = line.row;
    r++;
  }
  ws.mergeCells(r + 1, 1, r + 1, lastCol);
  ws.getCell(r + 1, 1).value = form.note;
  ws.views = [{ state: "frozen", ySplit: 5 }];
  const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
