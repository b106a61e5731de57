// Records the totals are computed from, written straight into the tables (as the allocation, intake
// and wage services would), so the totals tests do not depend on those services.
import type { Db } from "../../src/db/types.ts";
import { maskIdNumber, maskMobile } from "../../src/intake/fields/masking.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import type { Mode } from "../../src/services/totals/definitions.ts";
import { testConfig } from "../helpers/app.ts";

const vault = () => piiVaultFromConfig(testConfig());

export async function seedCampaign(db: Db, cityOrgId: string, name = "2027年春节农民工平安返乡"): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO campaigns (id, city_org_id, name, year, origin_region_code, holiday_date, departure_start, departure_end, paid_before_date, status, updated_at)
     VALUES (gen_random_uuid(), $1::uuid, $2, 2027, '320500', '2027-02-06', '2027-01-20', '2027-02-04', '2027-01-18', 'OPEN', now()) RETURNING id::text`,
    cityOrgId,
    name,
  );
  return rows[0]!.id;
}

let idSerial = 0;

/** `n` travellers of an enterprise on one list, with sealed ID numbers and mobiles. */
export async function seedTravelers(db: Db, campaignId: string, orgId: string, n: number): Promise<string[]> {
  const pii = vault();
  const list = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO ticket_lists (id, campaign_id, org_id, title, status, traveler_count, updated_at)
     VALUES (gen_random_uuid(), $1::uuid, $2::uuid, '返乡名单', 'VALIDATED', $3, now()) RETURNING id::text`,
    campaignId,
    orgId,
    n,
  );
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    idSerial++;
    const idNumber = `41142519900101${String(idSerial % 1000).padStart(3, "0")}X`;
    const mobile = `138${String(10_000_000 + idSerial).slice(-8)}`;
    const row = await db.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO travelers (id, list_id, campaign_id, org_id, row_number, name, id_sealed, id_hash, id_masked, mobile_sealed, mobile_hash, mobile_masked,
                              gender, birth_date, destination_code, earliest_date, latest_date, updated_at)
       VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, $4, $5, $6, $7, $8, $9, $10, $11, 'M', '1990-01-01', '411425', '2027-01-20', '2027-02-04', now())
       RETURNING id::text`,
      list[0]!.id,
      campaignId,
      orgId,
      i + 1,
      `工人${idSerial}`,
      pii.seal(idNumber),
      pii.hash(idNumber),
      maskIdNumber(idNumber),
      pii.seal(mobile),
      pii.hash(mobile),
      maskMobile(mobile),
    );
    ids.push(row[0]!.id);
  }
  return ids;
}

export async function seedRun(db: Db, campaignId: string, seq: number, status = "SUCCEEDED"): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO allocation_runs (id, campaign_id, seq, status, parameters) VALUES (gen_random_uuid(), $1::uuid, $2, $3::"AllocationRunStatus", '{}') RETURNING id::text`,
    campaignId,
    seq,
    status,
  );
  return rows[0]!.id;
}

/** A vehicle of a run; `departureAt` an ISO instant (e.g. "2027-01-25T08:00:00+08:00"). */
export async function seedVehicle(db: Db, runId: string, campaignId: string, mode: Mode, departureAt: string, label = `${mode}-${departureAt}`): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO vehicles (id, run_id, capacity_id, campaign_id, mode, label, departure_at, route, seats_total, seats_used)
     VALUES (gen_random_uuid(), $1::uuid, gen_random_uuid(), $2::uuid, $3::"TransportMode", $4, $5::timestamptz, '[]', 55, 0) RETURNING id::text`,
    runId,
    campaignId,
    mode,
    label,
    departureAt,
  );
  return rows[0]!.id;
}

export async function seedAssignment(
  db: Db,
  a: { runId: string; vehicleId: string; travelerId: string; campaignId: string; orgId: string; seat: string; car?: string },
): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO assignments (id, run_id, vehicle_id, traveler_id, campaign_id, org_id, car, seat, drop_stop, drop_region_code)
     VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6, $7, 0, '411425') RETURNING id::text`,
    a.runId,
    a.vehicleId,
    a.travelerId,
    a.campaignId,
    a.orgId,
    a.car ?? "",
    a.seat,
  );
  return rows[0]!.id;
}

/** Publishes a run, superseding the campaign's published one, in one transaction (as allocation does). */
export async function publishRun(db: Db, campaignId: string, runId: string): Promise<void> {
  await db.$transaction([
    db.$executeRawUnsafe(`UPDATE allocation_runs SET status = 'SUPERSEDED' WHERE campaign_id = $1::uuid AND status = 'PUBLISHED' AND id <> $2::uuid`, campaignId, runId),
    db.$executeRawUnsafe(`UPDATE allocation_runs SET status = 'PUBLISHED', published_at = now() WHERE id = $1::uuid`, runId),
  ]);
}

export async function seedWageCase(
  db: Db,
  c: { campaignId: string; orgId: string; caseNo: string; workers: number; migrantWorkers: number; owedFen: bigint },
): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO wage_cases (id, case_no, campaign_id, org_id, reporting_org_id, source, employer_name, workers_affected, migrant_workers_affected,
                             amount_owed_fen, status, registered_on, acceptance_due_on, updated_at)
     VALUES (gen_random_uuid(), $1, $2::uuid, $3::uuid, $3::uuid, 'HOTLINE_12351', '某建筑劳务有限公司', $4, $5, $6::bigint, 'INVESTIGATING', '2027-01-05', '2027-01-12', now())
     RETURNING id::text`,
    c.caseNo,
    c.campaignId,
    c.orgId,
    c.workers,
    c.migrantWorkers,
    c.owedFen.toString(),
  );
  return rows[0]!.id;
}

/** A payment; the migrant workers' part defaults to all (every worker paid a migrant) or nothing. */
export async function seedWagePayment(
  db: Db,
  p: { caseId: string; amountFen: bigint; paidOn: string; workersPaid: number; migrantWorkersPaid: number; migrantAmountFen?: bigint },
): Promise<string> {
  const migrant = p.migrantAmountFen ?? (p.migrantWorkersPaid === p.workersPaid ? p.amountFen : 0n);
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO wage_payments (id, case_id, amount_fen, migrant_amount_fen, paid_on, workers_paid, migrant_workers_paid, method)
     VALUES (gen_random_uuid(), $1::uuid, $2::bigint, $3::bigint, $4::date, $5, $6, 'BANK_TRANSFER') RETURNING id::text`,
    p.caseId,
    p.amountFen.toString(),
    migrant.toString(),
    p.paidOn,
    p.workersPaid,
    p.migrantWorkersPaid,
  );
  return rows[0]!.id;
}
