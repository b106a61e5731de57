// /dev/sms: the console provider's "phones" (city-union admins, only while no Twilio credentials
// are configured): each worker's inbox as the phone would show it, masked, and a form to answer
// as the worker would (1 / 2 / TD / anything), handled by the same service as Twilio's webhook.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { AppError } from "../errors.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { serviceContext } from "../routes/service-context.ts";
import { listConsoleInboxes, simulateConsoleReply, type Inbox } from "../services/sms/dev-inbox.ts";
import { assertCsrf } from "./index.tsx";
import { Layout, layoutUser } from "./layout.tsx";

const styles = `
  .phones { display:grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap:16px; }
  .phone { border:8px solid #111; border-radius:24px; padding:12px; background:#f1f5f9; min-height:200px; }
  .phone h3 { margin:0 0 8px; font-size:15px; text-align:center; }
  .bubble { border-radius:14px; padding:8px 10px; margin:6px 0; max-width:88%; white-space:pre-wrap; font-size:14px; }
  .out { background:#fff; border:1px solid #e5e7eb; }
  .in { background:#16a34a; color:#fff; margin-left:auto; }
  .meta { font-size:11px; color:#6b7280; }
  .phone form { display:flex; gap:6px; margin-top:8px; }
  .phone input { flex:1; }
  .phone button { margin-top:0; }
`;

const replyForm = z.object({ csrf: z.string(), key: z.string().regex(/^[0-9a-f]{64}$/).optional(), mobile: z.string().max(20).optional(), body: z.string().trim().min(1).max(160) });

function time(at: Date) {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(5, 16).replace("T", " ");
}

function Page(props: { inboxes: Inbox[]; csrf?: string; user: { name: string; org: string }; notice?: string }) {
  return (
    <Layout title="短信收件箱（开发）" user={props.user} csrfToken={props.csrf}>
      <style>{styles}</style>
      <div class="card">
        <h2>短信收件箱 · Console SMS</h2>
        <p class="muted">未配置 Twilio 时，短信不会发出，而是保存在这里。号码已脱敏。</p>
        {props.notice ? <p role="status">{props.notice}</p> : null}
        <form method="post" action="/dev/sms/reply">
          <input type="hidden" name="csrf" value={props.csrf ?? ""} />
          <label for="mobile">模拟其他号码回复 / Reply from any number</label>
          <input id="mobile" name="mobile" placeholder="手机号 / mobile" />
          <input name="body" placeholder="1 / 2 / TD" aria-label="回复内容" />
          <button class="primary" type="submit">发送</button>
        </form>
      </div>
      <div class="phones">
        {props.inboxes.map((inbox) => (
          <div class="phone" data-inbox={inbox.masked}>
            <h3>{inbox.masked}</h3>
            {inbox.messages.map((m) => (
              <div class={`bubble ${m.direction === "inbound" ? "in" : "out"}`}>
                {m.body}
                <div class="meta">{`${time(m.at)} · ${m.status}`}</div>
              </div>
            ))}
            <form method="post" action="/dev/sms/reply">
              <input type="hidden" name="csrf" value={props.csrf ?? ""} />
              <input type="hidden" name="key" value={inbox.key} />
              <input name="body" placeholder="回复 1 / 2 / TD" aria-label={`以 ${inbox.masked} 回复`} />
              <button class="primary" type="submit">回复</button>
            </form>
          </div>
        ))}
        {props.inboxes.length === 0 ? <p class="muted">还没有短信。</p> : null}
      </div>
    </Layout>
  );
}

function gate(c: Context<AppEnv>, deps: AppDeps) {
  const principal = c.get("principal");
  if (!principal) return "login" as const;
  if (principal.orgKind !== "CITY_UNION" || principal.role !== "ADMIN") throw new AppError("FORBIDDEN", { detail: "city-union admins only" });
  const c2 = deps.config;
  const twilio = Boolean(c2.TWILIO_ACCOUNT_SID && (c2.TWILIO_AUTH_TOKEN || c2.TWILIO_API_KEY_SID) && (c2.TWILIO_MESSAGING_SERVICE_SID || c2.TWILIO_FROM));
  if (twilio) throw new AppError("NOT_FOUND", { detail: "the console SMS inbox exists only while no Twilio credentials are configured" });
  return principal;
}

export function registerDevSmsPages(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const render = async (c: Context<AppEnv>, notice?: string) => {
    const principal = c.get("principal")!;
    const inboxes = await listConsoleInboxes(serviceContext(c));
    return c.html(<Page inboxes={inboxes} csrf={c.get("csrfToken")} user={layoutUser(principal)} notice={notice} />);
  };

  app.get("/dev/sms", async (c) => {
    if (gate(c, deps) === "login") return c.redirect("/login?next=%2Fdev%2Fsms", 302);
    return render(c);
  });

  app.post("/dev/sms/reply", async (c) => {
    if (gate(c, deps) === "login") throw new AppError("UNAUTHENTICATED");
    const form = replyForm.safeParse(Object.fromEntries((await c.req.formData()).entries()));
    if (!form.success) throw new AppError("VALIDATION_FAILED", { detail: "body (1–160 characters) and an inbox or a number are required" });
    await assertCsrf(c, form.data.csrf);
    if (!form.data.key && !form.data.mobile) throw new AppError("VALIDATION_FAILED", { detail: "an inbox or a number is required" });
    const result = await simulateConsoleReply({ ...serviceContext(c), config: deps.config }, { key: form.data.key, mobile: form.data.mobile || undefined, body: form.data.body });
    return render(c, `${result.masked} 回复「${form.data.body}」→ ${result.reply}`);
  });
}
