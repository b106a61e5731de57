// getHomewardTotals: the 平安返乡 figures of an organisation's subtree, read from the maintained
// counters (totals_counters holds one row per organisation and its ancestors, so a subtree total
// is the row of its root: a few hundred rows per request, never a scan of the assignments), plus
// the wage recoveries (row 08(C)) and the figures entered by hand.
import type { ServiceContext } from "../context.ts";
import {
  addStages,
  fenToWanYuan,
  fenToYuan,
  MANUAL_FIGURE_CODES,
  MANUAL_FIGURES,
  MODE_LINE,
  MODES,
  zeroStages,
  type ManualFigureCode,
  type Mode,
  type Stages,
} from "./definitions.ts";
import { assertInSubtree } from "../../auth/policy.ts";
import { rootOrgId } from "../../auth/principal.ts";
import { notFound } from "../../errors.ts";
import { checkFilter, type TotalsFilter, type TotalsScope } from "./scope.ts";
import { cachedTotals, coalescedRead, storeTotals, totalsCacheKey, totalsEtag, versionFeedOf, type CachedTotals } from "./cache.ts";

interface CounterRow {
  is_root: boolean;
  org_id: string;
  mode: Mode | null;
  day: string | null;
  ap: number;
  dp: number;
  bp: number;
  av: number;
  dv: number;
  bv: number;
}

interface WageRow {
  child: string | null;
  cases: number;
  workers: number;
  migrant_workers: number;
  amount_fen: string;
  migrant_amount_fen: string;
}

interface ManualRow {
  figure: string;
  child: string | null;
  value: string;
}

export interface WageFigures {
  cases: number;
  workers: number;
  migrantWorkers: number;
  amountFen: string;
  amountYuan: string;
  amountWanYuan: string;
  migrantAmountFen: string;
  migrantAmountYuan: string;
  migrantAmountWanYuan: string;
}

export type ManualValues = Record<ManualFigureCode, string>;

const persons = (r: CounterRow): Stages => ({ allocated: r.ap, departed: r.dp, boarded: r.bp });
const vehicles = (r: CounterRow): Stages => ({ allocated: r.av, departed: r.dv, boarded: r.bv });

function wageFigures(rows: WageRow[]): WageFigures {
  let cases = 0, workers = 0, migrantWorkers = 0, amount = 0n, migrantAmount = 0n;
  for (const r of rows) {
    cases += r.cases;
    workers += r.workers;
    migrantWorkers += r.migrant_workers;
    amount += BigInt(r.amount_fen);
    migrantAmount += BigInt(r.migrant_amount_fen);
  }
  return {
    cases,
    workers,
    migrantWorkers,
    amountFen: amount.toString(),
    amountYuan: fenToYuan(amount),
    amountWanYuan: fenToWanYuan(amount),
    migrantAmountFen: migrantAmount.toString(),
    migrantAmountYuan: fenToYuan(migrantAmount),
    migrantAmountWanYuan: fenToWanYuan(migrantAmount),
  };
}

/** Exact decimal sum of decimal strings with at most two decimals. */
function sumDecimal(values: string[]): string {
  let cents = 0n;
  for (const v of values) {
    const [whole = "0", frac = ""] = v.split(".");
    const sign = whole.startsWith("-") ? -1n : 1n;
    cents += sign * (BigInt(whole.replace("-", "")) * 100n + BigInt((frac + "00").slice(0, 2)));
  }
  return fenToYuan(cents);
}

function manualValues(rows: ManualRow[]): ManualValues {
  const out = {} as ManualValues;
  for (const code of MANUAL_FIGURE_CODES) {
    const sum = sumDecimal(rows.filter((r) => r.figure === code).map((r) => r.value));
    out[code] = MANUAL_FIGURES[code].integer ? sum.replace(/\.00$/, "") : sum;
  }
  return out;
}

// One call, one round trip (totals_document, migrations *_totals_document and *_totals_version): the
// campaign, the organisation, its children, the counters of the organisation and of each child, the
// wage payments and the hand-entered figures of the subtree, as one JSON text — together with the
// campaign's totals version, read in the same statement (one snapshot). When $6 is the version of a
// cached answer and it is still current, the document is not built (doc is NULL): the cached answer
// is exact. Access is checked on the result (a campaign of another city or an organisation outside
// the caller's subtree answers 404 and nothing read is returned), cached or not.
//
// Wages (08(C)): sums of the recorded payments of the subtree's cases in the campaign (paid on a day
// in the range): workers paid, of whom migrant workers, amount and the part paid to migrant workers,
// exactly as the wage-case figures (getWageFigures) sum them.
// Bytes, not text: Prisma's raw-query path handles a long text value ~15× slower than the query takes
// (measured by bench:totals), a bytea is passed through as a buffer.
export const TOTALS_SQL = `SELECT v.version::text AS version,
       CASE WHEN v.version::text IS DISTINCT FROM $6::text
            THEN convert_to(totals_document($1::uuid, $2::uuid, $3::date, $4::date, $5::text), 'UTF8') END AS doc
  FROM (SELECT coalesce((SELECT version FROM totals_cache.versions WHERE campaign_id = $1::uuid), 0) AS version) v`;

interface TotalsRow {
  campaign: (TotalsScope["campaign"] & { cityOrgId: string }) | null;
  org: TotalsScope["org"] | null;
  children: TotalsScope["children"];
  counters: CounterRow[];
  wages: WageRow[];
  manual: ManualRow[];
}

/** The scope and its totals in one round trip (none of the document's reading when the cached answer is current). */
export async function loadTotals(ctx: ServiceContext, filter: TotalsFilter): Promise<{ scope: TotalsScope; totals: HomewardTotals }> {
  const entry = await currentTotals(ctx, filter);
  return { scope: entry.scope, totals: { ...entry.totals, generatedAt: new Date().toISOString() } };
}

/** The current answer for this caller: read, or the cached one whose version is still current; access checked. */
async function currentTotals(ctx: ServiceContext, filter: TotalsFilter): Promise<CachedTotals> {
  checkFilter(filter);
  const orgId = filter.orgId ?? ctx.principal.orgId;
  const key = totalsCacheKey(filter.campaignId, orgId, filter.from ?? null, filter.to ?? null, filter.mode ?? null);
  // With a connected version feed (Node), a cached answer of the campaign's current version is
  // answered as it is: no round trip. Otherwise, or when it is stale, read (version and document).
  const current = versionFeedOf(ctx.db)?.currentVersion(filter.campaignId.toLowerCase());
  const cached = current === undefined ? undefined : cachedTotals(ctx.db, key);
  const entry = cached && cached.version === current ? cached : await coalescedRead(ctx.db, key, () => readTotals(ctx.db, key, filter, orgId));
  // Access, for this caller, on every answer (read for it or shared with other requests).
  if (!entry.cityOrgId || entry.cityOrgId !== rootOrgId(ctx.principal)) throw notFound({ zh: "未找到该活动", en: "No such campaign" });
  if (!entry.scope) throw notFound();
  assertInSubtree(ctx.principal, entry.scope.org.path);
  return entry as CachedTotals;
}

/**
 * getHomewardTotals as its JSON text, exactly `JSON.stringify` of getHomewardTotals' answer: the
 * answer is serialised once per version, and each request only adds its generatedAt (the last key).
 * Without a version feed (Workers) the figures are those committed when the version was read, after
 * this request arrived. With one (Node, version-feed.ts) they may trail a commit by the moment its
 * notification takes to reach this process.
 */
export async function getHomewardTotalsJson(ctx: ServiceContext, filter: TotalsFilter): Promise<{ body: Uint8Array; etag: string }> {
  const entry = await currentTotals(ctx, filter);
  // Bytes: the head is encoded once per version (a text body was measured re-encoded, and its length
  // counted, on every response). toISOString is ASCII and has no characters JSON escapes.
  const now = Date.now();
  const last = entry.lastBody;
  if (last.at !== now || !last.bytes) {
    const head = entry.jsonHead;
    const tail = `,"generatedAt":"${new Date(now).toISOString()}"}`;
    const body = new Uint8Array(head.length + tail.length);
    body.set(head);
    encoder.encodeInto(tail, body.subarray(head.length));
    last.at = now;
    last.bytes = body;
  }
  return { body: last.bytes, etag: entry.etag };
}

const encoder = new TextEncoder();

type ReadResult = CachedTotals | { version: string; cityOrgId: string | null; scope: null; totals: null; jsonHead: null; etag: null };

/** The current answer for `key`: the cached one if its version is still current, else read anew (and cached). */
async function readTotals(db: ServiceContext["db"], key: string, filter: TotalsFilter, orgId: string): Promise<ReadResult> {
  const cached = cachedTotals(db, key);
  const [result] = await db.$queryRawUnsafe<{ version: string; doc: Uint8Array | null }[]>(
    TOTALS_SQL,
    filter.campaignId,
    orgId,
    filter.from ?? null,
    filter.to ?? null,
    filter.mode ?? null,
    cached?.version ?? null,
  );
  if (!result!.doc) return cached!;
  const row = JSON.parse(new TextDecoder().decode(result!.doc)) as TotalsRow;
  // A missing campaign or organisation is not cached.
  if (!row.campaign || !row.org) return { version: result!.version, cityOrgId: row.campaign?.cityOrgId ?? null, scope: null, totals: null, jsonHead: null, etag: null };
  const { cityOrgId, ...campaign } = row.campaign;
  const scope: TotalsScope = { campaign, org: row.org, children: row.children, from: filter.from ?? null, to: filter.to ?? null, mode: filter.mode ?? null };
  const totals = buildTotals(scope, row.counters, row.wages, row.manual);
  // generatedAt is the last key: without it, the text up to the closing brace.
  const jsonHead = encoder.encode(JSON.stringify({ ...totals, generatedAt: undefined }).slice(0, -1));
  // (A typed array cannot be frozen; its bytes are only ever read, into or as responses.)
  const entry = Object.freeze({ version: result!.version, cityOrgId, scope: deepFreeze(scope), totals: deepFreeze(totals), jsonHead, etag: totalsEtag(result!.version, key), lastBody: { at: 0, bytes: null } });
  storeTotals(db, key, entry);
  return entry;
}

/** Cached answers are shared between requests: frozen, so that no caller can change them. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function buildTotals(scope: TotalsScope, counters: CounterRow[], wages: WageRow[], manual: ManualRow[]) {

  let totalPersons = zeroStages();
  const byMode = new Map<Mode, { persons: Stages; vehicles: Stages }>(MODES.map((m) => [m, { persons: zeroStages(), vehicles: zeroStages() }]));
  const byDay = new Map<string, { persons: Stages; vehicles: Stages }>();
  const byChild = new Map<string, { persons: Stages; vehicles: Stages }>();
  for (const row of counters) {
    if (row.is_root) {
      totalPersons = addStages(totalPersons, persons(row));
      const m = byMode.get(row.mode!)!;
      m.persons = addStages(m.persons, persons(row));
      m.vehicles = addStages(m.vehicles, vehicles(row));
      const d = byDay.get(row.day!) ?? { persons: zeroStages(), vehicles: zeroStages() };
      d.persons = addStages(d.persons, persons(row));
      d.vehicles = addStages(d.vehicles, vehicles(row));
      byDay.set(row.day!, d);
    } else {
      byChild.set(row.org_id, { persons: persons(row), vehicles: vehicles(row) });
    }
  }

  const wageTotal = wageFigures(wages);
  const manualTotal = manualValues(manual);
  const childIds = new Set(scope.children.map((c) => c.id));
  const byOrganisation = scope.children.map((child) => ({
    id: child.id,
    name: child.name,
    kind: child.kind,
    persons: byChild.get(child.id)?.persons ?? zeroStages(),
    vehicles: byChild.get(child.id)?.vehicles ?? zeroStages(),
    wages: wageFigures(wages.filter((w) => w.child === child.id)),
    manual: manualValues(manual.filter((m) => m.child === child.id)),
  }));
  // Records of the root organisation itself (a district that submitted its own list, a case
  // registered at district level) appear as one "本级" line so the lines add up to the total.
  const childSum = byOrganisation.reduce((acc, o) => addStages(acc, o.persons), zeroStages());
  const ownPersons = {
    allocated: totalPersons.allocated - childSum.allocated,
    departed: totalPersons.departed - childSum.departed,
    boarded: totalPersons.boarded - childSum.boarded,
  };
  const ownWages = wages.filter((w) => w.child === null || !childIds.has(w.child));
  const ownManual = manual.filter((m) => m.child === null || !childIds.has(m.child));
  const own =
    ownPersons.allocated || ownPersons.departed || ownPersons.boarded || ownWages.length || ownManual.length
      ? { persons: ownPersons, wages: wageFigures(ownWages), manual: manualValues(ownManual) }
      : null;

  const line = (mode: Mode) => byMode.get(mode)!;
  const figures = {
    "10A": { persons: totalPersons },
    "10B": line("SPECIAL_TRAIN"),
    "10C": line("RESERVED_CARRIAGE"),
    "10D": line("BUS"),
    "10E": line("BOAT"),
    "10F": line("FLIGHT"),
    "10G": {
      platformTickets: line("GROUP_TICKET").persons,
      manualTickets: Number(manualTotal["10G_TICKETS"]),
    },
    "10H": { helpCentres: Number(manualTotal["10H_CENTRES"]) },
    "11A": { subsidyWanYuan: manualTotal["11A_WAN_YUAN"] },
    "08C": wageTotal,
  };

  return {
    campaign: { id: scope.campaign.id, name: scope.campaign.name, year: scope.campaign.year },
    organisation: { id: scope.org.id, name: scope.org.name, kind: scope.org.kind },
    filters: { from: scope.from, to: scope.to, mode: scope.mode },
    figures,
    byMode: MODES.map((mode) => ({ mode, line: MODE_LINE[mode], ...line(mode) })),
    byDay: [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, v]) => ({ date, ...v })),
    byOrganisation,
    own,
    manual: manualTotal,
    generatedAt: new Date().toISOString(),
  };
}

export type HomewardTotals = ReturnType<typeof buildTotals>;

export async function getHomewardTotals(ctx: ServiceContext, filter: TotalsFilter): Promise<HomewardTotals> {
  return (await loadTotals(ctx, filter)).totals;
}
