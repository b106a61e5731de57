// Synthetic but realistic group-list rows for benchmarks, demos and tests: common names, valid ID
// numbers from the big sending provinces' real region codes, valid mobiles, destinations written
// the ways people write them. Deterministic for a seed; IDs are unique within one generated list.
import type { DateWindow } from "./fields/dates.ts";
import { idCheckCharacter } from "./fields/id-number.ts";
import { isoDateParts, toIsoDate, type IsoDate } from "./fields/iso-date.ts";
import { listRegions, lookupRegion, resolveDestination, type Region } from "./regions.ts";
import { seededRandom } from "../lib/seeded-random.ts";

export interface SyntheticTraveler {
  name: string;
  idNumber: string;
  mobile: string;
  destination: string;
  earliestDate: IsoDate;
  latestDate: IsoDate;
  group: string;
  preference: string;
  remark: string;
  /** The error code validateRow must report for this row; null for a valid row. */
  fault: SyntheticFault | null;
}

export type SyntheticFault =
  | "ID_CHECKSUM"
  | "ID_EXCEL_SCIENTIFIC"
  | "ID_EXCEL_PRECISION"
  | "MOBILE_FORMAT"
  | "DESTINATION_UNKNOWN"
  | "DATE_OUTSIDE_WINDOW";

export interface SyntheticOptions {
  /** Departure window; defaults to the run-up to Spring Festival 2027 (6 February). */
  window?: DateWindow;
  /** Share of rows (0–1) that carry exactly one realistic mistake, named in `fault`. */
  faultShare?: number;
}

const DEFAULT_WINDOW: DateWindow = { start: "2027-01-22", end: "2027-02-05" };

// Weights roughly follow where Suzhou's migrant workers come from.
const SENDING_AREAS: { prefix: string; weight: number }[] = [
  { prefix: "41", weight: 20 }, // 河南
  { prefix: "34", weight: 16 }, // 安徽
  { prefix: "51", weight: 13 }, // 四川
  { prefix: "52", weight: 8 }, // 贵州
  { prefix: "3203", weight: 3 }, // 徐州
  { prefix: "3207", weight: 2 }, // 连云港
  { prefix: "3208", weight: 2 }, // 淮安
  { prefix: "3209", weight: 2 }, // 盐城
  { prefix: "3213", weight: 2 }, // 宿迁
  { prefix: "43", weight: 8 }, // 湖南
  { prefix: "42", weight: 7 }, // 湖北
  { prefix: "36", weight: 6 }, // 江西
  { prefix: "50", weight: 6 }, // 重庆
  { prefix: "53", weight: 5 }, // 云南
];

const SURNAMES = [
  ..."王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱覃武戴莫孔向汤",
];
const COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "皇甫"];
const MALE_GIVEN = [..."伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰建国志文海春东亮兵成"];
const FEMALE_GIVEN = [..."芳娜敏静丽艳娟霞燕玲桂英秀兰梅红萍琴云莉玉凤慧颖雪婷倩洁琳月欣悦佳丹蓉晶"];
const DOTTED_NAMES = ["吉克·阿呷", "阿木·日哈", "沙马·拉且", "买买提·艾力", "阿依古丽·买买提"];
const MOBILE_PREFIXES = [
  "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
  "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191",
  "193", "195", "198", "199",
];
const PREFERENCES = [
  { text: "", weight: 70 },
  { text: "汽车", weight: 8 },
  { text: "大巴", weight: 5 },
  { text: "火车", weight: 7 },
  { text: "高铁", weight: 5 },
  { text: "飞机", weight: 3 },
  { text: "不限", weight: 2 },
];
const REMARKS = ["带小孩一名", "需要下铺", "行李较多", "晕车", "与父母同行", "孕妇，请安排座位"];

function weightedPicker<T>(items: T[], weightOf: (item: T) => number): (random: number) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const item of items) cumulative.push((total += weightOf(item)));
  return (random) => {
    const target = random * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return items[low]!;
  };
}

const MS_PER_DAY = 86_400_000;
const dayNumber = (date: IsoDate) => Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY;
const fromDayNumber = (day: number) => toIsoDate(new Date(day * MS_PER_DAY));

// Birth dates span ages 18–57 on the window's start; with 1000 sequence numbers per day that is
// ~14.6 million distinct (birth date, sequence) pairs, enumerated by a bijection of the row index
// so IDs never repeat within a list whatever the region draw.
const AGE_SPAN_DAYS = 40 * 365;
const SEQUENCES = 1000;
const PAIR_COUNT = AGE_SPAN_DAYS * SEQUENCES;
const BIJECTION_MULTIPLIER = 7_368_787; // prime, does not divide PAIR_COUNT

function destinationTexts(county: Region): string[] {
  const prefecture = county.parentCode === null ? undefined : lookupRegion(county.parentCode);
  const province = lookupRegion(county.provinceCode)!;
  const texts = [county.code, county.fullName, county.name];
  if (prefecture?.level === "prefecture") {
    texts.push(`${prefecture.shortName || prefecture.name}${county.shortName || county.name}`);
    texts.push(`${province.shortName}${prefecture.name}${county.name}`);
  }
  // Only texts that name this county on their own: a damaged ID number gives no hint to lean on.
  return texts.filter((text) => {
    const resolution = resolveDestination(text, { minLevel: "county" });
    return resolution.ok && resolution.code === county.code;
  });
}

interface CountyChoice {
  county: Region;
  texts: string[];
}

function sendingCounties(): { choice: CountyChoice; weight: number }[] {
  const counties = listRegions().filter(
    (r) => r.level === "county" && !/^7[1-9]$/.test(r.code.slice(4)) && SENDING_AREAS.some((a) => r.code.startsWith(a.prefix)),
  );
  return counties.map((county) => {
    const area = SENDING_AREAS.find((a) => county.code.startsWith(a.prefix))!;
    const perArea = counties.filter((c) => c.code.startsWith(area.prefix)).length;
    // Rural counties send more people than city districts.
    const rural = county.name.endsWith("区") ? 1 : 3;
    return { choice: { county, texts: destinationTexts(county) }, weight: (area.weight * rural) / perArea };
  });
}

let cachedCountyPicker: ((random: number) => CountyChoice) | undefined;
function countyPicker(): (random: number) => CountyChoice {
  if (!cachedCountyPicker) {
    const pickEntry = weightedPicker(sendingCounties(), (entry) => entry.weight);
    cachedCountyPicker = (random) => pickEntry(random).choice;
  }
  return cachedCountyPicker;
}

/** Rows one by one, so a million-row file can be written without holding them. */
export function* iterateTravelerRows(count: number, seed: number, options: SyntheticOptions = {}): Generator<SyntheticTraveler> {
  if (count > PAIR_COUNT) throw new RangeError(`at most ${PAIR_COUNT} unique synthetic travellers`);
  const window = options.window ?? DEFAULT_WINDOW;
  const faultShare = options.faultShare ?? 0;
  const random = seededRandom(seed);
  const pickCounty = countyPicker();
  const pickPreference = weightedPicker(PREFERENCES, (p) => p.weight);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const firstBirthDay = dayNumber(window.start) - 58 * 365;
  const windowStart = dayNumber(window.start);
  const windowDays = dayNumber(window.end) - windowStart + 1;
  const offset = Math.floor(random() * PAIR_COUNT);

  let groupLeft = 0;
  let groupTag = "";
  let groupChoice: CountyChoice | undefined;
  let groupCount = 0;
  let groupEarliest = windowStart;

  for (let index = 0; index < count; index++) {
    if (groupLeft === 0 && random() < 0.06) {
      groupLeft = 2 + Math.floor(random() * 5);
      groupCount++;
      groupChoice = pickCounty(random());
      groupTag = `${groupChoice.county.shortName || groupChoice.county.name}${groupCount}组`;
      groupEarliest = windowStart + Math.floor(random() * Math.max(1, windowDays - 3));
    }
    const inGroup = groupLeft > 0;
    const choice = inGroup ? groupChoice! : pickCounty(random());

    const pair = (index * BIJECTION_MULTIPLIER + offset) % PAIR_COUNT;
    const birthDay = firstBirthDay + Math.floor(pair / SEQUENCES);
    const sequence = String(pair % SEQUENCES).padStart(3, "0");
    const male = Number(sequence[2]) % 2 === 1;
    const birth = isoDateParts(fromDayNumber(birthDay));
    const first17 = `${choice.county.code}${birth.year}${String(birth.month).padStart(2, "0")}${String(birth.day).padStart(2, "0")}${sequence}`;
    let idNumber = first17 + idCheckCharacter(first17);

    let name: string;
    if (random() < 0.004) name = pick(DOTTED_NAMES);
    else {
      const surname = random() < 0.01 ? pick(COMPOUND_SURNAMES) : pick(SURNAMES);
      const pool = male ? MALE_GIVEN : FEMALE_GIVEN;
      name = surname + pick(pool) + (random() < 0.7 ? pick(pool) : "");
    }

    let mobile = pick(MOBILE_PREFIXES) + String(Math.floor(random() * 1e8)).padStart(8, "0");
    let destination = pick(choice.texts);
    const earliestDay = inGroup ? groupEarliest : windowStart + Math.floor(random() * windowDays);
    let earliestDate = fromDayNumber(earliestDay);
    const latestDate = fromDayNumber(Math.min(earliestDay + Math.floor(random() * 4), windowStart + windowDays - 1));

    let fault: SyntheticFault | null = null;
    if (random() < faultShare) {
      fault = pick([
        "ID_CHECKSUM",
        "ID_EXCEL_SCIENTIFIC",
        "ID_EXCEL_PRECISION",
        "MOBILE_FORMAT",
        "DESTINATION_UNKNOWN",
        "DATE_OUTSIDE_WINDOW",
      ] as const);
      if (fault === "ID_CHECKSUM") {
        // A mistyped check character: any other of the eleven.
        const wrong = "0123456789X".replace(idNumber[17]!, "");
        idNumber = first17 + wrong[Math.floor(random() * wrong.length)]!;
      } else if (fault === "ID_EXCEL_SCIENTIFIC") idNumber = `${idNumber[0]}.${idNumber.slice(1, 6)}E+17`;
      else if (fault === "ID_EXCEL_PRECISION") {
        idNumber = `${idNumber.slice(0, 15)}000`;
        // One ID in eleven ending in 000 still checks out (and survives Excel): show it in notation.
        if (idCheckCharacter(idNumber) === "0") {
          idNumber = `${idNumber[0]}.${idNumber.slice(1, 6)}E+17`;
          fault = "ID_EXCEL_SCIENTIFIC";
        }
      } else if (fault === "MOBILE_FORMAT") mobile = `0512-${mobile.slice(3, 10)}`;
      else if (fault === "DESTINATION_UNKNOWN") destination = "火星基地";
      else earliestDate = fromDayNumber(windowStart - 10);
    }

    yield {
      name,
      idNumber,
      mobile,
      destination,
      earliestDate,
      latestDate,
      group: inGroup ? groupTag : "",
      preference: pickPreference(random()).text,
      remark: random() < 0.05 ? pick(REMARKS) : "",
      fault,
    };
    if (inGroup) groupLeft--;
  }
}

/** `count` rows at once (for small lists; use iterateTravelerRows for large files). */
export function generateTravelerRows(count: number, seed: number, options: SyntheticOptions = {}): SyntheticTraveler[] {
  return [...iterateTravelerRows(count, seed, options)];
}
