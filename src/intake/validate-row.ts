// One list row → a traveller, or every problem in it at once (never just the first), each naming
// the column as the file wrote it so staff can find it.
import type { LocalisedMessage } from "../errors.ts";
import { FIELD_LABELS, type CanonicalField } from "./headers.ts";
import { checkDepartureDates, parseListDate, type DateWindow } from "./fields/dates.ts";
import { parseGroupTag, parseRemark } from "./fields/free-text.ts";
import { cellText } from "./fields/cell-text.ts";
import { parseIdNumber, type IdNumberOptions } from "./fields/id-number.ts";
import type { IsoDate } from "./fields/iso-date.ts";
import { maskIdNumber } from "./fields/masking.ts";
import { parseMobile } from "./fields/mobile.ts";
import { parseName } from "./fields/name.ts";
import { parsePreference, type TransportPreference } from "./fields/preference.ts";
import { resolveDestination, type RegionLevel } from "./regions.ts";
import { TEMPLATE_EXAMPLE } from "./template-example.ts";

export interface RowError {
  /** The header of the column as the file wrote it (or the field's Chinese name for JSON input). */
  column: string;
  field: CanonicalField;
  code: string;
  message: LocalisedMessage;
}

export interface RowContext {
  window: DateWindow;
  today: IdNumberOptions["today"];
  /** The day ages are measured on; defaults to the window's start. */
  ageAt?: IsoDate;
  minAge?: number;
  maxAge?: number;
  acceptLegacy15?: boolean;
  destinationMinLevel?: "prefecture" | "county";
  headerByField?: Partial<Record<CanonicalField, string>>;
}

export interface TravelerDestination {
  code: string;
  level: RegionLevel;
  name: string;
  fullName: string;
  prefectureCode: string;
  provinceCode: string;
  lng: number;
  lat: number;
}

export interface TravelerRow {
  name: string;
  idNumber: string;
  birthDate: IsoDate;
  sex: "M" | "F";
  idUpgradedFrom15: boolean;
  mobile: string;
  destination: TravelerDestination;
  earliestDate: IsoDate;
  latestDate: IsoDate;
  group: string | null;
  preference: TransportPreference;
  remark: string | null;
}

export type RawTravelerRecord = Partial<Record<CanonicalField, unknown>>;

export type RowValidation = { ok: true; value: TravelerRow } | { ok: false; errors: RowError[] };

const columnOf = (field: CanonicalField, ctx: RowContext) => ctx.headerByField?.[field] ?? FIELD_LABELS[field].zh;

function destinationError(
  resolution: Extract<ReturnType<typeof resolveDestination>, { ok: false }>,
): { code: string; message: LocalisedMessage } {
  if (resolution.code === "DESTINATION_UNKNOWN") {
    return {
      code: resolution.code,
      message: {
        zh: "无法识别目的地，请填写行政区划代码或“省市县”名称，如“河南省商丘市夏邑县”",
        en: "Unknown destination: write a region code or the province/prefecture/county name, e.g. 河南省商丘市夏邑县",
      },
    };
  }
  const names = resolution.candidates.map((c) => `${c.fullName}(${c.code})`);
  const more = resolution.candidateCount - resolution.candidates.length;
  const list = names.join("、") + (more > 0 ? ` 等${resolution.candidateCount}处` : "");
  const listEn = names.join(", ") + (more > 0 ? ` and ${more} more` : "");
  return {
    code: resolution.code,
    message: {
      zh: `目的地不明确，可能是：${list}；请写明到地级市或区县`,
      en: `Ambiguous destination, could be: ${listEn}; name the prefecture or county`,
    },
  };
}

/** Validates one record (already keyed by canonical field) against the campaign's rules. */
export function validateRow(raw: RawTravelerRecord, ctx: RowContext): RowValidation {
  const errors: RowError[] = [];
  const fail = (field: CanonicalField, error: { code: string; message: LocalisedMessage }) =>
    errors.push({ column: columnOf(field, ctx), field, code: error.code, message: error.message });

  const name = parseName(raw.name);
  if (!name.ok) fail("name", name.error);

  const id = parseIdNumber(raw.idNumber, {
    today: ctx.today,
    ageAt: ctx.ageAt ?? ctx.window.start,
    minAge: ctx.minAge,
    maxAge: ctx.maxAge,
    acceptLegacy15: ctx.acceptLegacy15,
  });
  if (!id.ok) fail("idNumber", id.error);
  else if (id.value.idNumber === TEMPLATE_EXAMPLE.idNumber) {
    fail("idNumber", {
      code: "ROW_IS_TEMPLATE_EXAMPLE",
      message: { zh: "这是模板中的示例行，请删除", en: "This is the template's example row; delete it" },
    });
  }

  const mobile = parseMobile(raw.mobile);
  if (!mobile.ok) fail("mobile", mobile.error);

  const destinationText = cellText(raw.destination);
  let destination: TravelerDestination | undefined;
  if (destinationText === "") {
    fail("destination", { code: "DESTINATION_REQUIRED", message: { zh: "目的地不能为空", en: "The destination is required" } });
  } else {
    // A person usually goes home to where their ID was issued: that settles 西安 vs 西安区.
    const resolution = resolveDestination(destinationText, {
      minLevel: ctx.destinationMinLevel,
      hintCode: id.ok ? id.value.regionCode : undefined,
    });
    if (resolution.ok) {
      const { code, level, name: regionName, fullName, prefectureCode, provinceCode, lng, lat } = resolution;
      destination = { code, level, name: regionName, fullName, prefectureCode, provinceCode, lng, lat };
    } else {
      fail("destination", destinationError(resolution));
    }
  }

  const earliest = parseListDate(raw.earliestDate);
  if (!earliest.ok) fail("earliestDate", earliest.error);
  const latestBlank = cellText(raw.latestDate) === "";
  const latest = latestBlank ? earliest : parseListDate(raw.latestDate);
  if (!latestBlank && !latest.ok) fail("latestDate", latest.error);
  if (earliest.ok && latest.ok) {
    for (const problem of checkDepartureDates(earliest.value, latest.value, ctx.window)) fail(problem.field, problem);
  }

  const group = parseGroupTag(raw.group);
  if (!group.ok) fail("group", group.error);
  const preference = parsePreference(raw.preference);
  if (!preference.ok) fail("preference", preference.error);
  const remark = parseRemark(raw.remark);
  if (!remark.ok) fail("remark", remark.error);

  if (
    errors.length > 0 ||
    !name.ok ||
    !id.ok ||
    !mobile.ok ||
    !destination ||
    !earliest.ok ||
    !latest.ok ||
    !group.ok ||
    !preference.ok ||
    !remark.ok
  ) {
    return { ok: false, errors };
  }
  const person = id.value;
  return {
    ok: true,
    value: {
      name: name.value,
      idNumber: person.idNumber,
      birthDate: person.birthDate,
      sex: person.sex,
      idUpgradedFrom15: person.upgradedFrom15,
      mobile: mobile.value,
      destination,
      earliestDate: earliest.value,
      latestDate: latest.value,
      group: group.value,
      preference: preference.value,
      remark: remark.value,
    },
  };
}

/**
 * The same person (by normalised ID number) on several rows of one list: every such row gets an
 * error naming the other rows. The ID itself appears only masked.
 */
export function findDuplicatesInList(
  rows: Iterable<{ rowNumber: number; idNumber: string }>,
  headerByField?: Partial<Record<CanonicalField, string>>,
): Map<number, RowError> {
  const rowsById = new Map<string, number[]>();
  for (const { rowNumber, idNumber } of rows) {
    const list = rowsById.get(idNumber);
    if (list) list.push(rowNumber);
    else rowsById.set(idNumber, [rowNumber]);
  }
  const errors = new Map<number, RowError>();
  for (const [idNumber, rowNumbers] of rowsById) {
    if (rowNumbers.length < 2) continue;
    for (const rowNumber of rowNumbers) {
      const others = rowNumbers.filter((n) => n !== rowNumber);
      errors.set(rowNumber, {
        column: headerByField?.idNumber ?? FIELD_LABELS.idNumber.zh,
        field: "idNumber",
        code: "ID_DUPLICATE_IN_LIST",
        message: {
          zh: `身份证号 ${maskIdNumber(idNumber)} 在本名单中重复出现（另见第 ${others.join("、")} 行）`,
          en: `ID number ${maskIdNumber(idNumber)} appears more than once in this list (see also row ${others.join(", ")})`,
        },
      });
    }
  }
  return errors;
}
