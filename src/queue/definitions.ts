// One definition per job: its queue, its payload schema (ids only — never personal data) and its
// default options. Producers and workers both read from here.
import { z } from "zod";

export const queueNames = ["maintenance", "intake", "allocation", "sms", "wages"] as const;
export type QueueName = (typeof queueNames)[number];

interface JobDefinition<S extends z.ZodType> {
  queue: QueueName;
  payload: S;
  attempts: number;
  backoffMs: number;
  /** Completed jobs kept for the dashboard, and failed ones kept for inspection. */
  keepCompleted: number;
  keepFailed: number;
}

const define = <S extends z.ZodType>(d: JobDefinition<S>) => d;

export const jobDefinitions = {
  /** Deletes expired sessions and rate-limit windows. */
  "maintenance.purge-expired": define({
    queue: "maintenance",
    payload: z.object({}),
    attempts: 3,
    backoffMs: 5_000,
    keepCompleted: 100,
    keepFailed: 500,
  }),
  /** Writes an audit entry from a job; used by tests and as the simplest outbox consumer. */
  "maintenance.audit-ping": define({
    queue: "maintenance",
    payload: z.object({ note: z.string().max(200) }),
    attempts: 3,
    backoffMs: 1_000,
    keepCompleted: 100,
    keepFailed: 500,
  }),
} as const;

export type JobName = keyof typeof jobDefinitions;
export type JobPayload<N extends JobName> = z.input<(typeof jobDefinitions)[N]["payload"]>;
