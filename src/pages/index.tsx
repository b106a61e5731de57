// Server-rendered pages for people: login, logout and the home page. Form posts carry a CSRF
// token: the session's token once logged in, a double-submit cookie on the login form itself.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { authenticate, SESSION_COOKIE } from "../http/auth-middleware.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { login, logout } from "../services/auth/login.ts";
import { randomToken, safeEqual } from "../services/auth/secrets.ts";
import { registerDashboardPage } from "./dashboard.tsx";
import { registerDevSmsPages } from "./dev-sms.tsx";
import { registerIntakePages } from "./intake.tsx";
import { Layout, layoutUser } from "./layout.tsx";
import { registerManifestPages } from "./manifests.tsx";
import { registerWagePages } from "./wages.tsx";

const LOGIN_CSRF_COOKIE = "hw_login_csrf";

const kindLabels = { CITY_UNION: "市总工会", DISTRICT_UNION: "区（县）总工会", ENTERPRISE_UNION: "企业工会", TRANSPORT_OPERATOR: "运输企业" } as const;
const roleLabels = { ADMIN: "管理员", STAFF: "工作人员", READ_ONLY: "只读" } as const;

const loginForm = z.object({ username: z.string().trim().min(1).max(100), password: z.string().min(1).max(200), csrf: z.string().min(1), next: z.string().optional() });

function cookieOptions(deps: AppDeps, maxAgeSeconds?: number) {
  const secure = deps.config.COOKIE_SECURE ?? deps.config.NODE_ENV === "production";
  return { httpOnly: true, sameSite: "Lax" as const, secure, path: "/", ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}) };
}

/** Only same-site relative paths may be a post-login destination. */
const safeNext = (next: string | undefined) => (next && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : "/");

export function clientAddress(c: Context<AppEnv>): string {
  const forwarded = c.req.header("cf-connecting-ip") ?? c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return forwarded || incoming?.socket?.remoteAddress || "unknown";
}

/** Form posts from a session must carry its CSRF token. */
export async function assertCsrf(c: Context<AppEnv>, submitted: unknown): Promise<void> {
  const expected = c.get("csrfToken");
  if (!expected || typeof submitted !== "string" || !safeEqual(submitted, expected)) throw new AppError("CSRF_FAILED");
}

function LoginPage(props: { csrf: string; error?: string; next?: string }) {
  return (
    <Layout title="登录">
      <div class="card" style="max-width:460px;margin:40px auto">
        <h2>登录 / Sign in</h2>
        {props.error ? <p class="error" role="alert">{props.error}</p> : null}
        <form method="post" action="/login">
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="next" value={props.next ?? "/"} />
          <label for="username">用户名</label>
          <input id="username" name="username" autocomplete="username" required />
          <label for="password">密码</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
          <button class="primary" type="submit">登录</button>
        </form>
      </div>
    </Layout>
  );
}

export function registerPages(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const withDb = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    c.set("db", deps.db(c.env));
    await next();
  };
  for (const path of ["/", "/login", "/logout", "/admin", "/admin/*", "/dev/*", "/app/*"]) {
    app.use(path, withDb, authenticate);
  }

  app.get("/login", (c) => {
    const csrf = randomToken();
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, cookieOptions(deps, 3600));
    return c.html(<LoginPage csrf={csrf} next={safeNext(c.req.query("next"))} />);
  });

  app.post("/login", async (c) => {
    const form = loginForm.safeParse(Object.fromEntries((await c.req.formData()).entries()));
    const cookie = getCookie(c, LOGIN_CSRF_COOKIE);
    if (!form.success || !cookie || !safeEqual(form.data.csrf, cookie)) throw new AppError("CSRF_FAILED");
    const fresh = randomToken();
    setCookie(c, LOGIN_CSRF_COOKIE, fresh, cookieOptions(deps, 3600));
    try {
      const session = await login(c.get("db"), deps.config, {
        username: form.data.username,
        password: form.data.password,
        clientAddress: clientAddress(c),
        requestId: c.get("requestId"),
      });
      setCookie(c, SESSION_COOKIE, session.token, cookieOptions(deps, deps.config.SESSION_TTL_HOURS * 3600));
      deleteCookie(c, LOGIN_CSRF_COOKIE, { path: "/" });
      return c.redirect(safeNext(form.data.next), 303);
    } catch (error) {
      if (error instanceof AppError && (error.code === "LOGIN_FAILED" || error.code === "LOGIN_RATE_LIMITED")) {
        return c.html(<LoginPage csrf={fresh} error={`${error.localised.zh}（${error.localised.en}）`} next={form.data.next} />, error.status as 401 | 429);
      }
      throw error;
    }
  });

  app.post("/logout", async (c) => {
    const form = Object.fromEntries((await c.req.formData()).entries());
    const sessionId = c.get("sessionId");
    if (sessionId) {
      await assertCsrf(c, form.csrf);
      await logout(c.get("db"), sessionId);
    }
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  });

  app.get("/", (c) => {
    const principal = c.get("principal");
    if (!principal || principal.actorType !== "USER") return c.redirect("/login", 302);
    const isCityAdmin = principal.orgKind === "CITY_UNION" && principal.role === "ADMIN";
    return c.html(
      <Layout title="首页" user={layoutUser(principal)} csrfToken={c.get("csrfToken")}>
        <div class="card">
          <h2>{principal.orgName}</h2>
          <p class="muted">
            {kindLabels[principal.orgKind]} · {roleLabels[principal.role]}
          </p>
        </div>
        <div class="card">
          <h3>常用入口</h3>
          <ul>
            {principal.orgKind !== "TRANSPORT_OPERATOR" ? (
              <li>
                <a href="/app/lists">团体名单（Group ticket lists）</a>
              </li>
            ) : null}
            {principal.orgKind !== "TRANSPORT_OPERATOR" ? (
              <li>
                <a href="/app/wages">欠薪案件（Wage-arrears cases）</a>
              </li>
            ) : null}
            {principal.orgKind !== "TRANSPORT_OPERATOR" ? (
              <li>
                <a href="/app/dashboard">平安返乡统计看板（Totals dashboard）</a>
              </li>
            ) : null}
            <li>
              <a href="/app/manifests">乘车名单（Manifests）</a>
            </li>
            <li>
              <a href="/docs">接口文档（API docs）</a>
            </li>
            {isCityAdmin ? (
              <li>
                <a href="/admin/queues">任务队列（Queues）</a>
              </li>
            ) : null}
          </ul>
        </div>
      </Layout>,
    );
  });

  registerDevSmsPages(app, deps);
  registerDashboardPage(app);
  registerIntakePages(app);
  registerWagePages(app);
  registerManifestPages(app);

  for (const mount of deps.mounts ?? []) {
    app.on("ALL", [mount.path, `${mount.path}/*`], async (c) => {
      const principal = c.get("principal");
      if (!principal) {
        if (c.req.method === "GET" && !c.req.header("authorization")) return c.redirect(`/login?next=${encodeURIComponent(mount.path)}`, 302);
        throw new AppError("UNAUTHENTICATED");
      }
      if (principal.orgKind !== "CITY_UNION" || principal.role !== "ADMIN") throw new AppError("FORBIDDEN");
      return mount.fetch(c.req.raw, c.env);
    });
  }
}
