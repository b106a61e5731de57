import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { iterateTravelerRows } from "../../../src/intake/synthetic.ts";
import { validateRow, type TravelerRow } from "../../../src/intake/validate-row.ts";
import { createPiiVault } from "../../../src/pii/vault.ts";
import { PREFERENCE_TO_MODE, TravelerCopyRows } from "../../../src/services/intake/rows.ts";

const WINDOW = { start: "2027-01-22", end: "2027-02-05" };
const pii = createPiiVault([{ id: "k1", key: randomBytes(32).toString("base64") }], randomBytes(32).toString("base64"));
const target = { listId: "11111111-1111-4111-8111-111111111111", campaignId: "22222222-2222-4222-8222-222222222222", orgId: "33333333-3333-4333-8333-333333333333" };

function validRows(count: number): TravelerRow[] {
  const rows: TravelerRow[] = [];
  for (const raw of iterateTravelerRows(count, 7, { window: WINDOW, faultShare: 0 })) {
    const checked = validateRow(raw, { window: WINDOW, today: "2026-11-25" });
    if (checked.ok) rows.push(checked.value);
  }
  return rows;
}

/** COPY text format back to fields (the inverse of the escapes the writer uses). */
const unescape = (field: string) => (field === "\\N" ? null : field.replace(/\\(.)/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r", "\\": "\\" })[c] ?? c));

describe("TravelerCopyRows", () => {
  it("writes one COPY line per row, over many chunks, with free text escaped and the numbers only sealed, hashed and masked", () => {
    const rows = validRows(3000);
    // Free text COPY must escape, and a remark long enough to need a buffer of its own.
    rows[10] = { ...rows[10]!, remark: "第一行\n第二行\t制表\\反斜杠\r" };
    rows[11] = { ...rows[11]!, remark: "长".repeat(90_000), group: null };
    const batch = new TravelerCopyRows(target, "2026-11-25T00:00:00.000Z");
    rows.forEach((row, i) => batch.push(pii, i + 2, row));
    expect(batch.length).toBe(rows.length);
    const buffers = batch.buffers();
    expect(buffers.length).toBeGreaterThan(3);
    const lines = Buffer.concat(buffers).toString("utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(rows.length);
    lines.forEach((line, i) => {
      const fields = line.split("\t").map(unescape);
      expect(fields).toHaveLength(22);
      const row = rows[i]!;
      expect(fields.slice(1, 6)).toEqual([target.listId, target.campaignId, target.orgId, String(i + 2), row.name]);
      expect(pii.open(fields[6]!)).toBe(row.idNumber);
      expect(fields[7]).toBe(pii.hash(row.idNumber));
      expect(fields[8]).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
      expect(pii.open(fields[9]!)).toBe(row.mobile);
      expect(fields[10]).toBe(pii.hash(row.mobile));
      expect(fields[11]).toMatch(/^1\d{2}\*{4}\d{4}$/);
      expect(fields.slice(12, 16)).toEqual([row.sex, row.birthDate, row.destination.code, row.destination.fullName]);
      expect(fields.slice(16, 21)).toEqual([row.earliestDate, row.latestDate, row.group, PREFERENCE_TO_MODE[row.preference], row.remark]);
      expect(fields[21]).toBe("2026-11-25T00:00:00.000Z");
      expect(line).not.toContain(row.idNumber);
      expect(line).not.toContain(row.mobile.slice(3));
    });
  });

  it("refuses rows after its buffers were handed back for reuse", () => {
    const batch = new TravelerCopyRows(target);
    const [row] = validRows(1);
    batch.push(pii, 2, row!);
    batch.release();
    expect(batch.buffers()).toEqual([]);
    expect(() => batch.push(pii, 3, row!)).toThrow(/after release/);
  });
});
