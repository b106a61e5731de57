// The frame of every server-rendered page: Chinese first, readable on a phone and a projector,
// no front-end build step.
import type { Child } from "hono/jsx";
import type { Principal } from "../auth/principal.ts";

export const baseStyles = `
  :root { --ink:#1f2937; --muted:#6b7280; --brand:#b91c1c; --bg:#f8fafc; --card:#fff; --line:#e5e7eb; }
  * { box-sizing: border-box; }
  body { margin:0; font-family: "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif; color:var(--ink); background:var(--bg); font-size:16px; }
  header { background:var(--brand); color:#fff; padding:12px 20px; display:flex; align-items:center; gap:16px; flex-wrap:wrap; }
  header h1 { font-size:20px; margin:0; font-weight:600; }
  header nav { margin-left:auto; display:flex; gap:12px; align-items:center; }
  header a, header button { color:#fff; background:none; border:0; font:inherit; cursor:pointer; text-decoration:underline; }
  main { max-width:1100px; margin:0 auto; padding:20px; }
  .card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:18px; margin-bottom:16px; }
  label { display:block; margin:10px 0 4px; }
  input, select, textarea { font:inherit; padding:8px 10px; border:1px solid var(--line); border-radius:6px; width:100%; max-width:420px; }
  button.primary { background:var(--brand); color:#fff; border:0; border-radius:6px; padding:10px 18px; font:inherit; cursor:pointer; margin-top:14px; }
  .error { color:#b91c1c; background:#fef2f2; border:1px solid #fecaca; padding:10px; border-radius:6px; }
  .muted { color:var(--muted); }
  table { border-collapse:collapse; width:100%; }
  th, td { border-bottom:1px solid var(--line); padding:8px; text-align:left; }
`;

/** The header's "organisation · user" of the logged-in person. */
export function layoutUser(principal: Principal): { name: string; org: string } {
  return { name: principal.actorLabel.replace(/^user:/, ""), org: principal.orgName };
}

export function Layout(props: { title: string; user?: { name: string; org: string }; csrfToken?: string; children: Child }) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · 平安返乡`}</title>
        <style>{baseStyles}</style>
      </head>
      <body>
        <header>
          <h1>平安返乡 · homeward</h1>
          {props.user ? (
            <nav>
              <span>
                {props.user.org} · {props.user.name}
              </span>
              <a href="/">首页</a>
              <form method="post" action="/logout" style="display:inline">
                <input type="hidden" name="csrf" value={props.csrfToken ?? ""} />
                <button type="submit">退出</button>
              </form>
            </nav>
          ) : null}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
