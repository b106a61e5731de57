// Test data for the allocation tests: lists and travellers inserted directly (the intake API is
// another area), with ID numbers and mobiles sealed and hashed by the test vault, as intake stores them.
import { randomUUID } from "node:crypto";
import type { Db } from "../../src/db/types.ts";
import { maskIdNumber, maskMobile } from "../../src/intake/fields/masking.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { testConfig } from "../helpers/app.ts";

export interface TestTraveler {
  name: string;
  idNumber: string;
  mobile: string;
  destinationCode: string;
  earliestDate?: string;
  latestDate?: string;
  groupTag?: string;
}

let serial = 0;

/** A distinct 18-character ID-shaped string (the allocation does not check the check digit). */
export function fakeIdNumber(prefix = "411523"): string {
  serial += 1;
  return `${prefix}1990${String(1 + (serial % 12)).padStart(2, "0")}${String(1 + (serial % 28)).padStart(2, "0")}${String(serial).padStart(4, "0")}`.slice(0, 18);
}

export function fakeMobile(): string {
  serial += 1;
  return `139${String(serial).padStart(8, "0")}`;
}

export async function insertList(db: Db, campaignId: string, orgId: string, travelers: TestTraveler[], status: "SUBMITTED" | "VALIDATED" | "DRAFT" | "WITHDRAWN" = "SUBMITTED") {
  const vault = piiVaultFromConfig(testConfig());
  const list = await db.ticketList.create({ data: { campaignId, orgId, title: `名单 ${randomUUID().slice(0, 8)}`, status, travelerCount: travelers.length } });
  const rows = travelers.map((t, i) => ({
    id: randomUUID(),
    listId: list.id,
    campaignId,
    orgId,
    rowNumber: i + 1,
    name: t.name,
    idSealed: vault.seal(t.idNumber),
    idHash: vault.hash(t.idNumber),
    idMasked: maskIdNumber(t.idNumber),
    mobileSealed: vault.seal(t.mobile),
    mobileHash: vault.hash(t.mobile),
    mobileMasked: maskMobile(t.mobile),
    gender: "M",
    birthDate: new Date("1990-01-01T00:00:00Z"),
    destinationCode: t.destinationCode,
    earliestDate: new Date(`${t.earliestDate ?? "2027-01-26"}T00:00:00Z`),
    latestDate: new Date(`${t.latestDate ?? "2027-01-30"}T00:00:00Z`),
    groupTag: t.groupTag ?? null,
  }));
  await db.traveler.createMany({ data: rows });
  return { listId: list.id, travelerIds: rows.map((r) => r.id) };
}

export function people(count: number, destinationCode: string, namePrefix: string): TestTraveler[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${namePrefix}${i + 1}`, idNumber: fakeIdNumber(destinationCode), mobile: fakeMobile(), destinationCode }));
}

export async function waitForRun(db: Db, runId: string, settled: string[] = ["SUCCEEDED", "FAILED"]) {
  for (let i = 0; i < 600; i++) {
    const run = await db.allocationRun.findUniqueOrThrow({ where: { id: runId } });
    if (settled.includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not settle`);
}
