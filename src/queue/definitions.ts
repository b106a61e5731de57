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
  /** Imports an uploaded group-list file (resumes after its checkpoint when retried). */
  "intake.import": define({
    queue: "intake",
    payload: z.object({ importId: z.uuid() }),
    attempts: 5,
    backoffMs: 5_000,
    keepCompleted: 200,
    keepFailed: 500,
  }),
  /** Computes an allocation run (idempotent: a retry rewrites the run's rows in one transaction). */
  "allocation.run": define({
    queue: "allocation",
    payload: z.object({ runId: z.uuid() }),
    attempts: 3,
    backoffMs: 10_000,
    keepCompleted: 100,
    keepFailed: 500,
  }),
  /**
   * Sends one notification (exactly once: the service's state machine guards re-delivery). The job
   * id is the notification id, so the same notification is never queued twice while its job exists.
   */
  "sms.send": define({
    queue: "sms",
    payload: z.object({ notificationId: z.uuid() }),
    attempts: 12,
    backoffMs: 2_000,
    keepCompleted: 1_000,
    keepFailed: 10_000,
  }),
  /** Enqueues the send jobs of a published allocation run (bulk, delayed for held messages). */
  "sms.fan-out": define({
    queue: "sms",
    payload: z.object({ runId: z.uuid() }),
    attempts: 10,
    backoffMs: 2_000,
    keepCompleted: 100,
    keepFailed: 500,
  }),
  /** Hourly: marks overdue wage cases escalated (once), with a notice to their district and the city. */
  "wages.escalate-overdue": define({
    queue: "wages",
    payload: z.object({}),
    attempts: 3,
    backoffMs: 10_000,
    keepCompleted: 100,
    keepFailed: 500,
  }),
  /** Every minute: re-enqueues notifications whose job was lost (see findStuckNotifications). */
  "sms.sweep": define({
    queue: "sms",
    payload: z.object({}),
    attempts: 1,
    backoffMs: 1_000,
    keepCompleted: 20,
    keepFailed: 100,
  }),
  /** Written in the wage payment's transaction: tells the paid workers their wages were recovered. */
  "sms.wages-recovered": define({
    queue: "sms",
    payload: z.object({ caseId: z.uuid(), paymentId: z.uuid() }),
    attempts: 10,
    backoffMs: 2_000,
    keepCompleted: 100,
    keepFailed: 500,
  }),
} as const;

export type JobName = keyof typeof jobDefinitions;
export type JobPayload<N extends JobName> = z.input<(typeof jobDefinitions)[N]["payload"]>;
