// Called by the allocation service inside the publish transaction: writes the notifications of a
// published run (set-based: one read per run, one INSERT … SELECT FROM unnest for all rows) and one
// outbox job that fans the send jobs out. Recipients are copied from the traveller's sealed mobile
// inside PostgreSQL: no mobile is opened here.
import { randomUUID } from "node:crypto";
import type { Config } from "../../config.ts";
import type { Tx } from "../../db/types.ts";
import { AppError } from "../../errors.ts";
import type { PiiVault } from "../../pii/vault.ts";
import { enqueueViaOutbox } from "../../queue/outbox.ts";
import { isEssential } from "../../sms/templates.ts";
import { renderCancellation, renderTrip, type SeatFacts } from "./render.ts";
import { parseQuietHours, releasePlan, reminderTime, URGENT_WITHIN_MS } from "./timing.ts";

interface SeatRow extends SeatFacts {
  travelerId: string;
  vehicleId: string;
  capacityId: string;
}

async function seatsOf(tx: Tx, runId: string): Promise<Map<string, SeatRow>> {
  const rows = await tx.$queryRaw<SeatRow[]>`
    SELECT a.traveler_id AS "travelerId", a.vehicle_id AS "vehicleId", v.capacity_id AS "capacityId",
           v.mode::text AS mode, v.label, v.departure_at AS "departureAt", a.car, a.seat,
           v.route->0->>'name' AS "pickupPoint",
           COALESCE(c.details->>'contactPhone', c.details->'contact'->>'phone') AS "contactPhone"
      FROM assignments a
      JOIN vehicles v ON v.id = a.vehicle_id
      LEFT JOIN capacities c ON c.id = v.capacity_id
     WHERE a.run_id = ${runId}::uuid AND a.status = 'ASSIGNED'`;
  return new Map(rows.map((row) => [row.travelerId, row]));
}

function sameTrip(a: SeatRow, b: SeatRow): boolean {
  return (
    a.capacityId === b.capacityId &&
    a.car === b.car &&
    a.seat === b.seat &&
    a.departureAt.getTime() === b.departureAt.getTime() &&
    (a.pickupPoint ?? "") === (b.pickupPoint ?? "")
  );
}

type Kind = "DEPARTURE" | "CHANGE" | "CANCELLATION" | "REMINDER";
const TEMPLATE_KIND = { DEPARTURE: "DEPARTURE_NOTICE", CHANGE: "CHANGE_NOTICE", CANCELLATION: "CANCELLATION", REMINDER: "DAY_BEFORE_REMINDER" } as const;

class Rows {
  id: string[] = [];
  kind: Kind[] = [];
  dedupe: string[] = [];
  traveler: string[] = [];
  vehicle: (string | null)[] = [];
  body: string[] = [];
  segments: number[] = [];
  urgent: boolean[] = [];
  essential: boolean[] = [];
  status: string[] = [];
  notBefore: (string | null)[] = [];

  push(r: { kind: Kind; runId: string; travelerId: string; vehicleId: string | null; body: string; segments: number; urgent: boolean; status: string; notBefore: Date | null }) {
    this.id.push(randomUUID());
    this.kind.push(r.kind);
    this.dedupe.push(`${r.kind}:${r.runId}:${r.travelerId}`);
    this.traveler.push(r.travelerId);
    this.vehicle.push(r.vehicleId);
    this.body.push(r.body);
    this.segments.push(r.segments);
    this.urgent.push(r.urgent);
    this.essential.push(isEssential(TEMPLATE_KIND[r.kind]));
    this.status.push(r.status);
    this.notBefore.push(r.notBefore?.toISOString() ?? null);
  }
}

export async function writePublishNotifications(
  tx: Tx,
  deps: { pii: PiiVault; config: Config },
  runId: string,
): Promise<{ created: number }> {
  const { config } = deps;
  const run = await tx.allocationRun.findUnique({ where: { id: runId }, select: { id: true, baseRunId: true } });
  if (!run) throw new AppError("NOT_FOUND", { code: "ALLOCATION_RUN_NOT_FOUND", detail: `allocation run ${runId} not found` });
  const now = new Date();
  const quiet = parseQuietHours(config.SMS_QUIET_HOURS);
  const current = await seatsOf(tx, runId);
  const base = run.baseRunId ? await seatsOf(tx, run.baseRunId) : new Map<string, SeatRow>();

  const rows = new Rows();
  const touched: string[] = [];
  const schedule = (departureAt: Date) => {
    const urgent = departureAt.getTime() - now.getTime() < URGENT_WITHIN_MS;
    return { urgent, ...releasePlan(now, quiet, { urgent }) };
  };

  for (const seat of current.values()) {
    const before = base.get(seat.travelerId);
    if (before && sameTrip(before, seat)) continue;
    const kind: Kind = before ? "CHANGE" : "DEPARTURE";
    touched.push(seat.travelerId);
    const text = renderTrip(kind, seat, config);
    rows.push({ kind, runId, travelerId: seat.travelerId, vehicleId: seat.vehicleId, body: text.text, segments: text.segments.segments, ...schedule(seat.departureAt) });
    // The day-before reminder, when that moment is still ahead.
    const remindAt = reminderTime(seat.departureAt);
    if (remindAt.getTime() > now.getTime()) {
      const reminder = renderTrip("REMINDER", seat, config);
      rows.push({ kind: "REMINDER", runId, travelerId: seat.travelerId, vehicleId: seat.vehicleId, body: reminder.text, segments: reminder.segments.segments, urgent: false, ...releasePlan(now, quiet, { urgent: false, earliest: remindAt }) });
    }
  }
  for (const seat of base.values()) {
    if (current.has(seat.travelerId)) continue;
    touched.push(seat.travelerId);
    const text = renderCancellation(seat.departureAt, config);
    rows.push({ kind: "CANCELLATION", runId, travelerId: seat.travelerId, vehicleId: seat.vehicleId, body: text.text, segments: text.segments.segments, ...schedule(seat.departureAt) });
  }

  // Messages of earlier versions that have not left yet no longer apply to the travellers touched
  // now (a held departure notice followed by a change would tell two different stories).
  if (touched.length > 0) {
    await tx.$executeRaw`
      UPDATE notifications SET status = 'SUPPRESSED', final_at = now(), updated_at = now(),
             error_message = 'superseded by allocation run ' || ${runId}
       WHERE traveler_id = ANY(${touched}::uuid[]) AND run_id IS NOT NULL AND run_id <> ${runId}::uuid
         AND status IN ('PENDING', 'HELD')`;
  }

  let created = 0;
  if (rows.id.length > 0) {
    created = await tx.$executeRaw`
      INSERT INTO notifications (id, campaign_id, org_id, kind, dedupe_key, traveler_id, run_id, vehicle_id,
                                 to_sealed, to_hash, to_masked, body, segments, urgent, essential, status,
                                 not_before, reference, final_at, error_message, updated_at)
      SELECT u.id, t.campaign_id, t.org_id, u.kind::"NotificationKind", u.dedupe, u.traveler_id, ${runId}::uuid, u.vehicle_id,
             t.mobile_sealed, t.mobile_hash, t.mobile_masked, u.body, u.segments, u.urgent, u.essential,
             (CASE WHEN NOT u.essential AND o.phone_hash IS NOT NULL THEN 'SUPPRESSED' ELSE u.status END)::"NotificationStatus",
             u.not_before, 'n' || replace(u.id::text, '-', ''),
             CASE WHEN NOT u.essential AND o.phone_hash IS NOT NULL THEN now() END,
             CASE WHEN NOT u.essential AND o.phone_hash IS NOT NULL THEN 'opted out' END,
             now()
        FROM unnest(${rows.id}::uuid[], ${rows.kind}::text[], ${rows.dedupe}::text[], ${rows.traveler}::uuid[],
                    ${rows.vehicle}::uuid[], ${rows.body}::text[], ${rows.segments}::int[], ${rows.urgent}::boolean[],
                    ${rows.essential}::boolean[], ${rows.status}::text[], ${rows.notBefore}::timestamptz[])
             AS u(id, kind, dedupe, traveler_id, vehicle_id, body, segments, urgent, essential, status, not_before)
        JOIN travelers t ON t.id = u.traveler_id
        LEFT JOIN sms_opt_outs o ON o.phone_hash = t.mobile_hash
      ON CONFLICT (dedupe_key) DO NOTHING`;
  }
  await enqueueViaOutbox(tx, "sms.fan-out", { runId });
  return { created };
}
