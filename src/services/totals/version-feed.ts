// The Node API's view of each campaign's totals version, pushed by PostgreSQL: one dedicated
// connection LISTENs on the channel totals_version, which the version-bump trigger function notifies
// with '<campaign id>:<version>' (migration *_totals_version_notify). With it, a cached answer of
// getHomewardTotals whose version is the campaign's current one is served without a round trip
// (cache.ts); without it, each request reads the version as before.
//
// When the feed vouches for a version:
// - only while the connection is up and has caught up: after LISTEN took effect, the versions of all
//   campaigns are read once (a campaign without a row is at version 0); every later commit is
//   notified. LISTEN first, then the read, so no commit falls between the two.
// - versions only grow, so the feed keeps the highest it has heard per campaign (a notification can
//   arrive before or after the catch-up read that already saw its commit).
// - on any error or end of the connection it stops vouching at once (requests read the version
//   again), forgets everything, and reconnects with a growing delay (up to 5 s).
//
// The window: PostgreSQL sends a notification after the transaction committed, and this process
// handles it a moment later (typically well under a millisecond on one machine; longer when the
// event loop is busy). A request that reaches this process in that moment, right after a commit it
// could know of, can be answered with the figures before that commit. Later requests see it.
import pg from "pg";
import type { Logger } from "../../logger.ts";
import { attachVersionFeed, detachVersionFeed, type TotalsVersionFeed } from "./cache.ts";

export const TOTALS_VERSION_CHANNEL = "totals_version";
const MAX_RETRY_MS = 5_000;

export interface TotalsVersionListener extends TotalsVersionFeed {
  /** Resolves once the feed is connected and caught up (the first time, or again after a reconnect). */
  ready(): Promise<void>;
  /** Resolves when a notification has raised the campaign's version to at least `version`. */
  waitForVersion(campaignId: string, version: string | bigint): Promise<void>;
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * Starts the listener for `db` (the Prisma client whose totals cache it feeds) on its own connection
 * to `databaseUrl`, and attaches it to that client's totals cache.
 */
export function startTotalsVersionListener(db: object, databaseUrl: string, log: Logger): TotalsVersionListener {
  const versions = new Map<string, bigint>();
  const waiters = new Set<{ campaignId: string; version: bigint; resolve: () => void }>();
  let readyWaiters: (() => void)[] = [];
  let connected = false;
  let closed = false;
  let client: pg.Client | undefined;
  let retryMs = 100;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const raise = (campaignId: string, version: bigint) => {
    const known = versions.get(campaignId);
    if (known === undefined || version > known) versions.set(campaignId, version);
    for (const w of waiters) {
      if (w.campaignId === campaignId && (versions.get(campaignId) ?? 0n) >= w.version) {
        waiters.delete(w);
        w.resolve();
      }
    }
  };

  const lose = (error?: unknown) => {
    if (client === undefined) return;
    const lost = client;
    client = undefined;
    connected = false;
    versions.clear();
    lost.removeAllListeners();
    lost.on("error", () => undefined);
    void lost.end().catch(() => undefined);
    if (closed) return;
    log.warn({ err: error, retryMs }, "totals version listener lost its connection; cached totals are re-read until it is back");
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const connect = async () => {
    retryTimer = undefined;
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl, application_name: "homeward-totals-listener" });
    client = c;
    c.on("error", (error) => lose(error));
    c.on("end", () => lose(new Error("connection ended")));
    c.on("notification", (msg) => {
      const m = msg.channel === TOTALS_VERSION_CHANNEL ? /^([0-9a-f-]{36}):(\d+)$/.exec(msg.payload ?? "") : null;
      if (m) raise(m[1]!, BigInt(m[2]!));
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${TOTALS_VERSION_CHANNEL}`);
      // Caught up only after LISTEN: a commit after this read is notified, one before it is read.
      const { rows } = await c.query<{ campaign_id: string; version: string }>(`SELECT campaign_id::text, version::text FROM totals_cache.versions`);
      if (client !== c) return; // lost meanwhile
      for (const r of rows) raise(r.campaign_id, BigInt(r.version));
      connected = true;
      retryMs = 100;
      const waiting = readyWaiters;
      readyWaiters = [];
      for (const resolve of waiting) resolve();
    } catch (error) {
      if (client === c) lose(error);
    }
  };

  const listener: TotalsVersionListener = {
    currentVersion(campaignId) {
      if (!connected) return undefined;
      return (versions.get(campaignId) ?? 0n).toString();
    },
    get connected() {
      return connected;
    },
    ready() {
      if (connected) return Promise.resolve();
      return new Promise((resolve) => readyWaiters.push(resolve));
    },
    waitForVersion(campaignId, version) {
      const id = campaignId.toLowerCase();
      const wanted = BigInt(version);
      if ((versions.get(id) ?? -1n) >= wanted) return Promise.resolve();
      return new Promise((resolve) => waiters.add({ campaignId: id, version: wanted, resolve }));
    },
    async close() {
      closed = true;
      detachVersionFeed(db);
      // Nobody is left to wait for: let them go (they read the version themselves from now on).
      for (const w of waiters) w.resolve();
      waiters.clear();
      for (const resolve of readyWaiters) resolve();
      readyWaiters = [];
      if (retryTimer) clearTimeout(retryTimer);
      const c = client;
      client = undefined;
      connected = false;
      if (c) {
        c.removeAllListeners();
        c.on("error", () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
  attachVersionFeed(db, listener);
  void connect();
  return listener;
}
