// The transport a traveller would rather take, in the words enterprise staff use.
import { cellText } from "./cell-text.ts";
import { accept, reject, type FieldResult } from "./field-result.ts";

export type TransportPreference = "bus" | "rail" | "air" | "any";
export type PreferenceErrorCode = "PREFERENCE_UNKNOWN";

const WORDS: Record<TransportPreference, string[]> = {
  bus: ["汽车", "大巴", "客车", "巴士", "大巴车", "长途汽车", "长途客车", "班车", "包车", "公路", "bus", "coach"],
  rail: ["火车", "高铁", "动车", "铁路", "列车", "普速", "专列", "train", "rail", "railway"],
  air: ["飞机", "航班", "包机", "民航", "air", "plane", "flight", "fly"],
  any: ["不限", "均可", "都可以", "都行", "任意", "随便", "无", "无要求", "any", "none", "either"],
};
const PREFERENCE_BY_WORD = new Map(
  Object.entries(WORDS).flatMap(([preference, words]) => words.map((w) => [w, preference as TransportPreference])),
);

/** A blank cell means no preference. */
export function parsePreference(raw: unknown): FieldResult<TransportPreference, PreferenceErrorCode> {
  const text = cellText(raw)
    .toLowerCase()
    .replace(/\s+/g, "");
  if (text === "") return accept("any");
  const preference = PREFERENCE_BY_WORD.get(text);
  if (preference) return accept(preference);
  return reject(
    "PREFERENCE_UNKNOWN",
    "交通方式应为：汽车、火车、飞机 或 不限",
    "Transport preference must be bus, rail, air or any (汽车, 火车, 飞机, 不限)",
  );
}

export const PREFERENCE_CHOICES_ZH = ["汽车", "火车", "飞机", "不限"] as const;
