// Group ticket lists (团体名单): an enterprise union submits, amends and withdraws its own lists;
// its district and the city read them. Personal data is sealed and hashed on the way in and only
// masked on the way out; the one full read (getTravelerIdentity) is for city admins and audited.
import { createHash } from "node:crypto";
import { assertAllowed, assertInSubtree, type Access } from "../../auth/policy.ts";
import { AppError, notFound } from "../../errors.ts";
import { isUniqueViolation, type DbOrTx, type Tx } from "../../db/types.ts";
import { CANONICAL_FIELDS, type CanonicalField } from "../../intake/headers.ts";
import { maskIdNumber, maskMobile } from "../../intake/fields/masking.ts";
import { findDuplicatesInList, validateRow, type RawTravelerRecord, type RowError } from "../../intake/validate-row.ts";
import { buildTemplateXlsx } from "../../intake/files/xlsx-template.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import { dateFromDb } from "../dates.ts";
import { findConflicts, type TravelerConflict } from "./conflicts.ts";
import { openListFile, listFileKind, sheetRows } from "./list-file.ts";
import {
  asFieldProblems,
  assertCampaignOpen,
  callerCity,
  insertTravelers,
  loadCampaignRules,
  PREFERENCE_TO_MODE,
  preferenceOfMode,
  presentTraveler,
  rowProblems,
  TravelerColumns,
  validateRecords,
  type RowProblem,
} from "./rows.ts";

export type ListMode = "ALL_OR_NOTHING" | "ACCEPT_VALID";
export type TravelerInput = Partial<Record<CanonicalField, string | number | null>>;

const REPORT_LIMIT = 1000;

/** Who submits, amends and withdraws lists: the enterprise union's own staff (also checked here,
 * not only on the route, because the pages call these services too). */
export const LIST_OWNER_ACCESS: Access = { kinds: ["ENTERPRISE_UNION"], minRole: "STAFF" };

type ListRow = {
  id: string;
  campaignId: string;
  orgId: string;
  title: string;
  status: "DRAFT" | "SUBMITTED" | "VALIDATED" | "ALLOCATED" | "WITHDRAWN";
  version: number;
  travelerCount: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  withdrawnAt: Date | null;
};

export function presentList(row: ListRow) {
  return {
    id: row.id,
    campaignId: row.campaignId,
    orgId: row.orgId,
    title: row.title,
    status: row.status,
    version: row.version,
    travelerCount: row.travelerCount,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    withdrawnAt: row.withdrawnAt ? row.withdrawnAt.toISOString() : null,
  };
}

/** Row problems grouped by row, as submit and validate report them. */
function groupByRow(problems: Map<number, RowError[]>, limit = REPORT_LIMIT) {
  return [...problems.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, limit)
    .map(([row, errors]) => ({ row, errors: rowProblems(row, errors).map(({ column, field, code, message }) => ({ column, field, code, message })) }));
}

const numbered = (rows: readonly TravelerInput[]) => rows.map((record, i) => ({ rowNumber: i + 1, record: record as RawTravelerRecord }));

function contentHash(mode: ListMode, rows: readonly TravelerInput[]): string {
  const canonical = rows.map((row) => CANONICAL_FIELDS.map((field) => row[field] ?? null));
  return createHash("sha256").update(JSON.stringify({ mode, rows: canonical })).digest("hex");
}

/** The list if visible to the caller (its organisation in the caller's subtree), else 404. */
async function visibleList(ctx: ServiceContext, db: DbOrTx, id: string) {
  const list = await db.ticketList.findUnique({ where: { id } });
  if (!list) throw notFound();
  const org = await db.organisation.findUnique({ where: { id: list.orgId }, select: { path: true } });
  assertInSubtree(ctx.principal, org?.path);
  return list;
}

/** Lists are changed only by the enterprise that owns them. */
async function ownList(ctx: ServiceContext, db: DbOrTx, id: string) {
  assertAllowed(ctx.principal, LIST_OWNER_ACCESS);
  const list = await visibleList(ctx, db, id);
  if (list.orgId !== ctx.principal.orgId) throw notFound();
  return list;
}

// ───────────────────────────── validate (dry run) ─────────────────────────────

export async function validateTicketList(ctx: ServiceContext, campaignId: string, input: { rows: TravelerInput[] }) {
  const rules = await loadCampaignRules(ctx.db, campaignId, callerCity(ctx.principal));
  const batch = validateRecords(numbered(input.rows), rules.rowContext);
  return {
    rowsTotal: input.rows.length,
    validRows: batch.valid.length,
    invalidRows: batch.invalid.size,
    rejectedRows: groupByRow(batch.invalid),
  };
}

export async function validateTicketListFile(ctx: ServiceContext, campaignId: string, input: { bytes: Uint8Array; sheetName?: string; maxBytes: number }) {
  const rules = await loadCampaignRules(ctx.db, campaignId, callerCity(ctx.principal));
  const kind = listFileKind(input.bytes.subarray(0, 16));
  const file = await openListFile(sheetRows(kind, input.bytes, { sheetName: input.sheetName, maxBytes: input.maxBytes }));
  const ids: { rowNumber: number; idNumber: string }[] = [];
  const invalid = new Map<number, RowError[]>();
  let total = 0;
  const ctxWithHeaders = { ...rules.rowContext, headerByField: file.mapping.headerByField };
  for await (const row of file.rows) {
    total++;
    const result = validateRow(row.record, ctxWithHeaders);
    if (result.ok) ids.push({ rowNumber: row.rowNumber, idNumber: result.value.idNumber });
    else invalid.set(row.rowNumber, result.errors);
  }
  const duplicates = findDuplicatesInList(ids, file.mapping.headerByField);
  for (const [row, error] of duplicates) invalid.set(row, [error]);
  return {
    fileKind: kind,
    rowsTotal: total,
    validRows: total - invalid.size,
    invalidRows: invalid.size,
    rejectedRows: groupByRow(invalid),
  };
}


// ───────────────────────────── submit (JSON) ─────────────────────────────

export interface SubmitInput {
  title?: string;
  mode?: ListMode;
  rows: TravelerInput[];
}

async function submitResult(ctx: ServiceContext, list: ListRow, replayed: boolean, accepted: number, rejected: ReturnType<typeof groupByRow>) {
  const conflicts = await findConflicts(ctx.db, ctx.principal, list.campaignId, { listId: list.id });
  return { list: presentList(list), replayed, acceptedRows: accepted, rejectedRows: rejected, conflicts };
}

export async function submitTicketList(ctx: ServiceContext, campaignId: string, input: SubmitInput, idempotencyKey?: string) {
  assertAllowed(ctx.principal, LIST_OWNER_ACCESS);
  const rules = await loadCampaignRules(ctx.db, campaignId, callerCity(ctx.principal));
  const mode = input.mode ?? "ALL_OR_NOTHING";
  const hash = contentHash(mode, input.rows);
  const orgId = ctx.principal.orgId;

  const replay = async () => {
    const existing = idempotencyKey
      ? await ctx.db.ticketList.findUnique({ where: { orgId_campaignId_idempotencyKey: { orgId, campaignId, idempotencyKey } } })
      : await ctx.db.ticketList.findFirst({ where: { orgId, campaignId, contentHash: hash, status: { not: "WITHDRAWN" } }, orderBy: { createdAt: "asc" } });
    if (!existing) return undefined;
    if (existing.contentHash !== hash) {
      throw new AppError("CONFLICT", {
        code: "IDEMPOTENCY_KEY_REUSED",
        message: { zh: "该 Idempotency-Key 已用于另一份名单", en: "This Idempotency-Key was used for a different list" },
      });
    }
    // The same content validates the same way: the first result, recomputed rather than stored.
    const batch = validateRecords(numbered(input.rows), rules.rowContext);
    return submitResult(ctx, existing, true, existing.travelerCount, mode === "ACCEPT_VALID" ? groupByRow(batch.invalid) : []);
  };

  const first = await replay();
  if (first) return first;
  assertCampaignOpen(rules);

  const batch = validateRecords(numbered(input.rows), rules.rowContext);
  if (batch.invalid.size > 0 && (mode === "ALL_OR_NOTHING" || batch.valid.length === 0)) {
    const rejected = groupByRow(batch.invalid);
    throw new AppError("VALIDATION_FAILED", {
      code: "TICKET_LIST_INVALID",
      message: {
        zh: `名单中有 ${batch.invalid.size} 行不符合要求，未保存任何内容`,
        en: `${batch.invalid.size} row(s) of the list are not valid; nothing was stored`,
      },
      errors: asFieldProblems(rejected.flatMap((r) => r.errors.map((e) => ({ row: r.row, ...e })))).slice(0, REPORT_LIMIT),
      extensions: { invalidRows: batch.invalid.size, rejectedRows: rejected },
    });
  }

  const columns = new TravelerColumns();
  for (const { rowNumber, value } of batch.valid) columns.push(ctx.pii, rowNumber, value);
  try {
    const list = await ctx.db.$transaction(async (tx) => {
      const created = await tx.ticketList.create({
        data: {
          campaignId,
          orgId,
          title: input.title ?? `${ctx.principal.orgName} 返乡名单`,
          status: "SUBMITTED",
          idempotencyKey: idempotencyKey ?? null,
          contentHash: hash,
          travelerCount: columns.length,
          createdBy: ctx.principal.actorLabel,
        },
      });
      await insertTravelers(tx, { listId: created.id, campaignId, orgId }, columns);
      await recordAudit(tx, ctx, {
        action: "ticket_list.submit",
        entityType: "ticket_list",
        entityId: created.id,
        campaignId,
        details: { mode, travelers: columns.length, rejectedRows: batch.invalid.size },
      });
      return created;
    }, { timeout: 60_000, maxWait: 30_000 });
    ctx.log.info({ listId: list.id, travelers: columns.length, rejected: batch.invalid.size }, "ticket list submitted");
    return submitResult(ctx, list, false, columns.length, groupByRow(batch.invalid));
  } catch (error) {
    // Two identical submissions racing: the loser answers with the winner's result.
    if (isUniqueViolation(error)) {
      const winner = await replay();
      if (winner) return winner;
    }
    throw error;
  }
}

// ───────────────────────────── read ─────────────────────────────

export async function listTicketLists(ctx: ServiceContext, filter: { campaignId?: string }) {
  const orgs = await ctx.db.organisation.findMany({ where: { path: { startsWith: ctx.principal.orgPath } }, select: { id: true, name: true } });
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  const rows = await ctx.db.ticketList.findMany({
    where: { orgId: { in: [...names.keys()] }, ...(filter.campaignId ? { campaignId: filter.campaignId } : {}) },
    orderBy: { createdAt: "desc" },
    take: 1000,
  });
  return rows.map((row) => ({ ...presentList(row), orgName: names.get(row.orgId) ?? "" }));
}

export async function getTicketList(ctx: ServiceContext, id: string, page: { offset?: number; limit?: number; includeRemoved?: boolean } = {}) {
  const list = await visibleList(ctx, ctx.db, id);
  const travelers = await ctx.db.traveler.findMany({
    where: { listId: id, ...(page.includeRemoved ? {} : { status: "ACTIVE" }) },
    orderBy: { rowNumber: "asc" },
    skip: page.offset ?? 0,
    take: Math.min(page.limit ?? 500, 5000),
  });
  const conflicts = list.status === "DRAFT" || list.status === "WITHDRAWN" ? [] : await findConflicts(ctx.db, ctx.principal, list.campaignId, { listId: id });
  const latestImport = await ctx.db.importJob.findFirst({ where: { listId: id }, orderBy: { createdAt: "desc" }, select: { id: true, status: true } });
  return { ...presentList(list), travelers: travelers.map(presentTraveler), conflicts, latestImport };
}

export async function listTravelerConflicts(ctx: ServiceContext, campaignId: string): Promise<{ items: TravelerConflict[] }> {
  await loadCampaignRules(ctx.db, campaignId, callerCity(ctx.principal));
  return { items: await findConflicts(ctx.db, ctx.principal, campaignId) };
}

/** Full ID number and mobile of one traveller: city-union admins only, every read audited. */
export async function getTravelerIdentity(ctx: ServiceContext, travelerId: string) {
  if (ctx.principal.orgKind !== "CITY_UNION" || ctx.principal.role !== "ADMIN") throw new AppError("FORBIDDEN");
  const traveler = await ctx.db.traveler.findUnique({ where: { id: travelerId } });
  if (!traveler) throw notFound();
  const org = await ctx.db.organisation.findUnique({ where: { id: traveler.orgId }, select: { path: true } });
  assertInSubtree(ctx.principal, org?.path);
  await recordAudit(ctx.db, ctx, {
    action: "traveler.identity_read",
    entityType: "traveler",
    entityId: traveler.id,
    orgId: traveler.orgId,
    campaignId: traveler.campaignId,
    details: { idNumber: traveler.idMasked, mobile: traveler.mobileMasked, listId: traveler.listId },
  });
  return { id: traveler.id, name: traveler.name, idNumber: ctx.pii.open(traveler.idSealed), mobile: ctx.pii.open(traveler.mobileSealed) };
}

export async function ticketListTemplate(ctx: ServiceContext, campaignId?: string): Promise<Buffer> {
  if (!campaignId) return buildTemplateXlsx();
  const rules = await loadCampaignRules(ctx.db, campaignId, callerCity(ctx.principal));
  return buildTemplateXlsx({ window: rules.rowContext.window });
}

// ───────────────────────────── amend / withdraw ─────────────────────────────

export interface AmendInput {
  version: number;
  add?: TravelerInput[];
  remove?: string[];
  change?: ({ travelerId: string } & TravelerInput)[];
}

/** Travellers with a seat in a published allocation (or on an allocated list): changes to them
 * also become allocation change requests. */
async function seatedTravelers(tx: Tx, travelerIds: string[]): Promise<Set<string>> {
  if (travelerIds.length === 0) return new Set();
  const rows = await tx.$queryRawUnsafe<{ traveler_id: string }[]>(
    `SELECT DISTINCT a.traveler_id FROM assignments a JOIN allocation_runs r ON r.id = a.run_id
      WHERE a.traveler_id = ANY($1::uuid[]) AND r.status = 'PUBLISHED' AND a.status = 'ASSIGNED'`,
    travelerIds,
  );
  return new Set(rows.map((r) => r.traveler_id));
}

function versionConflict(current: number) {
  return new AppError("VERSION_CONFLICT", { extensions: { currentVersion: current } });
}

function assertAmendable(list: { status: string }) {
  if (list.status === "WITHDRAWN" || list.status === "DRAFT") {
    throw new AppError("CONFLICT", {
      code: "TICKET_LIST_NOT_AMENDABLE",
      message: { zh: "名单已撤回或仍在导入中，不能修改", en: "The list is withdrawn or still importing; it cannot be amended" },
    });
  }
}

export async function amendTicketList(ctx: ServiceContext, id: string, input: AmendInput) {
  const list = await ownList(ctx, ctx.db, id);
  assertAmendable(list);
  const rules = await loadCampaignRules(ctx.db, list.campaignId);
  assertCampaignOpen(rules);
  const problems: { path: string; code: string; message: { zh: string; en: string } }[] = [];
  const actor = { actorLabel: ctx.principal.actorLabel, actorOrgId: ctx.principal.orgId };

  const result = await ctx.db.$transaction(async (tx) => {
    const bumped = await tx.ticketList.updateMany({ where: { id, version: input.version }, data: { version: { increment: 1 } } });
    if (bumped.count === 0) throw versionConflict(list.version);
    const allocatedList = list.status === "ALLOCATED";

    const touchedIds = [...(input.remove ?? []), ...(input.change ?? []).map((c) => c.travelerId)];
    const touched = await tx.traveler.findMany({ where: { id: { in: touchedIds }, listId: id } });
    const byId = new Map(touched.map((t) => [t.id, t]));
    const seated = await seatedTravelers(tx, touchedIds);
    const needsRequest = (travelerId: string) => allocatedList || seated.has(travelerId);
    for (const [i, travelerId] of touchedIds.entries()) {
      const t = byId.get(travelerId);
      if (!t || t.status !== "ACTIVE") {
        problems.push({ path: i < (input.remove?.length ?? 0) ? `body.remove.${i}` : `body.change.${i - (input.remove?.length ?? 0)}.travelerId`, code: "TRAVELER_NOT_ON_LIST", message: { zh: "名单中没有这名在册旅客", en: "No active traveller with this id on the list" } });
      }
    }
    if (problems.length) throw new AppError("VALIDATION_FAILED", { errors: problems });

    // The ID hashes active on the list after this amend, to keep one person once.
    const active = await tx.traveler.findMany({ where: { listId: id, status: "ACTIVE" }, select: { id: true, idHash: true } });
    const removed = new Set(input.remove ?? []);
    const hashOwner = new Map(active.filter((t) => !removed.has(t.id)).map((t) => [t.idHash, t.id]));

    for (const travelerId of input.remove ?? []) {
      const t = byId.get(travelerId)!;
      await tx.traveler.update({ where: { id: travelerId }, data: { status: "REMOVED", version: { increment: 1 } } });
      await tx.travelerChange.create({ data: { listId: id, travelerId, action: "REMOVE", details: { idNumber: t.idMasked, rowNumber: t.rowNumber }, ...actor } });
      if (needsRequest(travelerId)) {
        await tx.allocationChangeRequest.create({ data: { campaignId: list.campaignId, travelerId, kind: "REMOVED", source: "amend", details: { listId: id } } });
      }
    }

    for (const [i, change] of (input.change ?? []).entries()) {
      const t = byId.get(change.travelerId)!;
      const current: RawTravelerRecord = {
        name: t.name,
        idNumber: ctx.pii.open(t.idSealed),
        mobile: ctx.pii.open(t.mobileSealed),
        destination: t.destinationCode,
        earliestDate: dateFromDb(t.earliestDate),
        latestDate: dateFromDb(t.latestDate),
        group: t.groupTag,
        preference: preferenceOfMode(t.preference),
        remark: t.remark,
      };
      const fields = CANONICAL_FIELDS.filter((f) => f in change);
      const merged: RawTravelerRecord = { ...current };
      for (const f of fields) merged[f] = change[f];
      const checked = validateRow(merged, rules.rowContext);
      if (!checked.ok) {
        for (const e of checked.errors) problems.push({ path: `body.change.${i}.${e.field}`, code: e.code, message: e.message });
        continue;
      }
      const row = checked.value;
      const idHash = ctx.pii.hash(row.idNumber);
      const owner = hashOwner.get(idHash);
      if (owner !== undefined && owner !== t.id) {
        problems.push({ path: `body.change.${i}.idNumber`, code: "ID_DUPLICATE_IN_LIST", message: { zh: `身份证号 ${maskIdNumber(row.idNumber)} 已在本名单中`, en: `ID number ${maskIdNumber(row.idNumber)} is already on this list` } });
        continue;
      }
      hashOwner.delete(t.idHash);
      hashOwner.set(idHash, t.id);
      const before = presentTraveler(t);
      const updated = await tx.traveler.update({
        where: { id: t.id },
        data: {
          name: row.name,
          ...(row.idNumber !== current.idNumber
            ? { idSealed: ctx.pii.seal(row.idNumber), idHash, idMasked: maskIdNumber(row.idNumber), gender: row.sex, birthDate: new Date(`${row.birthDate}T00:00:00Z`) }
            : {}),
          ...(row.mobile !== current.mobile ? { mobileSealed: ctx.pii.seal(row.mobile), mobileHash: ctx.pii.hash(row.mobile), mobileMasked: maskMobile(row.mobile) } : {}),
          destinationCode: row.destination.code,
          destinationText: row.destination.fullName,
          earliestDate: new Date(`${row.earliestDate}T00:00:00Z`),
          latestDate: new Date(`${row.latestDate}T00:00:00Z`),
          groupTag: row.group,
          preference: PREFERENCE_TO_MODE[row.preference],
          remark: row.remark,
          version: { increment: 1 },
        },
      });
      const after = presentTraveler(updated);
      const diff = (["name", "idNumberMasked", "mobileMasked", "destination", "earliestDate", "latestDate", "group", "preference", "remark"] as const).filter(
        (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
      );
      const details = { fields: diff, before: Object.fromEntries(diff.map((k) => [k, before[k]])), after: Object.fromEntries(diff.map((k) => [k, after[k]])) };
      await tx.travelerChange.create({ data: { listId: id, travelerId: t.id, action: "CHANGE", details, ...actor } });
      if (needsRequest(t.id)) {
        await tx.allocationChangeRequest.create({ data: { campaignId: list.campaignId, travelerId: t.id, kind: "CHANGED", source: "amend", details: { listId: id, fields: diff } } });
      }
    }

    const add = input.add ?? [];
    if (add.length > 0) {
      const batch = validateRecords(numbered(add), rules.rowContext);
      for (const [row, errors] of batch.invalid) {
        for (const e of errors) problems.push({ path: `body.add.${row - 1}.${e.field}`, code: e.code, message: e.message });
      }
      const last = await tx.traveler.aggregate({ where: { listId: id }, _max: { rowNumber: true } });
      let next = (last._max.rowNumber ?? 0) + 1;
      const columns = new TravelerColumns();
      for (const { rowNumber, value } of batch.valid) {
        const idHash = ctx.pii.hash(value.idNumber);
        if (hashOwner.has(idHash)) {
          problems.push({ path: `body.add.${rowNumber - 1}.idNumber`, code: "ID_DUPLICATE_IN_LIST", message: { zh: `身份证号 ${maskIdNumber(value.idNumber)} 已在本名单中`, en: `ID number ${maskIdNumber(value.idNumber)} is already on this list` } });
          continue;
        }
        hashOwner.set(idHash, "new");
        columns.push(ctx.pii, next++, value);
      }
      if (problems.length === 0 && columns.length > 0) {
        await insertTravelers(tx, { listId: id, campaignId: list.campaignId, orgId: list.orgId }, columns);
        const added = await tx.traveler.findMany({ where: { listId: id, rowNumber: { in: columns.rowNumber } }, select: { id: true, rowNumber: true, idMasked: true } });
        await tx.travelerChange.createMany({ data: added.map((t) => ({ listId: id, travelerId: t.id, action: "ADD" as const, details: { idNumber: t.idMasked, rowNumber: t.rowNumber }, ...actor })) });
        if (allocatedList) {
          await tx.allocationChangeRequest.createMany({ data: added.map((t) => ({ campaignId: list.campaignId, travelerId: t.id, kind: "ADDED" as const, source: "amend", details: { listId: id } })) });
        }
      }
    }
    if (problems.length) throw new AppError("VALIDATION_FAILED", { code: "AMENDMENT_INVALID", errors: problems.slice(0, REPORT_LIMIT) });

    const count = await tx.traveler.count({ where: { listId: id, status: "ACTIVE" } });
    const updated = await tx.ticketList.update({ where: { id }, data: { travelerCount: count } });
    await recordAudit(tx, ctx, {
      action: "ticket_list.amend",
      entityType: "ticket_list",
      entityId: id,
      campaignId: list.campaignId,
      details: { added: add.length, removed: input.remove?.length ?? 0, changed: input.change?.length ?? 0, version: updated.version },
    });
    return updated;
  }, { timeout: 60_000, maxWait: 30_000 });
  return getTicketList(ctx, result.id);
}

export async function withdrawTicketList(ctx: ServiceContext, id: string) {
  const list = await ownList(ctx, ctx.db, id);
  if (list.status === "WITHDRAWN") return presentList(list);
  const running = await ctx.db.importJob.count({ where: { listId: id, status: { in: ["QUEUED", "RUNNING"] } } });
  if (running > 0) {
    throw new AppError("CONFLICT", { code: "TICKET_LIST_IMPORTING", message: { zh: "名单正在导入，请等待导入结束后再撤回", en: "The list is still importing; withdraw it when the import ends" } });
  }
  const updated = await ctx.db.$transaction(async (tx) => {
    const active = await tx.traveler.findMany({ where: { listId: id, status: "ACTIVE" }, select: { id: true } });
    const ids = active.map((t) => t.id);
    const seated = await seatedTravelers(tx, ids);
    await tx.traveler.updateMany({ where: { listId: id, status: "ACTIVE" }, data: { status: "REMOVED", version: { increment: 1 } } });
    await tx.travelerChange.create({ data: { listId: id, action: "WITHDRAW", details: { travelers: ids.length }, actorLabel: ctx.principal.actorLabel, actorOrgId: ctx.principal.orgId } });
    const requests = ids.filter((t) => list.status === "ALLOCATED" || seated.has(t));
    if (requests.length) {
      await tx.allocationChangeRequest.createMany({ data: requests.map((travelerId) => ({ campaignId: list.campaignId, travelerId, kind: "REMOVED" as const, source: "withdraw", details: { listId: id } })) });
    }
    const row = await tx.ticketList.update({ where: { id }, data: { status: "WITHDRAWN", withdrawnAt: new Date(), version: { increment: 1 }, travelerCount: 0 } });
    await recordAudit(tx, ctx, { action: "ticket_list.withdraw", entityType: "ticket_list", entityId: id, campaignId: list.campaignId, details: { travelers: ids.length, changeRequests: requests.length } });
    return row;
  });
  return presentList(updated);
}

export type { RowProblem };
