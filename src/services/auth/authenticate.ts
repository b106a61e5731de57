// Turns a presented credential into a Principal, or null. Disabled users, revoked or expired keys
// and expired sessions are all simply "not authenticated".
import type { Principal } from "../../auth/principal.ts";
import type { Db } from "../../db/types.ts";
import { looksLikeApiKey, sha256Hex } from "./secrets.ts";

const orgSelect = { id: true, kind: true, name: true, path: true } as const;

// API keys are looked up on every request, so the principal of a key is kept in process for a
// few seconds (API_KEY_CACHE_TTL_MS), per database client (a WeakMap on the client: on the Workers
// entry, whose client lives for one request, nothing is kept). Bounded (API_KEY_CACHE_MAX, oldest
// first). A key revoked through this process is forgotten at once (forgetApiKey, called by the
// authentication middleware after a revocation); revoked in another process, or expired, it stops
// authenticating here within the TTL (expiry is also checked on every hit): an entry counts from the
// moment its look-up was sent and is never used after the TTL.
//
// Under load, a key's entry is renewed before it expires: once it is REFRESH_AFTER_MS old, the next
// request starts one look-up in the background and is answered from the entry, so requests of a busy
// key never wait for the database. Look-ups of one key are shared (at most one in flight), so an
// expired entry under 200 concurrent requests is one query, not 200 (which also grew the pool).
export const API_KEY_CACHE_TTL_MS = 5_000;
const REFRESH_AFTER_MS = 3_000;
const API_KEY_CACHE_MAX = 1_000;
/** lastUsedAt is informative: written at most once a minute per key, never awaited by the request. */
const LAST_USED_EVERY_MS = 60_000;

interface CachedKey {
  principal: Principal;
  expiresAt: number | null;
  cachedAt: number;
  lastUsedAt: number;
}

interface KeyCache {
  entries: Map<string, CachedKey>;
  lookups: Map<string, Promise<CachedKey | null>>;
  /** Incremented by forgetApiKey: a look-up sent before a revocation must not store its answer. */
  generation: number;
}

const keyCaches = new WeakMap<object, KeyCache>();
/** The clock, replaceable by tests. */
export const apiKeyClock = { now: () => Date.now() };

function keyCacheOf(db: Db): KeyCache {
  let cache = keyCaches.get(db);
  if (!cache) keyCaches.set(db, (cache = { entries: new Map(), lookups: new Map(), generation: 0 }));
  return cache;
}

/** Forget a key (all keys when no id is given), e.g. right after it was revoked. */
export function forgetApiKey(db: Db, keyId?: string): void {
  const cache = keyCaches.get(db);
  if (!cache) return;
  cache.generation++;
  // A look-up already in flight may have read the key before the revocation: later requests must
  // not join it, they start their own.
  cache.lookups.clear();
  for (const [hash, entry] of cache.entries) if (keyId === undefined || entry.principal.actorId === keyId) cache.entries.delete(hash);
}

/** Reads the key (one look-up per key in flight) and stores the answer, unless a key was forgotten meanwhile. */
function lookUpKey(db: Db, cache: KeyCache, hash: string): Promise<CachedKey | null> {
  const inFlight = cache.lookups.get(hash);
  if (inFlight) return inFlight;
  const sentAt = apiKeyClock.now();
  const generation = cache.generation;
  // Started on the next microtask, so that `lookup` is assigned before its `finally` can run.
  const lookup: Promise<CachedKey | null> = Promise.resolve().then(async () => {
    try {
      const key = await db.apiKey.findUnique({ where: { keyHash: hash }, include: { org: { select: orgSelect } } });
      if (!key || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= sentAt)) {
        cache.entries.delete(hash);
        return null;
      }
      const entry: CachedKey = {
        principal: Object.freeze({
          actorType: "API_KEY",
          actorId: key.id,
          actorLabel: `key:${key.prefix}`,
          orgId: key.org.id,
          orgKind: key.org.kind,
          orgName: key.org.name,
          orgPath: key.org.path,
          role: key.role,
        }),
        expiresAt: key.expiresAt?.getTime() ?? null,
        cachedAt: sentAt,
        lastUsedAt: Math.max(key.lastUsedAt?.getTime() ?? 0, cache.entries.get(hash)?.lastUsedAt ?? 0),
      };
      if (cache.generation !== generation) return entry; // answer this request, keep nothing
      cache.entries.delete(hash);
      cache.entries.set(hash, entry);
      if (cache.entries.size > API_KEY_CACHE_MAX) cache.entries.delete(cache.entries.keys().next().value!);
      return entry;
    } finally {
      if (cache.lookups.get(hash) === lookup) cache.lookups.delete(hash);
    }
  });
  cache.lookups.set(hash, lookup);
  return lookup;
}

export async function authenticateApiKey(db: Db, presented: string): Promise<Principal | null> {
  if (!looksLikeApiKey(presented)) return null;
  const hash = sha256Hex(presented);
  const cache = keyCacheOf(db);
  const now = apiKeyClock.now();
  let entry: CachedKey | null | undefined = cache.entries.get(hash);
  if (entry && (now - entry.cachedAt >= API_KEY_CACHE_TTL_MS || now < entry.cachedAt)) {
    cache.entries.delete(hash);
    entry = undefined;
  }
  if (!entry) {
    entry = await lookUpKey(db, cache, hash);
    if (!entry) return null;
  } else if (now - entry.cachedAt >= REFRESH_AFTER_MS) {
    void lookUpKey(db, cache, hash).catch(() => undefined);
  }
  if (entry.expiresAt !== null && entry.expiresAt <= now) {
    cache.entries.delete(hash);
    return null;
  }
  if (now - entry.lastUsedAt > LAST_USED_EVERY_MS) {
    entry.lastUsedAt = now;
    const at = new Date(now);
    // Conditional, so that several processes together still write at most about once a minute.
    void db.apiKey
      .updateMany({ where: { id: entry.principal.actorId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_EVERY_MS) } }] }, data: { lastUsedAt: at } })
      .catch(() => undefined);
  }
  return { ...entry.principal };
}

export interface SessionPrincipal {
  principal: Principal;
  sessionId: string;
  csrfToken: string;
  displayName: string;
}

export async function authenticateSession(db: Db, token: string): Promise<SessionPrincipal | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const sessionId = sha256Hex(token);
  const session = await db.session.findUnique({
    where: { id: sessionId },
    include: { user: { include: { org: { select: orgSelect } } } },
  });
  if (!session || session.expiresAt <= new Date() || session.user.disabledAt) return null;
  const { user } = session;
  return {
    sessionId,
    csrfToken: session.csrfToken,
    displayName: user.displayName,
    principal: userPrincipal(user),
  };
}

/** The principal a logged-in user acts as. */
export function userPrincipal(user: { id: string; username: string; role: Principal["role"]; org: { id: string; kind: Principal["orgKind"]; name: string; path: string } }): Principal {
  return {
    actorType: "USER",
    actorId: user.id,
    actorLabel: `user:${user.username}`,
    orgId: user.org.id,
    orgKind: user.org.kind,
    orgName: user.org.name,
    orgPath: user.org.path,
    role: user.role,
  };
}
