// Manifests as tables: the same columns for CSV (UTF-8 with BOM so Excel reads Chinese), XLSX and
// the printable page. Cells that a spreadsheet would read as a formula are defused.
import type { EnterpriseManifest, VehicleManifest } from "./manifests.ts";

const modeLabels: Record<string, string> = { BUS: "包车", SPECIAL_TRAIN: "专列", RESERVED_CARRIAGE: "包车厢", GROUP_TICKET: "团体票", BOAT: "包船", FLIGHT: "包机" };
export const modeLabel = (mode: string) => modeLabels[mode] ?? mode;

/** ISO timestamp → "2027-01-28 07:30" in Asia/Shanghai (UTC+8, no daylight saving). */
export function localTime(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return d.toISOString().slice(0, 16).replace("T", " ");
}

export interface Table {
  title: string;
  /** Lines printed above the table (vehicle, charter sign …). */
  heading: [string, string][];
  columns: string[];
  rows: (string | number)[][];
}

export function vehicleTable(m: VehicleManifest): Table {
  const v = m.vehicle;
  const heading: [string, string][] = [
    ["交通方式", modeLabel(v.mode)],
    ["车辆/车次", v.label],
    ["承运人", v.operator.name],
    ["出发时间", localTime(v.departureAt)],
    ["出发地点", v.route[0]?.name ?? ""],
    ["座位", `${v.seatsUsed}/${v.seatsTotal}`],
  ];
  if (v.contactPhone) heading.push(["联系电话", v.contactPhone]);
  if (m.charterSign) {
    const s = m.charterSign;
    heading.push(["包车客运标志牌", `${s.origin} — ${s.destination}`], ["主要停靠站点", s.mainStops.join("、") || "—"], ["车牌号", s.plate], ["驾驶员人数", String(s.drivers)], ["有效期", `${s.validFrom} 至 ${s.validTo}`]);
  }
  heading.push(["分配方案", `第 ${v.runSeq} 次（${v.runStatus}）`]);
  if (m.stop !== null) heading.push(["下车站点", v.route[m.stop]?.name ?? String(m.stop)]);
  const hasCars = m.rows.some((r) => r.car !== "");
  return {
    title: `乘车名单 · ${v.label} · ${localTime(v.departureAt)}`,
    heading,
    columns: [...(hasCars ? ["车厢"] : []), "座位", "姓名", "身份证号", "手机号", "企业", "下车站点", "预计到达"],
    rows: m.rows.map((r) => [...(hasCars ? [r.car] : []), r.seat, r.name, r.idNumber, r.mobile, r.enterprise, r.dropStopName, localTime(r.arriveAt)]),
  };
}

export function enterpriseTable(m: EnterpriseManifest): Table {
  return {
    title: `返乡乘车安排 · ${m.organisation.name}`,
    heading: [
      ["单位", m.organisation.name],
      ["分配方案", `第 ${m.run.seq} 次（${m.run.status}）`],
      ["已安排", `${m.rows.length} 人`],
      ["未安排", `${m.unassigned.length} 人`],
    ],
    columns: ["姓名", "身份证号", "手机号", "企业", "交通方式", "车辆/车次", "出发时间", "出发地点", "车厢", "座位", "下车站点", "预计到达"],
    rows: m.rows.map((r) => [r.name, r.idNumber, r.mobile, r.enterprise, modeLabel(r.mode), r.vehicle, localTime(r.departureAt), r.from, r.car, r.seat, r.dropStopName, localTime(r.arriveAt)]),
  };
}

function csvCell(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function tableToCsv(table: Table): string {
  const lines = [table.columns, ...table.rows].map((row) => row.map(csvCell).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

export async function tableToXlsx(table: Table): Promise<Uint8Array<ArrayBuffer>> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "homeward";
  const sheet = workbook.addWorksheet("乘车名单", { pageSetup: { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  sheet.addRow([table.title]).font = { bold: true, size: 14 };
  for (const [label, value] of table.heading) sheet.addRow([label, value]);
  sheet.addRow([]);
  const header = sheet.addRow(table.columns);
  header.font = { bold: true };
  const defuse = (v: string | number) => (typeof v === "string" && /^[=+\-@]/.test(v) ? `'${v}` : v);
  for (const row of table.rows) sheet.addRow(row.map(defuse));
  sheet.columns.forEach((column, i) => {
    const width = Math.max(String(table.columns[i] ?? "").length * 2, ...table.rows.map((r) => String(r[i] ?? "").length * 1.4));
    column.width = Math.min(40, Math.max(8, width));
  });
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}
