// Moves committed outbox rows into BullMQ. Each row becomes a job whose id is "outbox-<row id>",
// so a row dispatched twice (a crash between Redis and the UPDATE) is still one job. Rows are
// claimed with FOR UPDATE SKIP LOCKED, so several relays can run side by side. The relay wakes on
// NOTIFY from the insert trigger and also polls, so nothing waits long if a notification is missed.
import type { Queue } from "bullmq";
import pg from "pg";
import type { QueueName } from "../src/queue/definitions.ts";
import { jobDefinitions, type JobName } from "../src/queue/definitions.ts";
import type { Logger } from "../src/logger.ts";
import { withTimeout } from "../src/queue/timeout.ts";

export interface OutboxRelay {
  stop(): Promise<void>;
  /** Dispatches what is pending now; resolves with the number of rows moved. */
  drain(): Promise<number>;
}

interface OutboxRow {
  id: string;
  queue: QueueName;
  job_name: string;
  payload: unknown;
  run_at: Date | null;
}

const BATCH = 500;
/** A dispatch that Redis does not answer in time is rolled back and retried (job ids dedupe). */
const ADD_TIMEOUT_MS = 10_000;

export function startOutboxRelay(opts: { databaseUrl: string; queues: Record<QueueName, Queue>; log: Logger; pollMs: number; dispatchTimeoutMs?: number }): OutboxRelay {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2 });
  pool.on("error", (error) => opts.log.warn({ err: error }, "outbox relay pool error"));
  let stopped = false;
  let wake: (() => void) | undefined;
  let listener: pg.PoolClient | undefined;

  async function dispatchBatch(): Promise<number> {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<OutboxRow>(
        `SELECT id::text, queue, job_name, payload, run_at FROM outbox_messages
         WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (rows.length === 0) {
        await client.query("COMMIT");
        return 0;
      }
      const byQueue = new Map<QueueName, OutboxRow[]>();
      for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
      try {
        for (const [queue, list] of byQueue) {
          await withTimeout(opts.queues[queue].addBulk(
            list.map((row) => {
              const definition = jobDefinitions[row.job_name as JobName];
              return {
                name: row.job_name,
                data: row.payload,
                opts: {
                  jobId: `outbox-${row.id}`,
                  delay: row.run_at ? Math.max(0, row.run_at.getTime() - Date.now()) : undefined,
                  attempts: definition?.attempts ?? 5,
                  backoff: { type: "exponential", delay: definition?.backoffMs ?? 2_000 },
                  removeOnComplete: definition?.keepCompleted ?? 1_000,
                  removeOnFail: definition?.keepFailed ?? 5_000,
                },
              };
            }),
          ), opts.dispatchTimeoutMs ?? ADD_TIMEOUT_MS, "outbox dispatch");
        }
      } catch (error) {
        await client.query("ROLLBACK");
        await client.query(
          "UPDATE outbox_messages SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])",
          [rows.map((r) => r.id), (error as Error).message.slice(0, 500)],
        );
        throw error;
      }
      await client.query("UPDATE outbox_messages SET dispatched_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])", [rows.map((r) => r.id)]);
      await client.query("COMMIT");
      return rows.length;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await dispatchBatch();
      total += moved;
      if (moved < BATCH) return total;
    }
  }

  async function listen() {
    try {
      listener = await pool.connect();
      await listener.query("LISTEN homeward_outbox");
      listener.on("notification", () => wake?.());
    } catch (error) {
      opts.log.warn({ err: error }, "outbox relay could not LISTEN; polling only");
    }
  }

  const loop = (async () => {
    await listen();
    let backoff = opts.pollMs;
    while (!stopped) {
      try {
        await drain();
        backoff = opts.pollMs;
      } catch (error) {
        opts.log.warn({ err: error }, "outbox dispatch failed; will retry");
        backoff = Math.min(backoff * 2, 10_000);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  return {
    drain,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      listener?.release();
      await pool.end();
    },
  };
}
