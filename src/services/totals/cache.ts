// The response cache of getHomewardTotals, in the process that serves the API.
//
// Kept per database client (a WeakMap on the client object): the Node server has one client, so
// one cache; the Workers entry builds a client per request, so there the cache is simply empty and
// every request reads the document (nothing here imports Node modules).
//
// An entry is the answer for (campaign, organisation, from, to, mode) together with the campaign's
// totals version (totals_cache.versions, migration *_totals_version) read in the same statement,
// hence the same snapshot, as the document. Every transaction that changes what the document reads
// increments that version, so a later request that reads the same version is looking at the same
// committed data (see TOTALS_SQL). Access is checked on every request, cached or not.
import type { TotalsScope } from "./scope.ts";
import type { HomewardTotals } from "./totals.ts";

export interface CachedTotals {
  /** The campaign's totals version the answer was read with. */
  version: string;
  /** The campaign's city, for the access check of each request. */
  cityOrgId: string;
  scope: TotalsScope;
  totals: HomewardTotals;
  /** JSON text of `totals` without generatedAt and without the closing brace. */
  jsonHead: string;
}

const MAX_ENTRIES = 500;
const caches = new WeakMap<object, Map<string, CachedTotals>>();

export const totalsCacheKey = (campaignId: string, orgId: string, from: string | null, to: string | null, mode: string | null) =>
  `${campaignId}|${orgId}|${from ?? ""}|${to ?? ""}|${mode ?? ""}`;

export function cachedTotals(db: object, key: string): CachedTotals | undefined {
  return caches.get(db)?.get(key);
}

export function storeTotals(db: object, key: string, entry: CachedTotals): void {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  cache.delete(key);
  cache.set(key, entry);
  // Bounded: the oldest entry goes first (a Map iterates in insertion order).
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
}

// Concurrent requests for the same answer share one read: a request joins the read that will be
// sent next (never one already sent, whose snapshot could predate the request), and that read is
// sent as soon as the one in flight returns. So at most one read per answer is in flight, and each
// request is answered from a read that started after it arrived.
interface Pending<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}
interface ReadState {
  inFlight: boolean;
  next: Pending<unknown> | null;
}
const reads = new WeakMap<object, Map<string, ReadState>>();

export function coalescedRead<T>(db: object, key: string, read: () => Promise<T>): Promise<T> {
  let byKey = reads.get(db);
  if (!byKey) reads.set(db, (byKey = new Map()));
  let state = byKey.get(key);
  if (!state) byKey.set(key, (state = { inFlight: false, next: null }));
  const s = state;
  const start = (): Promise<T> => {
    s.inFlight = true;
    const p = (async () => read())();
    void p.then(finish, finish);
    return p;
  };
  const finish = () => {
    s.inFlight = false;
    const waiting = s.next;
    if (waiting) {
      s.next = null;
      start().then(waiting.resolve, waiting.reject);
    } else {
      byKey.delete(key);
    }
  };
  if (!s.inFlight) return start();
  if (!s.next) {
    let resolve!: (value: unknown) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
    s.next = { promise, resolve, reject };
  }
  return s.next.promise as Promise<T>;
}
