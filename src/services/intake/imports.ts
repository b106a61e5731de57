// File imports of group lists. The API seals the upload in 48 KiB chunks and queues the job
// (outbox → BullMQ "intake.import"); the worker streams the rows back out of the sealed chunks,
// validates them and commits them in batches, each batch together with the job's checkpoint, so a
// worker that dies is resumed after the last committed row: no row lost, none doubled.
import { createHash } from "node:crypto";
import { assertAllowed, assertInSubtree } from "../../auth/policy.ts";
import { AppError, notFound } from "../../errors.ts";
import type { Pool } from "pg";
import type { DbOrTx } from "../../db/types.ts";
import { IntakeFileError } from "../../intake/files/file-error.ts";
import { buildRejectedRowsXlsx, type RejectedRow } from "../../intake/files/rejected-rows-xlsx.ts";
import type { CellValue } from "../../intake/files/sheet-row.ts";
import type { HeaderMapping } from "../../intake/headers.ts";
import { findDuplicatesInList, validateRow, type RowError } from "../../intake/validate-row.ts";
import { enqueueViaOutbox } from "../../queue/outbox.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext, SystemContext } from "../context.ts";
import { dateFromDb } from "../dates.ts";
import { findConflicts } from "./conflicts.ts";
import { listFileKind, openListFile, sheetRows } from "./list-file.ts";
import {
  assertCampaignOpen,
  callerCity,
  copyTravelers,
  loadCampaignRules,
  preferenceOfMode,
  TravelerCopyRows,
} from "./rows.ts";
import { LIST_OWNER_ACCESS, type ListMode } from "./ticket-lists.ts";

/** The upload is held sealed in chunks of this size. Small enough that every buffer and string the
 * ORM and pg make of one (its base64 and hex forms) is an ordinary young object that dies young: with
 * 1 MiB chunks each of those went to V8's large-object space: the upload of an 85 MB file peaked at
 * 570 MB RSS and left ~130 MB of garbage in the old generation through the import that followed. */
export const CHUNK_BYTES = 48 * 1024;
export const DEFAULT_BATCH_ROWS = 5000;
/** import_rejected_rows row 0 holds the file's header cells (sealed), for the rejected-rows file. */
const HEADER_ROW = 0;

type JobRow = {
  id: string;
  campaignId: string;
  orgId: string;
  listId: string;
  mode: ListMode;
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "REJECTED" | "FAILED";
  fileName: string | null;
  fileKind: string;
  sheetName: string | null;
  fileBytes: number;
  rowsTotal: number | null;
  rowsDone: number;
  rowsCommitted: number;
  errorCount: number;
  checkpointRow: number;
  attempts: number;
  failure: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

export function presentImportJob(job: JobRow, now = new Date()) {
  const seconds = job.startedAt ? ((job.finishedAt ?? now).getTime() - job.startedAt.getTime()) / 1000 : 0;
  return {
    id: job.id,
    campaignId: job.campaignId,
    orgId: job.orgId,
    listId: job.listId,
    mode: job.mode,
    status: job.status,
    fileName: job.fileName,
    fileKind: job.fileKind,
    sheetName: job.sheetName,
    fileBytes: job.fileBytes,
    rowsTotal: job.rowsTotal,
    rowsDone: job.rowsDone,
    rowsCommitted: job.rowsCommitted,
    errorCount: job.errorCount,
    rowsPerSec: seconds > 0 ? Math.round(job.rowsDone / seconds) : 0,
    attempts: job.attempts,
    failure: (job.failure ?? null) as { code: string; message: { zh: string; en: string } } | null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

// ───────────────────────────── upload ─────────────────────────────

const INSERT_CHUNK_SQL = `INSERT INTO import_file_chunks (import_id, seq, sealed) VALUES ($1::uuid, $2, $3)`;

export interface StartImportInput {
  bytes: Uint8Array;
  fileName?: string;
  mode?: ListMode;
  sheetName?: string;
  title?: string;
}

export async function startImport(ctx: ServiceContext, campaignId: string, input: StartImportInput, idempotencyKey?: string) {
  assertAllowed(ctx.principal, LIST_OWNER_ACCESS);
  const rules = await loadCampaignRules(ctx.db, campaignId, callerCity(ctx.principal));
  const kind = listFileKind(input.bytes.subarray(0, 16));
  const sha = createHash("sha256").update(input.bytes).digest("hex");
  const orgId = ctx.principal.orgId;

  const earlier = idempotencyKey
    ? await ctx.db.importJob.findFirst({ where: { orgId, campaignId, idempotencyKey } })
    : await ctx.db.importJob.findFirst({ where: { orgId, campaignId, fileSha256: sha, list: { status: { not: "WITHDRAWN" } } }, orderBy: { createdAt: "asc" } });
  if (earlier) {
    if (earlier.fileSha256 !== sha) {
      throw new AppError("CONFLICT", { code: "IDEMPOTENCY_KEY_REUSED", message: { zh: "该 Idempotency-Key 已用于另一个文件", en: "This Idempotency-Key was used for a different file" } });
    }
    return { job: presentImportJob(earlier), replayed: true };
  }
  assertCampaignOpen(rules);

  const mode = input.mode ?? "ALL_OR_NOTHING";
  const job = await ctx.db.$transaction(async (tx) => {
    const list = await tx.ticketList.create({
      data: {
        campaignId,
        orgId,
        title: input.title ?? input.fileName ?? `${ctx.principal.orgName} 返乡名单`,
        status: "DRAFT",
        contentHash: sha,
        createdBy: ctx.principal.actorLabel,
      },
    });
    const created = await tx.importJob.create({
      data: {
        campaignId,
        orgId,
        listId: list.id,
        mode,
        fileName: input.fileName ?? null,
        fileKind: kind,
        sheetName: input.sheetName ?? null,
        fileBytes: input.bytes.byteLength,
        fileSha256: sha,
        idempotencyKey: idempotencyKey ?? null,
        createdBy: ctx.principal.actorLabel,
      },
    });
    for (let seq = 0, offset = 0; offset < input.bytes.byteLength; seq++, offset += CHUNK_BYTES) {
      const plain = Buffer.from(input.bytes.buffer, input.bytes.byteOffset + offset, Math.min(CHUNK_BYTES, input.bytes.byteLength - offset));
      // A raw insert with the bytes as a parameter: the model's `create` spent more CPU on its
      // conversions of a Bytes value than sealing it did (25.5 MB upload 6.7 s → 1.5 s).
      await tx.$executeRawUnsafe(INSERT_CHUNK_SQL, created.id, seq, ctx.pii.sealBytes(plain));
    }
    await enqueueViaOutbox(tx, "intake.import", { importId: created.id });
    await recordAudit(tx, ctx, {
      action: "ticket_list.import_start",
      entityType: "import_job",
      entityId: created.id,
      campaignId,
      details: { listId: list.id, fileKind: kind, fileBytes: input.bytes.byteLength, mode },
    });
    return created;
  }, { timeout: 120_000, maxWait: 30_000 });
  ctx.log.info({ importId: job.id, fileKind: kind, fileBytes: input.bytes.byteLength }, "import queued");
  return { job: presentImportJob(job), replayed: false };
}

// ───────────────────────────── read ─────────────────────────────

async function visibleJob(ctx: ServiceContext, id: string) {
  const job = await ctx.db.importJob.findUnique({ where: { id } });
  if (!job) throw notFound();
  const org = await ctx.db.organisation.findUnique({ where: { id: job.orgId }, select: { path: true } });
  assertInSubtree(ctx.principal, org?.path);
  return job;
}

export async function getImportJob(ctx: ServiceContext, id: string) {
  const job = await visibleJob(ctx, id);
  const rejected = await ctx.db.importRejectedRow.findMany({ where: { importId: id, rowNumber: { gt: HEADER_ROW } }, orderBy: { rowNumber: "asc" }, take: 200, select: { rowNumber: true, errors: true } });
  const conflicts = job.status === "SUCCEEDED" ? await findConflicts(ctx.db, ctx.principal, job.campaignId, { listId: job.listId }) : [];
  return {
    ...presentImportJob(job),
    rejectedRows: rejected.map((r) => ({ row: r.rowNumber, errors: r.errors as unknown as Omit<RowError, "field">[] })),
    conflicts,
  };
}

/** The rejected rows as an .xlsx with an error column, to fix and upload again. It holds the
 * rows as uploaded (full numbers), so only the enterprise that uploaded it may download it, and
 * each download is audited. */
export async function importRejectedRowsXlsx(ctx: ServiceContext, id: string): Promise<{ fileName: string; bytes: Buffer }> {
  assertAllowed(ctx.principal, LIST_OWNER_ACCESS);
  const job = await visibleJob(ctx, id);
  if (job.orgId !== ctx.principal.orgId) throw notFound();
  const rows = await ctx.db.importRejectedRow.findMany({ where: { importId: id }, orderBy: { rowNumber: "asc" } });
  const header = rows.find((r) => r.rowNumber === HEADER_ROW);
  const headers = header ? (JSON.parse(ctx.pii.open(header.cellsSealed)) as CellValue[]) : [];
  const rejected: RejectedRow[] = rows
    .filter((r) => r.rowNumber !== HEADER_ROW)
    .map((r) => ({ rowNumber: r.rowNumber, record: JSON.parse(ctx.pii.open(r.cellsSealed)) as CellValue[], errors: r.errors as unknown as RowError[] }));
  await recordAudit(ctx.db, ctx, { action: "import.rejected_rows_download", entityType: "import_job", entityId: id, campaignId: job.campaignId, details: { rows: rejected.length } });
  return { fileName: `rejected-rows-${id.slice(0, 8)}.xlsx`, bytes: await buildRejectedRowsXlsx(headers, rejected) };
}

// ───────────────────────────── the import job ─────────────────────────────

export interface RunImportOptions {
  batchRows?: number;
  /** A pg pool on the same database: chunks are read and batches committed over plain pg with
   * `COPY … FROM STDIN` (far faster than the ORM's raw-query path, and far less garbage), each after
   * moving the job's checkpoint from exactly where the batch continues. */
  pool: Pool;
  /** Called after each committed batch; tests throw from it to play a worker dying mid-import. */
  afterBatch?: (progress: { checkpointRow: number; rowsCommitted: number }) => void | Promise<void>;
}

const CHUNK_SQL = `SELECT sealed FROM import_file_chunks WHERE import_id = $1::uuid AND seq = $2`;

/** The upload's plaintext, one chunk at a time. Over plain pg: the ORM's driver adapter converts
 * each chunk between hex, base64 and bytes on the way, which cost about as much CPU as parsing the
 * CSV inside it. */
async function* sealedChunks(ctx: SystemContext, importId: string, pool: Pool): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const result = await pool.query<{ sealed: Buffer }>(CHUNK_SQL, [importId, seq]);
    const sealed = result.rows[0]?.sealed;
    if (!sealed) return;
    yield ctx.pii.openBytes(sealed);
  }
}

class RejectedColumns {
  rowNumber: number[] = [];
  cellsSealed: string[] = [];
  errors: string[] = [];
  push(pii: SystemContext["pii"], rowNumber: number, cells: readonly CellValue[], errors: readonly RowError[]) {
    this.rowNumber.push(rowNumber);
    this.cellsSealed.push(pii.seal(JSON.stringify(cells)));
    this.errors.push(JSON.stringify(errors));
  }
  get length() {
    return this.rowNumber.length;
  }
}

const INSERT_REJECTED_SQL = `INSERT INTO import_rejected_rows (import_id, row_number, cells_sealed, errors)
  SELECT $1::uuid, u.n, u.c, u.e::jsonb FROM unnest($2::int[], $3::text[], $4::text[]) AS u(n, c, e)
  ON CONFLICT (import_id, row_number) DO NOTHING`;

async function insertRejected(db: DbOrTx, importId: string, r: RejectedColumns) {
  if (r.length === 0) return;
  await db.$executeRawUnsafe(INSERT_REJECTED_SQL, importId, r.rowNumber, r.cellsSealed, r.errors);
}

interface Batch {
  /** The valid rows as COPY text. */
  travelers: TravelerCopyRows;
  rejected: RejectedColumns;
  /** The checkpoint the batch continues from (its rows all come after it). */
  previousRow: number;
  lastRow: number;
  rowsDone: number;
  errorCount: number;
}

const CHECKPOINT_SQL = `UPDATE import_jobs SET checkpoint_row = $2, rows_done = $3, rows_committed = $4, error_count = $5 WHERE id = $1::uuid`;
const CHECKPOINT_FROM_SQL = `${CHECKPOINT_SQL} AND checkpoint_row = $6 AND status = 'RUNNING'`;

/** One batch, its rejected rows and the job's checkpoint in one transaction; returns rows inserted. */
async function commitBatch(pool: Pool, importId: string, batch: Batch, committedBefore: number) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // The checkpoint first, and only from where this batch continues: the row lock makes a second
    // worker on the same job (a stalled job delivered twice) wait, then find the checkpoint moved
    // and stop, so the COPY below never sees a row twice.
    const moved = await client.query(CHECKPOINT_FROM_SQL, [importId, batch.lastRow, batch.rowsDone, committedBefore + batch.travelers.length, batch.errorCount, batch.previousRow]);
    // A plain Error on purpose: runImport re-throws it (the delivery fails and is retried, and
    // the retry resumes from the real checkpoint) instead of treating it as an unreadable file,
    // which would fail the job and delete the rows the other worker committed.
    if (moved.rowCount !== 1) throw new Error(`import ${importId}: checkpoint is no longer ${batch.previousRow}; another worker moved it`);
    const count = await copyTravelers(client, batch.travelers);
    if (batch.rejected.length > 0) {
      await client.query(INSERT_REJECTED_SQL, [importId, batch.rejected.rowNumber, batch.rejected.cellsSealed, batch.rejected.errors]);
    }
    await client.query("COMMIT");
    return count;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const failureOf = (error: unknown) =>
  error instanceof AppError ? { code: error.code, message: error.localised } : { code: "IMPORT_FAILED", message: { zh: "导入失败，请重新上传", en: "The import failed; upload again" } };

/** Runs (or resumes) one import to its end. Returns the job as getImportJob shows it. */
export async function runImport(ctx: SystemContext, importId: string, options: RunImportOptions) {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const found = await ctx.db.importJob.findUnique({ where: { id: importId } });
  if (!found) return undefined;
  if (found.status === "SUCCEEDED" || found.status === "REJECTED" || found.status === "FAILED") return presentImportJob(found);
  // Conditional, so that a second delivery arriving just as the first finishes cannot set a
  // finished job back to RUNNING.
  const claimed = await ctx.db.importJob.updateMany({
    where: { id: importId, status: { in: ["QUEUED", "RUNNING"] } },
    data: { status: "RUNNING", attempts: { increment: 1 }, startedAt: found.startedAt ?? new Date() },
  });
  let job = await ctx.db.importJob.findUniqueOrThrow({ where: { id: importId } });
  if (claimed.count === 0) return presentImportJob(job);
  const target = { listId: job.listId, campaignId: job.campaignId, orgId: job.orgId };
  const log = ctx.log.child({ importId, listId: job.listId });
  const rules = await loadCampaignRules(ctx.db, job.campaignId);

  let mapping: HeaderMapping;
  let rowsDone = job.rowsDone;
  let rowsCommitted = job.rowsCommitted;
  let errorCount = job.errorCount;
  let checkpoint = job.checkpointRow;
  let inflight: Promise<void> = Promise.resolve();
  try {
    const file = await openListFile(
      sheetRows(job.fileKind === "xlsx" ? "xlsx" : "csv", sealedChunks(ctx, importId, options.pool), { sheetName: job.sheetName ?? undefined, maxBytes: Number.MAX_SAFE_INTEGER }),
    );
    mapping = file.mapping;
    const rowContext = { ...rules.rowContext, headerByField: mapping.headerByField };
    if (checkpoint === 0) {
      const header = new RejectedColumns();
      header.push(ctx.pii, HEADER_ROW, file.headers, []);
      await insertRejected(ctx.db, importId, header);
    }
    const newTravelers = () => new TravelerCopyRows(target);
    let travelers = newTravelers();
    let rejected = new RejectedColumns();
    let pending = 0;
    let lastRow = checkpoint;
    let handedLastRow = checkpoint;
    // Rows and errors handed to commits so far; the database's copy moves with each commit.
    let handedRows = rowsDone;
    let handedErrors = errorCount;
    // One commit in flight while the next batch is read and validated, so that parsing and
    // sealing overlap with PostgreSQL's work; commits still happen one at a time, in order.
    const handOff = async () => {
      const batch: Batch = { travelers, rejected, previousRow: handedLastRow, lastRow, rowsDone: handedRows + pending, errorCount: handedErrors + rejected.length };
      handedLastRow = lastRow;
      handedRows = batch.rowsDone;
      handedErrors = batch.errorCount;
      travelers = newTravelers();
      rejected = new RejectedColumns();
      pending = 0;
      await inflight;
      const commit = (async () => {
        const inserted = await commitBatch(options.pool, importId, batch, rowsCommitted);
        rowsCommitted += inserted;
        rowsDone = batch.rowsDone;
        errorCount = batch.errorCount;
        checkpoint = batch.lastRow;
        log.debug({ checkpointRow: checkpoint, rowsDone, rowsCommitted, errorCount }, "import batch committed");
        await options.afterBatch?.({ checkpointRow: checkpoint, rowsCommitted });
      })();
      commit.catch(() => undefined); // surfaces at the next await of `inflight`
      inflight = commit;
    };
    for await (const row of file.rows) {
      if (row.rowNumber <= checkpoint) continue;
      const result = validateRow(row.record, rowContext);
      if (result.ok) {
        // All-or-nothing stops storing rows at the first invalid one: they would be deleted anyway.
        if (job.mode === "ACCEPT_VALID" || handedErrors + rejected.length === 0) travelers.push(ctx.pii, row.rowNumber, result.value);
      } else {
        rejected.push(ctx.pii, row.rowNumber, row.cells, result.errors);
      }
      pending++;
      lastRow = row.rowNumber;
      if (pending >= batchRows) await handOff();
    }
    if (pending > 0) await handOff();
    await inflight;
  } catch (error) {
    await inflight.catch(() => undefined);
    if (!(error instanceof IntakeFileError) && !(error instanceof AppError && error.status < 500)) throw error;
    // A file that cannot be read (found at its header or halfway): nothing of it stays.
    log.warn({ code: (error as AppError).code }, "import failed: unreadable file");
    job = await ctx.db.$transaction(async (tx) => {
      // Only while the job is still where this worker left it: a second delivery that finds the
      // chunks gone because another worker has just finished the job must not undo that work.
      const owned = await tx.importJob.updateMany({
        where: { id: importId, status: "RUNNING", checkpointRow: checkpoint },
        data: { status: "FAILED", failure: failureOf(error) as object, finishedAt: new Date(), rowsCommitted: 0 },
      });
      if (owned.count === 1) {
        await tx.traveler.deleteMany({ where: { listId: job.listId } });
        await tx.importFileChunk.deleteMany({ where: { importId } });
      }
      return tx.importJob.findUniqueOrThrow({ where: { id: importId } });
    });
    return presentImportJob(job);
  }

  const finished = await finishImport(ctx, importId, mapping, { rowsDone, errorCount, checkpoint });
  if (!finished.byThisWorker) {
    log.info({ status: finished.job.status }, "import finished by another worker");
    return presentImportJob(finished.job);
  }
  job = finished.job;
  log.info({ status: job.status, rowsDone: job.rowsDone, rowsCommitted: job.rowsCommitted, errors: job.errorCount }, "import finished");
  return presentImportJob(job);
}

/** The end of an import: the same person twice in the file, then keep or drop, in one transaction.
 * Done only by a worker that finds the job RUNNING at the checkpoint it reached itself (the row
 * lock makes two deliveries that both reached the end take turns: the second finds it finished). */
async function finishImport(
  ctx: SystemContext,
  importId: string,
  mapping: HeaderMapping,
  counts: { rowsDone: number; errorCount: number; checkpoint: number },
) {
  return ctx.db.$transaction(
    async (tx) => {
      await tx.$queryRawUnsafe(`SELECT 1 FROM import_jobs WHERE id = $1::uuid FOR UPDATE`, importId);
      const job = await tx.importJob.findUniqueOrThrow({ where: { id: importId } });
      if (job.status !== "RUNNING" || job.checkpointRow !== counts.checkpoint) return { job, byThisWorker: false };
      const groups = await tx.$queryRawUnsafe<{ rows: number[] }[]>(
        `SELECT array_agg(row_number ORDER BY row_number) AS rows FROM travelers WHERE list_id = $1::uuid GROUP BY id_hash HAVING count(*) > 1`,
        job.listId,
      );
      const duplicateRows = groups.flatMap((g) => g.rows);
      let errorCount = counts.errorCount;
      if (duplicateRows.length > 0) {
        const stored = await tx.traveler.findMany({ where: { listId: job.listId, rowNumber: { in: duplicateRows } } });
        const byRow = new Map(stored.map((t) => [t.rowNumber, t]));
        const rejected = new RejectedColumns();
        for (const group of groups) {
          const errors = findDuplicatesInList(group.rows.map((rowNumber) => ({ rowNumber, idNumber: byRow.get(rowNumber)!.idMasked })), mapping.headerByField);
          for (const [rowNumber, error] of errors) {
            const t = byRow.get(rowNumber)!;
            const values: Record<string, CellValue> = {
              name: t.name,
              idNumber: ctx.pii.open(t.idSealed),
              mobile: ctx.pii.open(t.mobileSealed),
              destination: t.destinationText ?? t.destinationCode,
              earliestDate: dateFromDb(t.earliestDate),
              latestDate: dateFromDb(t.latestDate),
              group: t.groupTag,
              preference: preferenceOfMode(t.preference),
              remark: t.remark,
            };
            rejected.push(ctx.pii, rowNumber, mapping.fieldByColumn.map((f) => (f ? (values[f] ?? null) : null)), [error]);
          }
        }
        await insertRejected(tx, importId, rejected);
        await tx.traveler.deleteMany({ where: { listId: job.listId, rowNumber: { in: duplicateRows } } });
        errorCount += duplicateRows.length;
      }
      const keep = job.mode === "ACCEPT_VALID" || errorCount === 0;
      if (!keep) await tx.traveler.deleteMany({ where: { listId: job.listId } });
      const kept = keep ? await tx.traveler.count({ where: { listId: job.listId } }) : 0;
      const status = kept > 0 ? "SUCCEEDED" : "REJECTED";
      await tx.ticketList.update({ where: { id: job.listId }, data: { status: status === "SUCCEEDED" ? "SUBMITTED" : "DRAFT", travelerCount: kept } });
      await tx.importFileChunk.deleteMany({ where: { importId } });
      const finished = await tx.importJob.update({
        where: { id: importId },
        data: { status, rowsTotal: counts.rowsDone, rowsDone: counts.rowsDone, rowsCommitted: kept, errorCount, finishedAt: new Date() },
      });
      await recordAudit(tx, { requestId: ctx.requestId }, {
        action: status === "SUCCEEDED" ? "ticket_list.import_succeeded" : "ticket_list.import_rejected",
        entityType: "import_job",
        entityId: importId,
        orgId: job.orgId,
        campaignId: job.campaignId,
        details: { listId: job.listId, rows: counts.rowsDone, travelers: kept, rejectedRows: errorCount, mode: job.mode },
      });
      return { job: finished, byThisWorker: true };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
