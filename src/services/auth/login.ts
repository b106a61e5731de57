// Person logins for the web pages: scrypt-verified password, a session row holding only the
// token's hash, and a fixed-window throttle per user name and per client address kept in
// PostgreSQL (shared by every API instance and the Workers entry).
import type { Config } from "../../config.ts";
import type { Db } from "../../db/types.ts";
import { AppError } from "../../errors.ts";
import { recordAudit } from "../audit.ts";
import { randomToken, sha256Hex, verifyPassword } from "./secrets.ts";

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

async function failuresInWindow(db: Db, key: string, windowSeconds: number): Promise<number> {
  const bucket = await db.rateLimitBucket.findUnique({ where: { key } });
  if (!bucket || bucket.windowStart.getTime() < Date.now() - windowSeconds * 1000) return 0;
  return bucket.count;
}

async function countFailure(db: Db, key: string, windowSeconds: number): Promise<void> {
  await db.$executeRaw`
    INSERT INTO rate_limit_buckets (key, window_start, count) VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limit_buckets.window_start < now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE rate_limit_buckets.count + 1 END,
      window_start = CASE WHEN rate_limit_buckets.window_start < now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE rate_limit_buckets.window_start END`;
}

export async function login(
  db: Db,
  config: Pick<Config, "LOGIN_MAX_ATTEMPTS" | "LOGIN_WINDOW_SECONDS" | "SESSION_TTL_HOURS">,
  input: { username: string; password: string; clientAddress: string; requestId?: string },
): Promise<LoginResult> {
  const username = input.username.trim().toLowerCase();
  const keys = [`login:user:${username}`, `login:addr:${input.clientAddress}`];
  const window = config.LOGIN_WINDOW_SECONDS;
  for (const key of keys) {
    if ((await failuresInWindow(db, key, window)) >= config.LOGIN_MAX_ATTEMPTS) {
      throw new AppError("RATE_LIMITED", { code: "LOGIN_RATE_LIMITED", headers: { "Retry-After": String(window) } });
    }
  }
  const user = await db.user.findUnique({ where: { username } });
  const ok = user && !user.disabledAt ? await verifyPassword(input.password, user.passwordHash) : false;
  if (!user || !ok) {
    for (const key of keys) await countFailure(db, key, window);
    throw new AppError("UNAUTHENTICATED", {
      code: "LOGIN_FAILED",
      message: { zh: "用户名或密码错误", en: "Wrong user name or password" },
    });
  }
  await db.rateLimitBucket.deleteMany({ where: { key: keys[0] } });
  const token = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(Date.now() + config.SESSION_TTL_HOURS * 3600_000);
  await db.$transaction(async (tx) => {
    await tx.session.create({ data: { id: sha256Hex(token), userId: user.id, csrfToken, expiresAt } });
    await recordAudit(tx, { requestId: input.requestId }, {
      action: "auth.login",
      entityType: "user",
      entityId: user.id,
      orgId: user.orgId,
      details: { username },
    });
  });
  return { token, csrfToken, expiresAt };
}

export async function logout(db: Db, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}
