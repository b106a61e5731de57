// The producer side of the transactional outbox: call inside the transaction of the domain change.
// The relay (workers/outbox-relay.ts) moves committed rows into BullMQ with the row id as job id.
import type { DbOrTx } from "../db/types.ts";
import { jobDefinitions, type JobName, type JobPayload } from "./definitions.ts";

export async function enqueueViaOutbox<N extends JobName>(
  db: DbOrTx,
  name: N,
  payload: JobPayload<N>,
  options: { runAt?: Date } = {},
): Promise<bigint> {
  const definition = jobDefinitions[name];
  const parsed = definition.payload.parse(payload);
  const row = await db.outboxMessage.create({
    data: { queue: definition.queue, jobName: name, payload: parsed as object, runAt: options.runAt ?? null },
    select: { id: true },
  });
  return row.id;
}
