// The vocabulary of the 平安返乡 totals: stages, modes and the statistics-form lines they feed
// (annex 全市工会送温暖活动统计表 of 苏工办〔2012〕104号).

export const MODES = ["BUS", "SPECIAL_TRAIN", "RESERVED_CARRIAGE", "GROUP_TICKET", "BOAT", "FLIGHT"] as const;
export type Mode = (typeof MODES)[number];

export const STAGES = ["ALLOCATED", "DEPARTED", "BOARDED"] as const;
export type Stage = (typeof STAGES)[number];

/** Each figure by stage. */
export interface Stages {
  allocated: number;
  departed: number;
  boarded: number;
}

export const zeroStages = (): Stages => ({ allocated: 0, departed: 0, boarded: 0 });
export const addStages = (a: Stages, b: Stages): Stages => ({
  allocated: a.allocated + b.allocated,
  departed: a.departed + b.departed,
  boarded: a.boarded + b.boarded,
});
export const stageKey: Record<Stage, keyof Stages> = { ALLOCATED: "allocated", DEPARTED: "departed", BOARDED: "boarded" };

/** Form line of each chartered mode (vehicles and people); group tickets feed 10(G). */
export const MODE_LINE: Record<Mode, "10B" | "10C" | "10D" | "10E" | "10F" | "10G"> = {
  SPECIAL_TRAIN: "10B",
  RESERVED_CARRIAGE: "10C",
  BUS: "10D",
  BOAT: "10E",
  FLIGHT: "10F",
  GROUP_TICKET: "10G",
};

export const MODE_LABEL_ZH: Record<Mode, string> = {
  BUS: "包车",
  SPECIAL_TRAIN: "专列",
  RESERVED_CARRIAGE: "包车厢",
  GROUP_TICKET: "团体票",
  BOAT: "包船",
  FLIGHT: "包机",
};

/** Unit of a vehicle of each mode on the form (列, 节, 辆, 艘, 架); group tickets are 张 per person. */
export const MODE_VEHICLE_UNIT_ZH: Record<Mode, string> = {
  SPECIAL_TRAIN: "列",
  RESERVED_CARRIAGE: "节",
  BUS: "辆",
  BOAT: "艘",
  FLIGHT: "架",
  GROUP_TICKET: "张",
};

export const STAGE_LABEL_ZH: Record<Stage, string> = { ALLOCATED: "已分配", DEPARTED: "已发车", BOARDED: "已登车" };

/** Figures entered by hand (the platform does not hold them), with their unit and precision. */
export const MANUAL_FIGURES = {
  "10G_TICKETS": { line: "10G", unitZh: "张", integer: true, zh: "平台外帮助农民工购买车（船）票", en: "Tickets bought for workers outside the platform" },
  "10H_CENTRES": { line: "10H", unitZh: "个", integer: true, zh: "开设购票窗口的帮扶中心", en: "Help centres with a ticket window" },
  "11A_WAN_YUAN": { line: "11A", unitZh: "万元", integer: false, zh: "与用人单位协商争取的返乡经济补贴", en: "Travel subsidies negotiated with employers" },
} as const;
export type ManualFigureCode = keyof typeof MANUAL_FIGURES;
export const MANUAL_FIGURE_CODES = Object.keys(MANUAL_FIGURES) as ManualFigureCode[];

/** Lines a figure can be drilled into. */
export const DRILLDOWN_FIGURES = ["10A", "10B", "10C", "10D", "10E", "10F", "10G", "10H", "11A", "08C"] as const;
export type DrilldownFigure = (typeof DRILLDOWN_FIGURES)[number];

export const LINE_MODE: Partial<Record<DrilldownFigure, Mode>> = {
  "10B": "SPECIAL_TRAIN",
  "10C": "RESERVED_CARRIAGE",
  "10D": "BUS",
  "10E": "BOAT",
  "10F": "FLIGHT",
  "10G": "GROUP_TICKET",
};

/** fen (1/100 yuan) → 万元 with `digits` decimals, rounded half up; exact strings, no floats. */
export function fenToWanYuan(fen: bigint, digits = 2): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  // 1 万元 = 10,000 yuan = 1,000,000 fen.
  const scale = 10n ** BigInt(6 - digits);
  const rounded = (abs + scale / 2n) / scale;
  const text = rounded.toString().padStart(digits + 1, "0");
  const out = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative && rounded !== 0n ? `-${out}` : out;
}

/** fen → yuan with two decimals, exact. */
export function fenToYuan(fen: bigint): string {
  const abs = fen < 0n ? -fen : fen;
  const text = abs.toString().padStart(3, "0");
  return `${fen < 0n ? "-" : ""}${text.slice(0, -2)}.${text.slice(-2)}`;
}
