import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { greatCircleKm, isKnownRegionCode, listRegions, lookupRegion, resolveDestination } from "../../../src/intake/regions.ts";

const regionsJson = fileURLToPath(new URL("../../../src/generated/regions.json", import.meta.url));

function resolvedCode(text: string, options?: Parameters<typeof resolveDestination>[1]) {
  const result = resolveDestination(text, options);
  return result.ok ? result.code : result.code;
}

describe("generated region data", () => {
  const regions = listRegions();

  it("is small and holds every level", () => {
    expect(statSync(regionsJson).size).toBeLessThan(1024 * 1024);
    const count = (level: string) => regions.filter((r) => r.level === level).length;
    expect(count("province")).toBe(31);
    expect(count("prefecture")).toBeGreaterThan(320);
    expect(count("county")).toBeGreaterThan(2800);
  });

  it("has unique codes, real parents and coordinates inside China", () => {
    const codes = new Set(regions.map((r) => r.code));
    expect(codes.size).toBe(regions.length);
    for (const region of regions) {
      if (region.parentCode !== null) expect(codes.has(region.parentCode), region.code).toBe(true);
      expect(region.code.startsWith(region.provinceCode.slice(0, 2))).toBe(true);
      expect(region.lng, region.code).toBeGreaterThan(73);
      expect(region.lng, region.code).toBeLessThan(136);
      expect(region.lat, region.code).toBeGreaterThan(3);
      expect(region.lat, region.code).toBeLessThan(54);
    }
  });

  it("maps every old code to a current region", () => {
    const file = JSON.parse(readFileSync(regionsJson, "utf8")) as { oldCodes: Record<string, string> };
    for (const [old, current] of Object.entries(file.oldCodes)) {
      expect(lookupRegion(current)?.code, `${old}→${current}`).toBe(current);
      expect(lookupRegion(old)?.code).toBe(current);
    }
  });

  it("maps the merged prefectures named in the brief", () => {
    expect(lookupRegion("371200")?.code).toBe("370100"); // 莱芜 → 济南
    expect(lookupRegion("542200")?.code).toBe("540500"); // 山南
    expect(lookupRegion("542400")?.code).toBe("540600"); // 那曲
    expect(lookupRegion("542600")?.code).toBe("540400"); // 林芝
    expect(lookupRegion("652100")?.code).toBe("650400"); // 吐鲁番
    expect(lookupRegion("652200")?.code).toBe("650500"); // 哈密
    expect(lookupRegion("469003")?.code).toBe("460400"); // 儋州 (echarts id)
    // An old county code without its own entry falls back to its new prefecture.
    expect(lookupRegion("542227")?.code).toBe("540500");
    expect(lookupRegion("371202")?.name).toBe("莱芜区");
  });

  it("derives full names, short names and the enclosing prefecture", () => {
    const xiayi = lookupRegion("411426")!;
    expect(xiayi).toMatchObject({ name: "夏邑县", shortName: "夏邑", fullName: "河南省商丘市夏邑县", level: "county" });
    expect(xiayi.prefectureCode).toBe("411400");
    expect(lookupRegion("110105")).toMatchObject({ fullName: "北京市朝阳区", prefectureCode: "110000" });
    expect(lookupRegion("429004")).toMatchObject({ fullName: "湖北省仙桃市", prefectureCode: "429004" });
    expect(lookupRegion("222400")?.shortName).toBe("延边");
    expect(lookupRegion("632324")?.shortName).toBe("河南"); // 河南蒙古族自治县
    expect(lookupRegion("140109")?.shortName).toBe("万柏林");
    expect(lookupRegion("130133")?.shortName).toBe(""); // 赵县: one character is too ambiguous
  });

  it("knows current and old codes only", () => {
    expect(isKnownRegionCode("320500")).toBe(true);
    expect(isKnownRegionCode("371203")).toBe(true);
    expect(isKnownRegionCode("999999")).toBe(false);
    expect(isKnownRegionCode("320599")).toBe(false);
  });
});

describe("resolveDestination", () => {
  it.each([
    ["411426", "411426"],
    ["河南省商丘市夏邑县", "411426"],
    ["商丘夏邑", "411426"],
    ["商丘市夏邑县", "411426"],
    ["河南夏邑", "411426"],
    ["夏邑", "411426"],
    ["夏邑县", "411426"],
    ["商丘市", "411400"],
    ["商丘", "411400"],
    ["河南商丘", "411400"],
    ["河南省 商丘市", "411400"],
    ["北京", "110000"],
    ["北京市朝阳区", "110105"],
    ["长春朝阳", "220104"],
    ["延边", "222400"],
    ["湖北仙桃", "429004"],
    ["广西省南宁", "450100"],
    ["新疆乌鲁木齐", "650100"],
    ["内蒙古鄂温克族自治旗", "150724"],
    ["重庆开县", "500154"],
    ["毕节地区", "520500"],
    ["夏邑县会亭镇张庄村", "411426"],
    ["河南省商丘市夏邑县城关镇3组", "411426"],
    ["吉林市", "220200"],
    ["４１１４２６", "411426"],
  ])("%s → %s", (text, code) => {
    const result = resolveDestination(text);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (result.ok) expect(result.code).toBe(code);
  });

  it("maps an old code and says which", () => {
    const result = resolveDestination("371200");
    expect(result).toMatchObject({ ok: true, code: "370100", name: "济南市", replacedCode: "371200" });
  });

  it("names every candidate of an ambiguous name", () => {
    const result = resolveDestination("朝阳区");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("DESTINATION_AMBIGUOUS");
    expect(result.candidates.map((c) => c.fullName)).toEqual(["北京市朝阳区", "吉林省长春市朝阳区"]);
    expect(result.candidateCount).toBe(2);
  });

  it("treats a name shared by a prefecture and districts elsewhere as ambiguous", () => {
    const result = resolveDestination("西安");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.candidates.map((c) => c.code).sort()).toEqual(["220403", "231005", "610100"]);
  });

  it("lets the ID number's region settle an ambiguity", () => {
    expect(resolvedCode("西安", { hintCode: "610102" })).toBe("610100");
    expect(resolvedCode("朝阳区", { hintCode: "220104" })).toBe("220104");
    expect(resolvedCode("朝阳区", { hintCode: "110105" })).toBe("110105");
    // A hint from a third place settles nothing.
    expect(resolvedCode("朝阳区", { hintCode: "411426" })).toBe("DESTINATION_AMBIGUOUS");
  });

  it("does not accept a province alone, and lists its prefectures", () => {
    const result = resolveDestination("河南省");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("DESTINATION_AMBIGUOUS");
    expect(result.candidateCount).toBe(18); // 17 prefectures + 济源
    expect(result.candidates).toHaveLength(10);
    expect(result.candidates[0]).toMatchObject({ code: "410100", name: "郑州市" });
  });

  it("can require a county", () => {
    expect(resolvedCode("商丘", { minLevel: "county" })).toBe("DESTINATION_AMBIGUOUS");
    expect(resolvedCode("商丘夏邑", { minLevel: "county" })).toBe("411426");
  });

  it.each(["火星基地", "", "123", "999999", "河南省某某乡"])("does not know %j", (text) => {
    expect(resolvedCode(text)).toBe("DESTINATION_UNKNOWN");
  });

  it("resolves 100,000 rows in well under a second of CPU", () => {
    const counties = listRegions().filter((r) => r.level === "county");
    const texts = Array.from({ length: 100_000 }, (_, i) => {
      const county = counties[(i * 7919) % counties.length]!;
      return i % 2 === 0 ? county.fullName : county.code;
    });
    resolveDestination(texts[0]!);
    const before = process.cpuUsage();
    let resolved = 0;
    for (const text of texts) if (resolveDestination(text).ok) resolved++;
    const used = process.cpuUsage(before);
    expect(resolved).toBeGreaterThan(99_000);
    expect((used.user + used.system) / 1e6).toBeLessThan(1);
  });
});

describe("greatCircleKm", () => {
  const at = (code: string) => lookupRegion(code)!;

  it("matches known distances between prefecture seats", () => {
    expect(greatCircleKm(at("320500"), at("411500"))).toBeCloseTo(626, -1); // 苏州→信阳
    expect(greatCircleKm(at("320500"), at("510100"))).toBeCloseTo(1578, -1); // 苏州→成都
  });

  it("is symmetric and zero for one point", () => {
    expect(greatCircleKm(at("320500"), at("320500"))).toBe(0);
    expect(greatCircleKm(at("110000"), at("650100"))).toBeCloseTo(greatCircleKm(at("650100"), at("110000")), 9);
  });
});
