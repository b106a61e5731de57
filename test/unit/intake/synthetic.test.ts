import { describe, expect, it } from "vitest";
import { generateTravelerRows, iterateTravelerRows } from "../../../src/intake/synthetic.ts";
import { validateRow } from "../../../src/intake/validate-row.ts";
import { lookupRegion } from "../../../src/intake/regions.ts";
import { withCheckCharacter } from "../../fixtures/intake/id-numbers.ts";

const window = { start: "2027-01-22", end: "2027-02-05" };
const ctx = { window, today: "2026-12-01" };
const SENDING = ["41", "34", "51", "52", "43", "42", "36", "50", "53", "3203", "3207", "3208", "3209", "3213"];

describe("synthetic travellers", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(generateTravelerRows(200, 7)).toEqual(generateTravelerRows(200, 7));
    expect(generateTravelerRows(50, 7)).not.toEqual(generateTravelerRows(50, 8));
  });

  it("produces valid, unique people from the sending provinces", () => {
    const rows = generateTravelerRows(20_000, 11, { window });
    const ids = new Set<string>();
    for (const row of rows) {
      const result = validateRow(row, ctx);
      expect(result.ok, JSON.stringify({ row, result })).toBe(true);
      expect(row.idNumber).toBe(withCheckCharacter(row.idNumber.slice(0, 17)));
      expect(SENDING.some((prefix) => row.idNumber.startsWith(prefix))).toBe(true);
      ids.add(row.idNumber);
    }
    expect(ids.size).toBe(rows.length);
    const henan = rows.filter((r) => r.idNumber.startsWith("41")).length / rows.length;
    expect(henan).toBeGreaterThan(0.1);
    expect(henan).toBeLessThan(0.35);
  });

  it("sends a traveller home to the county of their ID number", () => {
    for (const row of generateTravelerRows(2_000, 3)) {
      const result = validateRow(row, ctx);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.value.destination.code).toBe(lookupRegion(row.idNumber.slice(0, 6))!.code);
    }
  });

  it("writes destinations the several ways people do", () => {
    const destinations = generateTravelerRows(2_000, 5).map((r) => r.destination);
    expect(destinations.some((d) => /^\d{6}$/.test(d))).toBe(true);
    expect(destinations.some((d) => /省.+市.+[县区市]$/.test(d))).toBe(true);
    expect(destinations.some((d) => /^[^省市]+[县区]$/.test(d))).toBe(true);
  });

  it("keeps a group together: same tag, destination and dates", () => {
    const rows = generateTravelerRows(5_000, 9);
    const groups = new Map<string, typeof rows>();
    for (const row of rows) if (row.group) groups.set(row.group, [...(groups.get(row.group) ?? []), row]);
    expect(groups.size).toBeGreaterThan(50);
    for (const members of groups.values()) {
      expect(members.length).toBeGreaterThanOrEqual(2);
      expect(new Set(members.map((m) => m.idNumber.slice(0, 6))).size).toBe(1);
      expect(new Set(members.map((m) => m.earliestDate)).size).toBe(1);
    }
  });

  it("plants exactly the fault it names", () => {
    const rows = generateTravelerRows(6_000, 13, { faultShare: 0.3 });
    const faulty = rows.filter((r) => r.fault !== null);
    expect(faulty.length).toBeGreaterThan(1_400);
    expect(new Set(faulty.map((r) => r.fault)).size).toBe(6);
    for (const row of rows) {
      const result = validateRow(row, ctx);
      if (row.fault === null) expect(result.ok).toBe(true);
      else expect(result.ok ? [] : result.errors.map((e) => e.code)).toEqual([row.fault]);
    }
  });

  it("streams a large list without building it", () => {
    const iterator = iterateTravelerRows(1_000_000, 1);
    expect(iterator.next().value?.name.length).toBeGreaterThanOrEqual(2);
    iterator.return(undefined);
  });
});
