// The two statements every send runs — claim the row before calling the provider, store the SID
// the moment it answers — as set-based statements shared by all sends in flight in this process.
//
// Why: a send is otherwise two single-row autocommit UPDATEs, each one a round trip, a parse and
// plan in PostgreSQL, and a WAL flush at commit, plus Prisma's per-query work in this process. At
// hundreds of sends a second that, not the provider, is what the worker and the database spend
// their CPU on. Here calls made while a statement is running (or within the same event-loop turn)
// are gathered and run as one statement over `id = ANY($1)` / `unnest(…)`: one round trip and one
// commit for the whole group. The state machine is the same: a row is claimed only from
// PENDING/HELD without a SID and the claim is committed before the provider is called; the SID is
// written before the job completes. One id is never twice in one statement, so two jobs for the
// same notification still meet the row lock one after the other and only the first one claims it.
import type pg from "pg";
import type { Db } from "../../db/types.ts";
import type { NotificationStatus } from "../../generated/prisma/enums.ts";

/** Runs one parameterised statement; `name` lets a pg connection keep it prepared. */
export interface SqlRunner {
  query<R>(name: string, text: string, values: unknown[]): Promise<R[]>;
}

/** Plain pg with named (prepared once per connection) statements: the worker's hot path. */
export function pgRunner(pool: pg.Pool): SqlRunner {
  return {
    async query<R>(name: string, text: string, values: unknown[]) {
      return (await pool.query({ name, text, values })).rows as R[];
    },
  };
}

/** The same statements over Prisma, for callers without a pg pool (tests, scripts). */
export function prismaRunner(db: Db): SqlRunner {
  return {
    query<R>(_name: string, text: string, values: unknown[]) {
      return db.$queryRawUnsafe<R[]>(text, ...values);
    },
  };
}

export interface ClaimedRow {
  id: string;
  kind: "DEPARTURE" | "CHANGE" | "CANCELLATION" | "REMINDER" | "WAGES_RECOVERED";
  status: NotificationStatus;
  toSealed: string;
  toHash: string;
  body: string;
  reference: string;
  providerSid: string | null;
  notBefore: Date | null;
  sendingAt: Date | null;
  travelerId: string | null;
  runId: string | null;
  essential: boolean;
}

export interface AcceptedWrite {
  id: string;
  sid: string;
  provider: string;
  status: NotificationStatus;
  at: Date;
}

export interface SendStore {
  /**
   * Claims a due essential notice (departure, change, cancellation: no opt-out or seat check is
   * needed) — PENDING/HELD without a SID → SENDING, attempts + 1, sendingAt — and returns it;
   * null when the row needs the careful path (not found, not due, not essential, already claimed).
   */
  claimDue(id: string): Promise<ClaimedRow | null>;
  /** Stores the provider's SID and status; never moves a status backwards. Returns the status. */
  recordAccepted(write: AcceptedWrite): Promise<NotificationStatus>;
}

const CLAIMED_COLUMNS = `n.id, n.kind::text AS kind, n.status::text AS status, n.to_sealed AS "toSealed", n.to_hash AS "toHash", n.body,
       n.reference, n.provider_sid AS "providerSid", n.not_before AS "notBefore", n.sending_at AS "sendingAt",
       n.traveler_id AS "travelerId", n.run_id AS "runId", n.essential`;

// The rows are locked in id order (the CTE), so two processes claiming overlapping groups wait
// for each other instead of deadlocking; the conditions are checked again on the locked rows.
const CLAIM_SQL = `
  WITH due AS (
    SELECT id FROM notifications
     WHERE id = ANY($1::uuid[]) AND status IN ('PENDING', 'HELD') AND provider_sid IS NULL
       AND (not_before IS NULL OR not_before <= $2::timestamptz) AND essential
       AND kind IN ('DEPARTURE', 'CHANGE', 'CANCELLATION')
     ORDER BY id
       FOR UPDATE)
  UPDATE notifications n
     SET status = 'SENDING', attempts = n.attempts + 1, sending_at = $2::timestamptz, error_code = NULL, error_message = NULL,
         updated_at = $2::timestamptz
    FROM due
   WHERE n.id = due.id AND n.status IN ('PENDING', 'HELD') AND n.provider_sid IS NULL
  RETURNING ${CLAIMED_COLUMNS}`;

// The status webhook may have been first (it learns the SID from ?ref=): never move backwards.
const RECORD_SQL = `
  UPDATE notifications n
     SET provider_sid = COALESCE(n.provider_sid, u.sid),
         provider = u.provider,
         status = CASE WHEN n.status IN ('PENDING', 'HELD', 'SENDING') THEN u.status::"NotificationStatus" ELSE n.status END,
         accepted_at = COALESCE(n.accepted_at, u.at),
         final_at = CASE WHEN u.status IN ('DELIVERED', 'UNDELIVERED', 'FAILED') THEN COALESCE(n.final_at, u.at) ELSE n.final_at END,
         error_code = NULL, error_message = NULL, updated_at = u.at
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS u(id, sid, provider, status, at)
   WHERE n.id = u.id
  RETURNING n.id, n.status::text AS status`;

interface Pending<I, O> {
  key: string;
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Gathers calls into groups: a group starts at the end of the current event-loop turn, or when a
 * running statement finishes; at most `maxInFlight` statements run at once and a group never holds
 * the same key twice (a repeated key waits for the next group).
 */
export function createBatcher<I, O>(run: (items: I[]) => Promise<O[]>, opts: { maxBatch: number; maxInFlight: number }): (key: string, item: I) => Promise<O> {
  let waiting: Pending<I, O>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const pump = () => {
    scheduled = false;
    while (waiting.length > 0 && inFlight < opts.maxInFlight) {
      const batch: Pending<I, O>[] = [];
      const keys = new Set<string>();
      const rest: Pending<I, O>[] = [];
      for (const entry of waiting) {
        if (batch.length < opts.maxBatch && !keys.has(entry.key)) {
          keys.add(entry.key);
          batch.push(entry);
        } else rest.push(entry);
      }
      waiting = rest;
      inFlight += 1;
      run(batch.map((b) => b.item))
        .then(
          (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
          (error: unknown) => batch.forEach((b) => b.reject(error)),
        )
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };

  return (key, item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ key, item, resolve, reject });
      if (!scheduled && inFlight < opts.maxInFlight) {
        scheduled = true;
        setImmediate(pump);
      }
    });
}

export function createSendStore(runner: SqlRunner, opts: { maxBatch?: number; maxInFlight?: number } = {}): SendStore {
  const batching = { maxBatch: opts.maxBatch ?? 100, maxInFlight: opts.maxInFlight ?? 2 };

  const claim = createBatcher<string, ClaimedRow | null>(async (ids) => {
    const rows = await runner.query<ClaimedRow>("sms_claim_due", CLAIM_SQL, [ids, new Date().toISOString()]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }, batching);

  const record = createBatcher<AcceptedWrite, NotificationStatus>(async (writes) => {
    const sorted = [...writes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const rows = await runner.query<{ id: string; status: NotificationStatus }>("sms_record_accepted", RECORD_SQL, [
      sorted.map((w) => w.id),
      sorted.map((w) => w.sid),
      sorted.map((w) => w.provider),
      sorted.map((w) => w.status),
      sorted.map((w) => w.at.toISOString()),
    ]);
    const byId = new Map(rows.map((r) => [r.id, r.status]));
    return writes.map((w) => byId.get(w.id) ?? w.status);
  }, batching);

  return {
    claimDue: (id) => claim(id, id),
    recordAccepted: (write) => record(write.id, write),
  };
}
