// The allocation job's work: build the engine's input from the database (active travellers of
// the campaign, active capacity, the origin, the published run it starts from), run the pure
// engine, and store vehicles, assignments, report and diff in bulk. Idempotent: a retried job
// deletes the run's rows and writes them again in one transaction.
import { allocateAsync, defaultPolicy } from "../../allocation/engine/index.ts";
import type { AllocationPolicy, AllocationResult, EngineTraveler, GeoPoint, Mode, PreviousAssignment, QualityReport, UnassignedReason } from "../../allocation/engine/types.ts";
import type { Db, Tx } from "../../db/types.ts";
import { ZodError } from "zod";
import { AppError } from "../../errors.ts";
import { lookupRegion } from "../../intake/regions.ts";
import type { SystemContext } from "../context.ts";
import { dateFromDb } from "../dates.ts";
import { toEngineCapacity } from "./capacity.ts";
import { RunParametersSchema, type StoredUnassigned } from "./runs.ts";

const INSERT_CHUNK = 10_000;

interface HeldTraveler {
  travelerId: string;
  reason: UnassignedReason;
  detail: string;
}

/** Active travellers of the campaign; people listed twice are held back (CONFLICT), never doubled. */
export async function loadTravelers(db: Db | Tx, campaignId: string): Promise<{ travelers: EngineTraveler[]; held: HeldTraveler[]; orgOf: Map<string, string> }> {
  const rows = await db.$queryRaw<
    { id: string; org_id: string; id_hash: string; destination_code: string; earliest_date: Date; latest_date: Date; group_tag: string | null; preference: Mode | null }[]
  >`
    SELECT t.id::text, t.org_id::text, t.id_hash, t.destination_code, t.earliest_date, t.latest_date, t.group_tag, t.preference::text AS preference
      FROM travelers t JOIN ticket_lists l ON l.id = t.list_id
     WHERE t.campaign_id = ${campaignId}::uuid AND t.status = 'ACTIVE' AND l.status NOT IN ('WITHDRAWN', 'DRAFT')
     ORDER BY t.created_at, t.id`;
  const byHash = new Map<string, typeof rows>();
  for (const row of rows) {
    const same = byHash.get(row.id_hash);
    if (same) same.push(row);
    else byHash.set(row.id_hash, [row]);
  }
  const held: HeldTraveler[] = [];
  const heldIds = new Set<string>();
  for (const same of byHash.values()) {
    if (same.length < 2) continue;
    const orgs = new Set(same.map((r) => r.org_id));
    if (orgs.size > 1) {
      // On two enterprises' lists: neither gets a seat until the enterprises sort it out.
      for (const r of same) {
        held.push({ travelerId: r.id, reason: "CONFLICT", detail: `listed by ${orgs.size} enterprises in this campaign` });
        heldIds.add(r.id);
      }
    } else {
      // Twice on one enterprise's lists: the first entry travels, the later ones are held.
      for (const r of same.slice(1)) {
        held.push({ travelerId: r.id, reason: "CONFLICT", detail: "listed twice by the same enterprise" });
        heldIds.add(r.id);
      }
    }
  }
  const pointOf = new Map<string, GeoPoint | null>();
  const travelers: EngineTraveler[] = [];
  const orgOf = new Map<string, string>();
  for (const row of rows) {
    orgOf.set(row.id, row.org_id);
    if (heldIds.has(row.id)) continue;
    let point = pointOf.get(row.destination_code);
    if (point === undefined) {
      const region = lookupRegion(row.destination_code);
      point = region ? { name: region.name, regionCode: region.code, lat: region.lat, lng: region.lng } : null;
      pointOf.set(row.destination_code, point);
    }
    if (!point) {
      held.push({ travelerId: row.id, reason: "ROUTE_INFEASIBLE", detail: `unknown destination region ${row.destination_code}` });
      continue;
    }
    travelers.push({
      id: row.id,
      orgId: row.org_id,
      destination: point,
      earliestDate: dateFromDb(row.earliest_date),
      latestDate: dateFromDb(row.latest_date),
      groupTag: row.group_tag,
      preference: row.preference,
    });
  }
  return { travelers, held, orgOf };
}

/**
 * Seats held in the published run this one starts from. Locked: the traveller was sent the
 * departure notice and nothing about them changed since (no change request still to consume).
 */
export async function loadPrevious(db: Db | Tx, baseRunId: string): Promise<PreviousAssignment[]> {
  const rows = await db.$queryRaw<{ traveler_id: string; capacity_id: string; car: string; seat: string; locked: boolean }[]>`
    SELECT a.traveler_id::text, v.capacity_id::text, a.car, a.seat,
           (EXISTS (SELECT 1 FROM notifications n
                     WHERE n.traveler_id = a.traveler_id AND n.kind = 'DEPARTURE' AND n.status IN ('ACCEPTED', 'SENT', 'DELIVERED'))
            AND NOT EXISTS (SELECT 1 FROM allocation_change_requests r
                             WHERE r.traveler_id = a.traveler_id AND r.consumed_by_run_id IS NULL)) AS locked
      FROM assignments a JOIN vehicles v ON v.id = a.vehicle_id
     WHERE a.run_id = ${baseRunId}::uuid AND a.status = 'ASSIGNED'`;
  return rows.map((r) => ({ travelerId: r.traveler_id, capacityId: r.capacity_id, car: r.car, seat: r.seat, locked: r.locked }));
}

/**
 * Writes the engine's progress to the run row, at most once per `throttleMs` (the engine hands the
 * event loop back between its steps, so the writes happen while it computes). The writes are
 * chained, so they land in order; `onWritten` (e.g. the BullMQ job's updateProgress) follows
 * each write. The engine's 100 is written as 99 (computed, being stored): 100 comes with the
 * transaction that stores the result.
 */
function progressWriter(sys: SystemContext, runId: string, throttleMs: number, onWritten?: (percent: number) => unknown) {
  let written = 0;
  let writtenAt = -Infinity;
  let pending: Promise<void> = Promise.resolve();
  return {
    report(percent: number) {
      const value = Math.max(0, Math.min(99, Math.floor(percent)));
      const now = Date.now();
      // 99 (computed) is never held back by the throttle.
      if (value <= written || (now - writtenAt < throttleMs && value !== 99)) return;
      written = value;
      writtenAt = now;
      pending = pending.then(async () => {
        try {
          await sys.db.$executeRaw`UPDATE allocation_runs SET progress = ${value} WHERE id = ${runId}::uuid AND status = 'RUNNING' AND progress < ${value}`;
          await onWritten?.(value);
        } catch (error) {
          sys.log.warn({ runId, progress: value, err: error }, "could not record allocation progress");
        }
      });
    },
    settle: () => pending,
  };
}

function mergeReport(report: QualityReport, held: HeldTraveler[]): QualityReport {
  const byReason = { ...report.unassignedByReason };
  for (const h of held) byReason[h.reason] = (byReason[h.reason] ?? 0) + 1;
  return { ...report, travelers: report.travelers + held.length, unassigned: report.unassigned + held.length, unassignedByReason: byReason };
}

async function storeResult(tx: Tx, run: { id: string; campaignId: string }, result: AllocationResult, orgOf: Map<string, string>) {
  // A retried job finds its earlier partial rows: they go first, in this same transaction.
  await tx.assignment.deleteMany({ where: { runId: run.id } });
  await tx.vehicle.deleteMany({ where: { runId: run.id } });
  const vehicleIdByCapacity = new Map<string, string>();
  const vehicles = result.vehicles.map((v) => {
    const id = crypto.randomUUID();
    vehicleIdByCapacity.set(v.capacityId, id);
    return {
      id,
      runId: run.id,
      capacityId: v.capacityId,
      campaignId: run.campaignId,
      mode: v.mode,
      label: v.label,
      departureAt: new Date(v.departureAt),
      route: v.route.map((s) => ({ name: s.name, regionCode: s.regionCode, lat: s.lat, lng: s.lng, ...(s.placeId ? { placeId: s.placeId } : {}), arriveAt: s.at, km: s.km })),
      seatsTotal: v.seatsTotal,
      seatsUsed: v.seatsUsed,
      km: v.km,
    };
  });
  for (let i = 0; i < vehicles.length; i += 2_000) await tx.vehicle.createMany({ data: vehicles.slice(i, i + 2_000) });
  // One JSON parameter per chunk, expanded by PostgreSQL: far cheaper than binding 100k values.
  for (let i = 0; i < result.assignments.length; i += INSERT_CHUNK) {
    const chunk = result.assignments.slice(i, i + INSERT_CHUNK).map((a) => {
      const vehicleId = vehicleIdByCapacity.get(a.capacityId);
      if (!vehicleId) throw new AppError("INTERNAL", { detail: `engine assigned ${a.travelerId} to capacity ${a.capacityId} without a vehicle` });
      return { v: vehicleId, t: a.travelerId, o: orgOf.get(a.travelerId), c: a.car, s: a.seat, d: a.dropStop, r: a.dropRegionCode, k: a.onwardKm };
    });
    await tx.$executeRaw`
      INSERT INTO assignments (id, run_id, vehicle_id, traveler_id, campaign_id, org_id, car, seat, drop_stop, drop_region_code, onward_km)
      SELECT gen_random_uuid(), ${run.id}::uuid, x.v, x.t, ${run.campaignId}::uuid, x.o, x.c, x.s, x.d, x.r, x.k
        FROM json_to_recordset(${JSON.stringify(chunk)}::json) AS x(v uuid, t uuid, o uuid, c text, s text, d int, r text, k float8)`;
  }
}

export interface ExecuteOptions {
  /** Whether this is the job's last attempt: only then does an unexpected error mark the run FAILED. */
  finalAttempt?: boolean;
  /** Least time between two progress writes while the engine runs (default 500 ms; 0 writes every step). */
  progressThrottleMs?: number;
  /** Called after each progress write with the value written (the job processor passes BullMQ's updateProgress). */
  onProgress?: (percent: number) => unknown;
}

export async function executeAllocationRun(sys: SystemContext, runId: string, options: ExecuteOptions = {}) {
  const { db } = sys;
  const run = await db.allocationRun.findUnique({ where: { id: runId } });
  if (!run) throw new AppError("NOT_FOUND", { detail: `allocation run ${runId}` });
  if (run.status !== "QUEUED" && run.status !== "RUNNING") {
    sys.log.info({ runId, status: run.status }, "allocation run already finished; nothing to do");
    return { status: run.status, skipped: true };
  }
  // Conditional: a delivery that lost the race to a finished one must not reopen the run.
  const claimed = await db.allocationRun.updateMany({ where: { id: runId, status: { in: ["QUEUED", "RUNNING"] } }, data: { status: "RUNNING", startedAt: new Date(), progress: 0 } });
  if (claimed.count === 0) {
    const finished = await db.allocationRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    return { status: finished.status, skipped: true };
  }
  const progress = progressWriter(sys, runId, options.progressThrottleMs ?? 500, options.onProgress);
  const startedAt = performance.now();
  try {
    const parsed = RunParametersSchema.safeParse(run.parameters ?? {});
    if (!parsed.success) {
      throw new AppError("VALIDATION_FAILED", { code: "ALLOCATION_PARAMETERS_INVALID", detail: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
    }
    const parameters = parsed.data;
    const { excludeCapacityIds, ...overrides } = parameters;
    const policy: AllocationPolicy = { ...defaultPolicy, ...overrides };
    const campaign = await db.campaign.findUniqueOrThrow({ where: { id: run.campaignId } });
    const originRegion = lookupRegion(campaign.originRegionCode);
    if (!originRegion) throw new AppError("VALIDATION_FAILED", { code: "ORIGIN_UNKNOWN", message: { zh: "活动的出发地代码无效", en: "The campaign's origin region code is unknown" } });
    const origin: GeoPoint = { name: originRegion.name, regionCode: originRegion.code, lat: originRegion.lat, lng: originRegion.lng };
    const { travelers, held, orgOf } = await loadTravelers(db, run.campaignId);
    const excluded = new Set(excludeCapacityIds ?? []);
    const capacityRows = await db.capacity.findMany({ where: { campaignId: run.campaignId, status: "ACTIVE" }, orderBy: [{ departureDate: "asc" }, { departureMinute: "asc" }, { id: "asc" }] });
    const capacities = capacityRows.filter((c) => !excluded.has(c.id)).map(toEngineCapacity);
    const previous = run.baseRunId ? await loadPrevious(db, run.baseRunId) : [];
    const heldIds = new Set(held.map((h) => h.travelerId));
    const loadedAt = performance.now();
    sys.log.info({ runId, travelers: travelers.length, held: held.length, capacities: capacities.length, previous: previous.length, loadMs: Math.round(loadedAt - startedAt) }, "allocation input loaded");

    const result = await allocateAsync({ origin, travelers, capacities, policy, previous: previous.filter((p) => !heldIds.has(p.travelerId)), onProgress: progress.report });
    await progress.settle();
    const computedAt = performance.now();

    const unassignedList: StoredUnassigned[] = [...held, ...result.unassigned].map((u) => ({ travelerId: u.travelerId, reason: u.reason, detail: u.detail }));
    const report = { ...mergeReport(result.report, held), unassignedList };
    // Seats taken away from travellers now held back count as removed.
    const removedHeld = previous.filter((p) => heldIds.has(p.travelerId)).map((p) => p.travelerId);
    const removed = [...new Set([...result.diff.removed, ...removedHeld])];
    const diffSummary = {
      added: result.diff.added.length,
      moved: result.diff.moved.length,
      removed: removed.length,
      unchanged: result.diff.unchanged,
      movedTravelers: result.diff.moved,
      removedTravelers: removed,
    };
    await db.$transaction(
      async (tx) => {
        // Two deliveries of the same job (a stalled lock) must not both write: the row lock
        // serialises them and the second finds the run finished.
        const [current] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text FROM allocation_runs WHERE id = ${runId}::uuid FOR UPDATE`;
        if (current?.status !== "RUNNING") throw new AppError("CONFLICT", { code: "ALLOCATION_RUN_FINISHED", detail: `run ${runId} is ${current?.status ?? "gone"}` });
        await storeResult(tx, { id: runId, campaignId: run.campaignId }, result, orgOf);
        await tx.allocationRun.update({
          where: { id: runId },
          data: { status: "SUCCEEDED", progress: 100, report: report as object, diffSummary: diffSummary as object, finishedAt: new Date() },
        });
      },
      { timeout: 300_000, maxWait: 10_000 },
    );
    const phases = { loadMs: Math.round(loadedAt - startedAt), computeMs: Math.round(computedAt - loadedAt), storeMs: Math.round(performance.now() - computedAt) };
    sys.log.info({ runId, assigned: result.assignments.length, unassigned: unassignedList.length, vehicles: result.vehicles.length, ...phases }, "allocation run succeeded");
    return { status: "SUCCEEDED" as const, assigned: result.assignments.length, unassigned: unassignedList.length };
  } catch (error) {
    await progress.settle();
    if (error instanceof AppError && error.code === "ALLOCATION_RUN_FINISHED") {
      sys.log.info({ runId }, "allocation run finished by another delivery of the job");
      const finished = await db.allocationRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
      return { status: finished.status, skipped: true };
    }
    // Bad stored data fails the same way on every attempt; anything else may be worth a retry.
    const deterministic = error instanceof AppError || error instanceof ZodError;
    const failure = error instanceof AppError ? { code: error.code, message: error.localised, detail: error.detail ?? null } : { code: "INTERNAL", message: { zh: "分配计算失败", en: "The allocation failed" }, detail: error instanceof Error ? error.message : String(error) };
    // Only a run still in progress is marked: never overwrite one another delivery finished.
    const unfinished = { id: runId, status: { in: ["QUEUED" as const, "RUNNING" as const] } };
    if (deterministic || options.finalAttempt !== false) {
      await db.allocationRun.updateMany({ where: unfinished, data: { status: "FAILED", failure: failure as object, finishedAt: new Date() } });
      sys.log.warn({ runId, err: error }, "allocation run failed");
      if (deterministic) return { status: "FAILED" as const, failure };
    } else {
      await db.allocationRun.updateMany({ where: unfinished, data: { failure: failure as object } });
    }
    throw error;
  }
}
