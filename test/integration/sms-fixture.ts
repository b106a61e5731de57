// Builds, directly in the database, what a published allocation leaves behind (campaign, a ticket
// list with travellers, a bus, a published run with assignments), so the SMS pipeline can be tested
// from `writePublishNotifications` onwards without the allocation service.
import { randomUUID } from "node:crypto";
import type { Db } from "../../src/db/types.ts";
import type { PiiVault } from "../../src/pii/vault.ts";
import { maskIdNumber, maskMobile } from "../../src/intake/fields/masking.ts";

export interface SmsWorld {
  campaignId: string;
  listId: string;
  capacityId: string;
  travelers: { id: string; mobile: string }[];
}

let mobileSeq = 0;
/** Distinct valid mainland mobiles (+86 139 …). */
export function nextMobile(): string {
  mobileSeq += 1;
  return `+86139${String(Math.floor(Math.random() * 1e4)).padStart(4, "0")}${String(mobileSeq % 10_000).padStart(4, "0")}`;
}

export async function createSmsWorld(db: Db, pii: PiiVault, opts: { cityId: string; enterpriseId: string; operatorId: string; travelers: number; mobiles?: string[] }): Promise<SmsWorld> {
  const campaign = await db.campaign.create({
    data: {
      cityOrgId: opts.cityId,
      name: `春运 ${randomUUID().slice(0, 8)}`,
      year: 2027,
      originRegionCode: "320500",
      holidayDate: new Date("2027-02-06"),
      departureStart: new Date("2027-01-20"),
      departureEnd: new Date("2027-02-05"),
      paidBeforeDate: new Date("2027-01-31"),
    },
  });
  const list = await db.ticketList.create({ data: { campaignId: campaign.id, orgId: opts.enterpriseId, title: "返乡名单", travelerCount: opts.travelers } });
  const travelers: SmsWorld["travelers"] = [];
  for (let i = 0; i < opts.travelers; i++) {
    const mobile = opts.mobiles?.[i] ?? nextMobile();
    const idNumber = `32010219900307${String(1000 + i).slice(-4)}`;
    const row = await db.traveler.create({
      data: {
        listId: list.id,
        campaignId: campaign.id,
        orgId: opts.enterpriseId,
        rowNumber: i + 1,
        name: `工人${i + 1}`,
        idSealed: pii.seal(idNumber),
        idHash: pii.hash(idNumber),
        idMasked: maskIdNumber(idNumber),
        mobileSealed: pii.seal(mobile),
        mobileHash: pii.hash(mobile),
        mobileMasked: maskMobile(mobile),
        gender: "M",
        birthDate: new Date("1990-03-07"),
        destinationCode: "411500",
        earliestDate: new Date("2027-01-25"),
        latestDate: new Date("2027-01-30"),
      },
    });
    travelers.push({ id: row.id, mobile });
  }
  const capacity = await db.capacity.create({
    data: {
      campaignId: campaign.id,
      orgId: opts.operatorId,
      mode: "BUS",
      label: "苏E12345",
      departureDate: new Date("2027-01-28"),
      departureMinute: 7 * 60 + 30,
      seats: 50,
      details: { contactPhone: "0512-65776577" },
    },
  });
  return { campaignId: campaign.id, listId: list.id, capacityId: capacity.id, travelers };
}

let seq = 0;
/**
 * A published run: `seats` maps traveller id → seat number on one bus leaving at `departureAt`
 * from `pickup`. The previous published run (if any) becomes SUPERSEDED.
 */
export async function publishRun(db: Db, world: SmsWorld, opts: { baseRunId?: string; departureAt: Date; pickup?: string; seats: Map<string, string> }) {
  seq += 1;
  if (opts.baseRunId) await db.allocationRun.update({ where: { id: opts.baseRunId }, data: { status: "SUPERSEDED" } });
  const run = await db.allocationRun.create({
    data: { campaignId: world.campaignId, seq, status: "PUBLISHED", parameters: {}, baseRunId: opts.baseRunId ?? null, publishedAt: new Date() },
  });
  const vehicle = await db.vehicle.create({
    data: {
      runId: run.id,
      capacityId: world.capacityId,
      campaignId: world.campaignId,
      mode: "BUS",
      label: "苏E12345",
      departureAt: opts.departureAt,
      route: [{ name: opts.pickup ?? "吴江汽车站", regionCode: "320509", at: opts.departureAt.toISOString(), km: 0 }, { name: "信阳", regionCode: "411500", at: opts.departureAt.toISOString(), km: 700 }],
      seatsTotal: 50,
      seatsUsed: opts.seats.size,
    },
  });
  const orgOf = new Map((await db.traveler.findMany({ where: { id: { in: [...opts.seats.keys()] } }, select: { id: true, orgId: true } })).map((t) => [t.id, t.orgId]));
  for (const [travelerId, seat] of opts.seats) {
    await db.assignment.create({
      data: { runId: run.id, vehicleId: vehicle.id, travelerId, campaignId: world.campaignId, orgId: orgOf.get(travelerId)!, seat, dropStop: 1, dropRegionCode: "411500" },
    });
  }
  return { runId: run.id, vehicleId: vehicle.id };
}
