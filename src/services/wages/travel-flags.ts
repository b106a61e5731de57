// The link between wages and travel: a traveller on a ticket list whose ID hash matches a named
// worker of a case still awaiting payment is flagged ("欠薪未结清，X 月 X 日出发") to the enterprise
// union and up the tree, so the case can be pushed before the bus leaves.
import { shanghaiDateOf } from "../../calendar/iso-date.ts";
import type { DbOrTx } from "../../db/types.ts";
import type { ServiceContext } from "../context.ts";
import { dateFromDb } from "../dates.ts";
import { toYuanDecimal } from "../../wages/money.ts";
import { visibleCampaign, visibleOrg } from "./scope.ts";

/** Cases in these statuses no longer hold money back from their workers. */
const SETTLED_STATUSES = ["CLOSED", "REJECTED", "RECOVERED"] as const;

interface FlagRow {
  traveler_id: string;
  traveler_org_id: string;
  traveler_org_name: string;
  name: string;
  id_masked: string;
  mobile_masked: string;
  earliest_date: Date;
  case_id: string;
  case_no: string;
  case_status: string;
  employer_name: string;
  outstanding_fen: bigint;
  worker_paid_at: Date | null;
  departure_at: Date | null;
  vehicle_label: string | null;
  mode: string | null;
  car: string | null;
  seat: string | null;
}

/**
 * Active travellers of the campaign (under `orgPathPrefix` when given) who are named workers of an
 * unsettled case of the same city, with their earliest travel date and, when a published allocation
 * seats them, their departure.
 */
export async function travelFlagsFor(db: DbOrTx, opts: { campaignId: string; orgPathPrefix?: string }) {
  const prefix = opts.orgPathPrefix ?? null;
  const rows = await db.$queryRaw<FlagRow[]>`
    SELECT t.id AS traveler_id, t.org_id AS traveler_org_id, o.name AS traveler_org_name, t.name, t.id_masked, t.mobile_masked,
           t.earliest_date, c.id AS case_id, c.case_no, c.status::text AS case_status, c.employer_name,
           GREATEST(c.amount_owed_fen - c.recovered_fen, 0) AS outstanding_fen, w.paid_at AS worker_paid_at,
           alloc.departure_at, alloc.label AS vehicle_label, alloc.mode, alloc.car, alloc.seat
    FROM travelers t
    JOIN organisations o ON o.id = t.org_id
    JOIN wage_case_workers w ON w.id_hash = t.id_hash
    JOIN wage_cases c ON c.id = w.case_id
    JOIN organisations co ON co.id = c.org_id
    LEFT JOIN LATERAL (
      SELECT v.departure_at, v.label, v.mode::text AS mode, a.car, a.seat
      FROM assignments a
      JOIN allocation_runs r ON r.id = a.run_id AND r.status = 'PUBLISHED'
      JOIN vehicles v ON v.id = a.vehicle_id
      WHERE a.traveler_id = t.id AND a.status = 'ASSIGNED'
      ORDER BY v.departure_at
      LIMIT 1
    ) alloc ON true
    WHERE t.campaign_id = ${opts.campaignId}::uuid
      AND t.status = 'ACTIVE'
      AND c.status::text NOT IN (${SETTLED_STATUSES[0]}, ${SETTLED_STATUSES[1]}, ${SETTLED_STATUSES[2]})
      AND split_part(co.path, '/', 2) = split_part(o.path, '/', 2)
      AND (${prefix}::text IS NULL OR starts_with(o.path, ${prefix}::text))
    ORDER BY COALESCE(alloc.departure_at, t.earliest_date::timestamptz), t.name, c.case_no`;
  // One flag per traveller, listing every unsettled case naming them (ordered by departure).
  const flags = new Map<string, ReturnType<typeof flagOf>>();
  for (const row of rows) {
    const flag = flags.get(row.traveler_id) ?? flagOf(row);
    flag.cases.push({
      id: row.case_id,
      caseNo: row.case_no,
      status: row.case_status,
      employerName: row.employer_name,
      outstandingYuan: toYuanDecimal(BigInt(row.outstanding_fen)),
      workerPaidAt: row.worker_paid_at?.toISOString() ?? null,
    });
    flags.set(row.traveler_id, flag);
  }
  return [...flags.values()];
}

function flagOf(row: FlagRow) {
  const departure = row.departure_at
    ? {
        date: shanghaiDateOf(row.departure_at),
        time: new Date(row.departure_at.getTime() + 8 * 3_600_000).toISOString().slice(11, 16),
        at: row.departure_at.toISOString(),
        vehicle: row.vehicle_label,
        mode: row.mode,
        car: row.car || null,
        seat: row.seat,
      }
    : null;
  const earliestDate = dateFromDb(row.earliest_date);
  const departsOn = departure?.date ?? earliestDate;
  return {
    traveler: {
      id: row.traveler_id,
      orgId: row.traveler_org_id,
      orgName: row.traveler_org_name,
      name: row.name,
      idNumberMasked: row.id_masked,
      mobileMasked: row.mobile_masked,
      earliestDate,
    },
    cases: [] as { id: string; caseNo: string; status: string; employerName: string; outstandingYuan: string; workerPaidAt: string | null }[],
    departure,
    departsOn,
    message: {
      zh: `欠薪未结清，${departsOn}${departure ? ` ${departure.time} 乘 ${departure.vehicle ?? ""}` : ""}出发`,
      en: `Unpaid; departs on ${departsOn}${departure ? ` at ${departure.time} (${departure.vehicle ?? ""})` : ""}`,
    },
  };
}

/** The flags the caller may see: its own travellers (enterprise), its subtree's (district), all (city). */
export async function listWageTravelFlags(ctx: ServiceContext, filter: { campaignId: string; orgId?: string }) {
  await visibleCampaign(ctx, ctx.db, filter.campaignId);
  const scope = filter.orgId ? (await visibleOrg(ctx, ctx.db, filter.orgId)).path : ctx.principal.orgPath;
  const items = await travelFlagsFor(ctx.db, { campaignId: filter.campaignId, orgPathPrefix: scope });
  return { items };
}
