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
//
// Where the Node entry runs a LISTEN connection (version-feed.ts), that connection tells this cache
// each campaign's current version as it is committed, and a request whose cached answer carries that
// version is answered without any database round trip. Without a connected feed (the Workers entry,
// tests that do not start one, a listener that lost its connection) every request reads the version.
import type { TotalsScope } from "./scope.ts";
import type { HomewardTotals } from "./totals.ts";

/** The latest committed totals version of each campaign, as pushed by PostgreSQL (LISTEN/NOTIFY). */
export interface TotalsVersionFeed {
  /**
   * The campaign's current version (lower-case campaign id), or undefined when the feed cannot vouch
   * for it — not connected, or not yet caught up after (re)connecting.
   */
  currentVersion(campaignId: string): string | undefined;
}

const feeds = new WeakMap<object, TotalsVersionFeed>();

/** Serve cached answers of `db` by `feed`'s versions (the Node entry, once its listener is started). */
export function attachVersionFeed(db: object, feed: TotalsVersionFeed): void {
  feeds.set(db, feed);
}

export function detachVersionFeed(db: object): void {
  feeds.delete(db);
}

export function versionFeedOf(db: object): TotalsVersionFeed | undefined {
  return feeds.get(db);
}

export interface CachedTotals {
  /** The campaign's totals version the answer was read with. */
  version: string;
  /** The campaign's city, for the access check of each request. */
  cityOrgId: string;
  scope: TotalsScope;
  totals: HomewardTotals;
  /** JSON text of `totals` without generatedAt and without the closing brace, as UTF-8. */
  jsonHead: Uint8Array;
  /**
   * Weak ETag of the answer: its version and its key. Weak, because each response carries its own
   * generatedAt; two responses with the same tag have the same figures.
   */
  etag: string;
  /**
   * The last body sent (mutable, unlike the rest): requests in the same millisecond have the same
   * generatedAt, hence the same bytes — under load several requests share one buffer.
   */
  lastBody: { at: number; bytes: Uint8Array | null };
}

/** The ETag of the answer for `key` read under `version` (FNV-1a of the key: short, no crypto needed). */
export function totalsEtag(version: string, key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return `W/"t${version}-${(h >>> 0).toString(36)}"`;
}

const MAX_ENTRIES = 500;
const caches = new WeakMap<object, Map<string, CachedTotals>>();

export const totalsCacheKey = (campaignId: string, orgId: string, from: string | null, to: string | null, mode: string | null) =>
  // Ids compared case-insensitively, as PostgreSQL does (and as the version feed keys campaigns).
  `${campaignId.toLowerCase()}|${orgId.toLowerCase()}|${from ?? ""}|${to ?? ""}|${mode ?? ""}`;

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
