// What the list services share: the campaign's row rules, validation of a batch of records, the
// sealed/hashed/masked form a traveller is stored in, and the one bulk insert (unnest) used by
// JSON submissions, amendments and file imports alike.
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Client, PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { rootOrgId } from "../../auth/principal.ts";
import { AppError, notFound, type FieldProblem } from "../../errors.ts";
import type { DbOrTx } from "../../db/types.ts";
import { FIELD_LABELS, type CanonicalField } from "../../intake/headers.ts";
import { maskIdNumber, maskMobile } from "../../intake/fields/masking.ts";
import type { TransportPreference } from "../../intake/fields/preference.ts";
import { findDuplicatesInList, validateRow, type RawTravelerRecord, type RowContext, type RowError, type TravelerRow } from "../../intake/validate-row.ts";
import type { PiiVault } from "../../pii/vault.ts";
import { dateFromDb } from "../dates.ts";

export interface CampaignRules {
  id: string;
  cityOrgId: string;
  status: "DRAFT" | "OPEN" | "CLOSED";
  rowContext: RowContext;
}

export const todayInShanghai = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The campaign if it is in the caller's city (404 otherwise), with the rules rows are checked by. */
export async function loadCampaignRules(db: DbOrTx, campaignId: string, cityOrgId?: string): Promise<CampaignRules> {
  const campaign = await db.campaign.findUnique({ where: { id: campaignId } });
  if (!campaign || (cityOrgId !== undefined && campaign.cityOrgId !== cityOrgId)) throw notFound();
  return {
    id: campaign.id,
    cityOrgId: campaign.cityOrgId,
    status: campaign.status,
    rowContext: {
      window: { start: dateFromDb(campaign.departureStart), end: dateFromDb(campaign.departureEnd) },
      today: todayInShanghai(),
    },
  };
}

export const callerCity = (principal: { orgPath: string }) => rootOrgId(principal);

export function assertCampaignOpen(rules: CampaignRules) {
  if (rules.status !== "OPEN") {
    throw new AppError("CONFLICT", {
      code: "CAMPAIGN_NOT_OPEN",
      message: { zh: "活动未开放，暂不能提交或修改名单", en: "The campaign is not open for lists" },
    });
  }
}

/** One row's problems as the API reports them: the row, the column as written, a code, zh+en. */
export interface RowProblem {
  row: number;
  column: string;
  field: CanonicalField;
  code: string;
  message: { zh: string; en: string };
}

export const rowProblems = (row: number, errors: readonly RowError[]): RowProblem[] =>
  errors.map((e) => ({ row, column: e.column, field: e.field, code: e.code, message: e.message }));

export const asFieldProblems = (problems: readonly RowProblem[]): FieldProblem[] =>
  problems.map((p) => ({ path: `rows[${p.row}].${p.field}`, code: p.code, message: { zh: `第 ${p.row} 行【${p.column}】${p.message.zh}`, en: `Row ${p.row} [${p.column}]: ${p.message.en}` } }));

export interface ValidatedBatch {
  valid: { rowNumber: number; value: TravelerRow }[];
  /** Row number → its errors (rows with at least one). */
  invalid: Map<number, RowError[]>;
}

/**
 * Validates numbered records and flags the same person twice among them. `existingIds` are the
 * ID numbers already on the list (amend), which count as duplicates too.
 */
export function validateRecords(
  records: readonly { rowNumber: number; record: RawTravelerRecord }[],
  rules: RowContext,
  headerByField?: Partial<Record<CanonicalField, string>>,
): ValidatedBatch {
  const ctx = headerByField ? { ...rules, headerByField } : rules;
  const valid: ValidatedBatch["valid"] = [];
  const invalid = new Map<number, RowError[]>();
  for (const { rowNumber, record } of records) {
    const result = validateRow(record, ctx);
    if (result.ok) valid.push({ rowNumber, value: result.value });
    else invalid.set(rowNumber, result.errors);
  }
  const duplicates = findDuplicatesInList(valid.map((v) => ({ rowNumber: v.rowNumber, idNumber: v.value.idNumber })), headerByField);
  if (duplicates.size > 0) {
    for (const [rowNumber, error] of duplicates) invalid.set(rowNumber, [error]);
    return { valid: valid.filter((v) => !duplicates.has(v.rowNumber)), invalid };
  }
  return { valid, invalid };
}

export const PREFERENCE_TO_MODE: Record<TransportPreference, "BUS" | "SPECIAL_TRAIN" | "FLIGHT" | null> = {
  bus: "BUS",
  rail: "SPECIAL_TRAIN",
  air: "FLIGHT",
  any: null,
};

export function preferenceOfMode(mode: string | null): TransportPreference {
  if (mode === "BUS") return "bus";
  if (mode === "FLIGHT") return "air";
  if (mode === "SPECIAL_TRAIN" || mode === "RESERVED_CARRIAGE" || mode === "GROUP_TICKET") return "rail";
  return "any";
}

/** Column arrays for one `INSERT … SELECT FROM unnest(…)`: a traveller as it is stored. */
export class TravelerColumns {
  rowNumber: number[] = [];
  name: string[] = [];
  idSealed: string[] = [];
  idHash: string[] = [];
  idMasked: string[] = [];
  mobileSealed: string[] = [];
  mobileHash: string[] = [];
  mobileMasked: string[] = [];
  gender: string[] = [];
  birthDate: string[] = [];
  destinationCode: string[] = [];
  destinationText: string[] = [];
  earliestDate: string[] = [];
  latestDate: string[] = [];
  groupTag: (string | null)[] = [];
  preference: (string | null)[] = [];
  remark: (string | null)[] = [];

  get length() {
    return this.rowNumber.length;
  }

  push(pii: PiiVault, rowNumber: number, row: TravelerRow) {
    this.rowNumber.push(rowNumber);
    this.name.push(row.name);
    this.idSealed.push(pii.seal(row.idNumber));
    this.idHash.push(pii.hash(row.idNumber));
    this.idMasked.push(maskIdNumber(row.idNumber));
    this.mobileSealed.push(pii.seal(row.mobile));
    this.mobileHash.push(pii.hash(row.mobile));
    this.mobileMasked.push(maskMobile(row.mobile));
    this.gender.push(row.sex);
    this.birthDate.push(row.birthDate);
    this.destinationCode.push(row.destination.code);
    this.destinationText.push(row.destination.fullName);
    this.earliestDate.push(row.earliestDate);
    this.latestDate.push(row.latestDate);
    this.groupTag.push(row.group);
    this.preference.push(PREFERENCE_TO_MODE[row.preference]);
    this.remark.push(row.remark);
  }
}

/** One batch of travellers in one statement; a row number already on the list is skipped. */
export const INSERT_TRAVELERS_SQL = `INSERT INTO travelers (id, list_id, campaign_id, org_id, row_number, name, id_sealed, id_hash, id_masked,
    mobile_sealed, mobile_hash, mobile_masked, gender, birth_date, destination_code, destination_text,
    earliest_date, latest_date, group_tag, preference, remark, updated_at)
  SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, u.*, now()
    FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                $12::text[], $13::date[], $14::text[], $15::text[], $16::date[], $17::date[], $18::text[],
                $19::"TransportMode"[], $20::text[]) AS u
  ON CONFLICT (list_id, row_number) DO NOTHING`;

export function insertTravelersParams(target: { listId: string; campaignId: string; orgId: string }, c: TravelerColumns): unknown[] {
  return [
    target.listId,
    target.campaignId,
    target.orgId,
    c.rowNumber,
    c.name,
    c.idSealed,
    c.idHash,
    c.idMasked,
    c.mobileSealed,
    c.mobileHash,
    c.mobileMasked,
    c.gender,
    c.birthDate,
    c.destinationCode,
    c.destinationText,
    c.earliestDate,
    c.latestDate,
    c.groupTag,
    c.preference,
    c.remark,
  ];
}

/**
 * Inserts the travellers of one batch. A row number already on the list is skipped, so a retried
 * import batch never doubles a row. Returns the rows inserted.
 */
export async function insertTravelers(db: DbOrTx, target: { listId: string; campaignId: string; orgId: string }, c: TravelerColumns): Promise<number> {
  if (c.length === 0) return 0;
  return db.$executeRawUnsafe(INSERT_TRAVELERS_SQL, ...insertTravelersParams(target, c));
}

/** The same columns as INSERT_TRAVELERS_SQL, for `COPY … FROM STDIN` (text format). */
export const COPY_TRAVELERS_SQL = `COPY travelers (id, list_id, campaign_id, org_id, row_number, name, id_sealed, id_hash, id_masked,
    mobile_sealed, mobile_hash, mobile_masked, gender, birth_date, destination_code, destination_text,
    earliest_date, latest_date, group_tag, preference, remark, updated_at) FROM STDIN`;

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
/** One value in COPY's text format: \N for null, backslash, tab and line breaks escaped. */
export function copyField(value: string | number | null): string {
  if (value === null) return "\\N";
  if (typeof value === "number") return String(value);
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

const COPY_CHUNK_BYTES = 256 * 1024;
/** Chunks of committed batches, reused by the next ones (see TravelerCopyRows). */
const spareChunks: Buffer[] = [];
const SPARE_CHUNKS_MAX = 64;
const takeChunk = () => spareChunks.pop() ?? Buffer.allocUnsafe(COPY_CHUNK_BYTES);

/**
 * One batch of travellers for `COPY … FROM STDIN`, written in COPY's text format as each row is
 * pushed, into off-heap buffers. The import's first version kept 17 arrays of strings per batch
 * and built the text at commit time: every sealed value, hash and masked copy outlived a young
 * collection (two batches are alive at once), and the copying and promotion of them was most of
 * the job's garbage-collection time. Here a row's strings die young and a batch is a few buffers.
 * Only free text (name, destination, group, remark) can hold a character COPY needs escaped; the
 * sealed values, hashes, masks, codes and dates never do. The chunks of a batch whose COPY has
 * completed go back to a small free list for the next batches: allocating and freeing a few
 * hundred 256 KiB buffers a minute made the C allocator keep ever more memory (peak RSS of a
 * 300,000-row import 394 MB, 346 MB with a fixed mmap threshold).
 */
export class TravelerCopyRows {
  private readonly full: Buffer[] = [];
  private chunk = takeChunk();
  private used = 0;
  private readonly fixed: string;
  private readonly tail: string;
  private released = false;
  length = 0;

  constructor(target: { listId: string; campaignId: string; orgId: string }, updatedAt = new Date().toISOString()) {
    this.fixed = `\t${target.listId}\t${target.campaignId}\t${target.orgId}\t`;
    this.tail = `\t${updatedAt}\n`;
  }

  push(pii: PiiVault, rowNumber: number, row: TravelerRow) {
    if (this.released) throw new Error("TravelerCopyRows: push after release");
    const line =
      randomUUID() + this.fixed + rowNumber +
      "\t" + copyField(row.name) +
      "\t" + pii.seal(row.idNumber) +
      "\t" + pii.hash(row.idNumber) +
      "\t" + maskIdNumber(row.idNumber) +
      "\t" + pii.seal(row.mobile) +
      "\t" + pii.hash(row.mobile) +
      "\t" + maskMobile(row.mobile) +
      "\t" + row.sex +
      "\t" + row.birthDate +
      "\t" + row.destination.code +
      "\t" + copyField(row.destination.fullName) +
      "\t" + row.earliestDate +
      "\t" + row.latestDate +
      "\t" + copyField(row.group) +
      "\t" + copyField(PREFERENCE_TO_MODE[row.preference]) +
      "\t" + copyField(row.remark) +
      this.tail;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const room = line.length * 3;
    if (room > COPY_CHUNK_BYTES) {
      this.closeChunk();
      this.full.push(Buffer.from(line, "utf8"));
    } else {
      if (this.used + room > COPY_CHUNK_BYTES) this.closeChunk();
      this.used += this.chunk.write(line, this.used, "utf8");
    }
    this.length++;
  }

  private closeChunk() {
    if (this.used === 0) return;
    this.full.push(this.chunk.subarray(0, this.used));
    this.chunk = takeChunk();
    this.used = 0;
  }

  /** The COPY data so far, in order. */
  buffers(): Buffer[] {
    return this.used > 0 ? [...this.full, this.chunk.subarray(0, this.used)] : [...this.full];
  }

  /** Hands the chunks back for reuse; the batch must not be read again. Only after a COPY that
   * completed (the server has read every byte), never after a failed one, whose socket writes
   * may still be pending. */
  release() {
    for (const part of [...this.full, this.chunk]) {
      // Whole chunks only: a row too long for one has its own exactly-sized buffer.
      if (part.buffer.byteLength === COPY_CHUNK_BYTES && part.byteOffset === 0 && spareChunks.length < SPARE_CHUNKS_MAX) {
        spareChunks.push(Buffer.from(part.buffer, 0, COPY_CHUNK_BYTES));
      }
    }
    this.full.length = 0;
    this.used = 0;
    this.released = true;
  }
}

/**
 * Streams one batch of travellers into the table with `COPY … FROM STDIN` on a plain pg client
 * (inside the caller's transaction). Unlike INSERT_TRAVELERS_SQL it does not skip a row number
 * already on the list: a duplicate fails the COPY (and the caller's transaction), so callers must
 * make sure, as the import's checkpoint does, that a batch is never copied twice. Returns the rows copied.
 */
export async function copyTravelers(client: PoolClient | Client, rows: TravelerCopyRows): Promise<number> {
  if (rows.length === 0) {
    rows.release();
    return 0;
  }
  const stream = client.query(copyFrom(COPY_TRAVELERS_SQL));
  await pipeline(Readable.from(rows.buffers()), stream);
  rows.release();
  return stream.rowCount;
}

/** A stored traveller as every response shows it: masked numbers only. */
export function presentTraveler(t: {
  id: string;
  rowNumber: number;
  name: string;
  idMasked: string;
  mobileMasked: string;
  gender: string;
  birthDate: Date;
  destinationCode: string;
  destinationText: string | null;
  earliestDate: Date;
  latestDate: Date;
  groupTag: string | null;
  preference: string | null;
  remark: string | null;
  status: string;
  version: number;
}) {
  return {
    id: t.id,
    rowNumber: t.rowNumber,
    name: t.name,
    idNumberMasked: t.idMasked,
    mobileMasked: t.mobileMasked,
    gender: t.gender as "M" | "F",
    birthDate: dateFromDb(t.birthDate),
    destination: { code: t.destinationCode, name: t.destinationText ?? t.destinationCode },
    earliestDate: dateFromDb(t.earliestDate),
    latestDate: dateFromDb(t.latestDate),
    group: t.groupTag,
    preference: preferenceOfMode(t.preference),
    remark: t.remark,
    status: t.status as "ACTIVE" | "REMOVED" | "CANCELLED",
    version: t.version,
  };
}

/** The Chinese label of a field, for JSON input (no file headers). */
export const fieldLabel = (field: CanonicalField) => FIELD_LABELS[field].zh;
