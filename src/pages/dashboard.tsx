// /app/dashboard: the city union's (and each district's) live 平安返乡 board — headline tiles, bars
// by mode, a table by child organisation, departures by day, wage money recovered. Server-rendered
// from getHomewardTotals (the same numbers as the API), charts as inline SVG, no build step. It
// refreshes itself: a small script re-fetches the board every 30 s (a meta refresh without script).
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { rootOrgId } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../http/env.ts";
import { serviceContext } from "../routes/service-context.ts";
import { MODE_LABEL_ZH, MODE_VEHICLE_UNIT_ZH, type Mode } from "../services/totals/definitions.ts";
import { getHomewardTotals, type HomewardTotals } from "../services/totals/totals.ts";
import { Layout, layoutUser } from "./layout.tsx";

const REFRESH_SECONDS = 30;

const query = z.object({
  campaignId: z.uuid().optional(),
  orgId: z.uuid().optional(),
  fragment: z.literal("1").optional(),
  /** Seconds between refreshes (default 30). */
  refresh: z.coerce.number().int().min(2).max(600).optional(),
});

const styles = `
  main { max-width: 1600px; }
  .dash-head { display:flex; flex-wrap:wrap; gap:12px; align-items:baseline; justify-content:space-between; }
  .dash-head h2 { margin:0; font-size:clamp(20px, 2.4vw, 34px); }
  .tiles { display:grid; grid-template-columns:repeat(auto-fit, minmax(210px, 1fr)); gap:14px; margin:16px 0; }
  .tile { background:#fff; border:1px solid var(--line); border-radius:12px; padding:14px 18px; }
  .tile .label { color:var(--muted); font-size:clamp(14px, 1.2vw, 18px); }
  .tile .big { font-size:clamp(34px, 4.2vw, 64px); font-weight:700; line-height:1.1; color:var(--brand); font-variant-numeric: tabular-nums; }
  .tile .sub { font-size:clamp(13px, 1.1vw, 17px); color:var(--ink); margin-top:4px; }
  .grid2 { display:grid; grid-template-columns:repeat(auto-fit, minmax(min(100%, 520px), 1fr)); gap:16px; }
  .card h3 { margin:0 0 10px; font-size:clamp(16px, 1.4vw, 22px); }
  svg { width:100%; height:auto; display:block; }
  svg text { font-family:inherit; }
  .table-wrap { overflow-x:auto; }
  table.dash td.n, table.dash th.n { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
  table.dash { font-size:clamp(14px, 1.15vw, 19px); }
  table.dash tfoot td { font-weight:700; border-top:2px solid var(--ink); }
  .legend { display:flex; gap:14px; flex-wrap:wrap; font-size:14px; color:var(--muted); }
  .sw { display:inline-block; width:12px; height:12px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
  .muted a { color:inherit; }
  form.pick { display:flex; gap:8px; flex-wrap:wrap; align-items:center; }
  form.pick select { width:auto; }
`;

const COLOURS = { allocated: "#fca5a5", departed: "#b91c1c", boarded: "#1d4ed8" };

const fmt = (n: number) => n.toLocaleString("en-US");

/** A number the browser test reads back: formatted text, exact value in data-value. */
function Num(props: { id?: string; value: number | string }) {
  const text = typeof props.value === "number" ? fmt(props.value) : props.value;
  return (
    <span data-figure={props.id} data-value={String(props.value)}>
      {text}
    </span>
  );
}

function ModeBars(props: { totals: HomewardTotals }) {
  const rows = props.totals.byMode;
  const max = Math.max(1, ...rows.map((r) => r.persons.allocated));
  const rowH = 46;
  const left = 150;
  const width = 760;
  const barW = width - left - 110;
  return (
    <svg viewBox={`0 0 ${width} ${rows.length * rowH + 10}`} role="img" aria-label="按交通方式的人次">
      {rows.map((r, i) => {
        const y = i * rowH + 8;
        const w = (n: number) => (n / max) * barW;
        const unit = MODE_VEHICLE_UNIT_ZH[r.mode as Mode];
        return (
          <g>
            <text x={left - 10} y={y + 18} text-anchor="end" font-size="17" fill="#1f2937">{`${MODE_LABEL_ZH[r.mode as Mode]} ${r.line}`}</text>
            <rect x={left} y={y} width={w(r.persons.allocated)} height={26} fill={COLOURS.allocated} rx="3" />
            <rect x={left} y={y} width={w(r.persons.departed)} height={26} fill={COLOURS.departed} rx="3" />
            <rect x={left} y={y + 28} width={w(r.persons.boarded)} height={5} fill={COLOURS.boarded} />
            <text x={left + w(r.persons.allocated) + 8} y={y + 18} font-size="16" fill="#1f2937" data-mode={r.mode} data-value={String(r.persons.allocated)}>
              {`${fmt(r.persons.allocated)} 人次${r.mode === "GROUP_TICKET" ? "" : ` · ${fmt(r.vehicles.allocated)} ${unit}`}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function DayLine(props: { totals: HomewardTotals }) {
  const days = props.totals.byDay;
  const width = 760;
  const height = 280;
  const pad = { l: 56, r: 16, t: 16, b: 44 };
  if (days.length === 0) return <p class="muted">尚无已发布的乘车安排。</p>;
  const max = Math.max(1, ...days.map((d) => d.persons.allocated));
  const x = (i: number) => pad.l + (days.length === 1 ? (width - pad.l - pad.r) / 2 : (i / (days.length - 1)) * (width - pad.l - pad.r));
  const y = (n: number) => height - pad.b - (n / max) * (height - pad.t - pad.b);
  const line = (key: "allocated" | "departed" | "boarded") => days.map((d, i) => `${x(i).toFixed(1)},${y(d.persons[key]).toFixed(1)}`).join(" ");
  const labelEvery = Math.max(1, Math.ceil(days.length / 10));
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="按日发车人次">
      {[0, 0.5, 1].map((f) => (
        <g>
          <line x1={pad.l} x2={width - pad.r} y1={y(max * f)} y2={y(max * f)} stroke="#e5e7eb" />
          <text x={pad.l - 6} y={y(max * f) + 5} text-anchor="end" font-size="13" fill="#6b7280">{fmt(Math.round(max * f))}</text>
        </g>
      ))}
      <polyline points={line("allocated")} fill="none" stroke={COLOURS.allocated} stroke-width="3" />
      <polyline points={line("departed")} fill="none" stroke={COLOURS.departed} stroke-width="4" />
      <polyline points={line("boarded")} fill="none" stroke={COLOURS.boarded} stroke-width="2" stroke-dasharray="6 4" />
      {days.map((d, i) => (
        <g>
          <circle cx={x(i)} cy={y(d.persons.departed)} r="4" fill={COLOURS.departed} data-day={d.date} data-value={String(d.persons.departed)} />
          {i % labelEvery === 0 ? (
            <text x={x(i)} y={height - pad.b + 20} text-anchor="middle" font-size="13" fill="#6b7280">{d.date.slice(5)}</text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}

function Legend() {
  return (
    <div class="legend">
      <span><i class="sw" style={`background:${COLOURS.allocated}`} />已分配</span>
      <span><i class="sw" style={`background:${COLOURS.departed}`} />已发车</span>
      <span><i class="sw" style={`background:${COLOURS.boarded}`} />已登车</span>
    </div>
  );
}

function Board(props: { totals: HomewardTotals; campaignId: string; refresh: number }) {
  const t = props.totals;
  const a = t.figures["10A"].persons;
  const vehicles = t.byMode.filter((m) => m.mode !== "GROUP_TICKET").reduce((s, m) => s + m.vehicles.allocated, 0);
  const departedVehicles = t.byMode.filter((m) => m.mode !== "GROUP_TICKET").reduce((s, m) => s + m.vehicles.departed, 0);
  const w = t.figures["08C"];
  const link = (orgId: string) => `/app/dashboard?campaignId=${props.campaignId}&orgId=${orgId}`;
  const rows = [...t.byOrganisation, ...(t.own ? [{ id: "", name: "本级", kind: "", persons: t.own.persons, vehicles: null, wages: t.own.wages }] : [])];
  return (
    <div id="board" data-generated-at={t.generatedAt}>
      <div class="tiles">
        <div class="tile">
          <div class="label">帮助农民工平安返乡（人次）10(A) · 已分配</div>
          <div class="big"><Num id="10A.allocated" value={a.allocated} /></div>
        </div>
        <div class="tile">
          <div class="label">已发车（人次）</div>
          <div class="big"><Num id="10A.departed" value={a.departed} /></div>
          <div class="sub">已登车 <Num id="10A.boarded" value={a.boarded} /> 人次</div>
        </div>
        <div class="tile">
          <div class="label">包车、专列、车厢、船、机（辆/列/节/艘/架）</div>
          <div class="big"><Num id="vehicles.allocated" value={vehicles} /></div>
          <div class="sub">已发车 <Num id="vehicles.departed" value={departedVehicles} /></div>
        </div>
        <div class="tile">
          <div class="label">追讨欠薪（万元）08(C)</div>
          <div class="big"><Num id="08C.amountWanYuan" value={w.amountWanYuan} /></div>
          <div class="sub">
            <Num id="08C.workers" value={w.workers} /> 名职工；其中农民工 <Num id="08C.migrantWorkers" value={w.migrantWorkers} /> 名、
            <Num id="08C.migrantAmountWanYuan" value={w.migrantAmountWanYuan} /> 万元
          </div>
        </div>
      </div>

      <div class="grid2">
        <div class="card">
          <h3>按交通方式（人次）</h3>
          <Legend />
          <ModeBars totals={t} />
        </div>
        <div class="card">
          <h3>按日发车（人次）</h3>
          <Legend />
          <DayLine totals={t} />
        </div>
      </div>

      <div class="card">
        <h3>按单位</h3>
        <div class="table-wrap">
          <table class="dash">
            <thead>
              <tr>
                <th>单位</th>
                <th class="n">已分配</th>
                <th class="n">已发车</th>
                <th class="n">已登车</th>
                <th class="n">车辆</th>
                <th class="n">追讨欠薪（万元）</th>
                <th class="n">追讨欠薪（人）</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((o) => (
                <tr data-org={o.id || "own"}>
                  <td>{o.id ? <a href={link(o.id)}>{o.name}</a> : o.name}</td>
                  <td class="n"><Num value={o.persons.allocated} /></td>
                  <td class="n"><Num value={o.persons.departed} /></td>
                  <td class="n"><Num value={o.persons.boarded} /></td>
                  <td class="n">{o.vehicles ? <Num value={o.vehicles.allocated} /> : "—"}</td>
                  <td class="n"><Num value={o.wages.amountWanYuan} /></td>
                  <td class="n"><Num value={o.wages.workers} /></td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td>合计</td>
                <td class="n">{fmt(a.allocated)}</td>
                <td class="n">{fmt(a.departed)}</td>
                <td class="n">{fmt(a.boarded)}</td>
                <td class="n">{fmt(vehicles)}</td>
                <td class="n">{w.amountWanYuan}</td>
                <td class="n">{fmt(w.workers)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
        <p class="muted">车辆按本单位范围内计数：多家企业同乘一辆车，在上级只计一辆，故各行车辆之和可能大于合计。</p>
      </div>
      <p class="muted">
        更新于 <time>{new Date(t.generatedAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false })}</time>，每 {props.refresh} 秒自动刷新 ·
        平台外购票 {t.figures["10G"].manualTickets} 张 · 帮扶中心 {t.figures["10H"].helpCentres} 个 · 返乡补贴 {t.figures["11A"].subsidyWanYuan} 万元 ·{" "}
        <a href={`/v1/totals/statistics-form?campaignId=${props.campaignId}&orgId=${t.organisation.id}`}>导出统计表（XLSX）</a>
      </p>
    </div>
  );
}

// Re-fetches the board (same URL, fragment=1) and swaps it in; keeps the old one if a fetch fails.
const refreshScript = (seconds: number) => `
(function(){
  var url = new URL(location.href); url.searchParams.set('fragment','1');
  setInterval(function(){
    fetch(url, {credentials:'same-origin', headers:{accept:'text/html'}}).then(function(r){ return r.ok ? r.text() : null; })
      .then(function(html){ if (html) { var el = document.getElementById('board'); if (el) el.outerHTML = html; } }).catch(function(){});
  }, ${seconds * 1000});
})();`;

async function pickCampaign(c: Context<AppEnv>, wanted: string | undefined) {
  const principal = c.get("principal")!;
  const campaigns = await c.get("db").campaign.findMany({
    where: { cityOrgId: rootOrgId(principal) },
    orderBy: [{ departureStart: "desc" }, { createdAt: "desc" }],
    select: { id: true, name: true },
  });
  const current = campaigns.find((x) => x.id === wanted) ?? campaigns[0];
  return { campaigns, current };
}

export function registerDashboardPage(app: OpenAPIHono<AppEnv>) {
  app.get("/app/dashboard", async (c) => {
    const principal = c.get("principal");
    if (!principal) {
      const here = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(here.pathname + here.search)}`, 302);
    }
    if (principal.orgKind === "TRANSPORT_OPERATOR") throw new AppError("FORBIDDEN", { detail: "the dashboard is for unions" });
    const q = query.safeParse(c.req.query());
    if (!q.success) throw new AppError("VALIDATION_FAILED", { detail: "campaignId and orgId must be ids" });
    const { campaigns, current } = await pickCampaign(c, q.data.campaignId);
    const user = layoutUser(principal);
    if (!current) {
      return c.html(
        <Layout title="平安返乡统计" user={user} csrfToken={c.get("csrfToken")}>
          <div class="card"><p>本市尚未创建平安返乡活动。</p></div>
        </Layout>,
      );
    }
    const totals = await getHomewardTotals(serviceContext(c), { campaignId: current.id, orgId: q.data.orgId });
    c.header("cache-control", "no-store");
    if (q.data.fragment) return c.html(<Board totals={totals} campaignId={current.id} refresh={q.data.refresh ?? REFRESH_SECONDS} />);
    const isOwn = totals.organisation.id === principal.orgId;
    const refresh = q.data.refresh ?? REFRESH_SECONDS;
    return c.html(
      <Layout title={`平安返乡统计 · ${totals.organisation.name}`} user={user} csrfToken={c.get("csrfToken")}>
        <style dangerouslySetInnerHTML={{ __html: styles }} />
        <noscript>
          <meta http-equiv="refresh" content={String(refresh * 2)} />
        </noscript>
        <div class="dash-head">
          <h2>
            {totals.organisation.name} · 平安返乡实时统计
          </h2>
          <form class="pick" method="get" action="/app/dashboard">
            <label for="campaignId" style="margin:0">活动</label>
            <select id="campaignId" name="campaignId" onchange="this.form.submit()">
              {campaigns.map((x) => (
                <option value={x.id} selected={x.id === current.id}>{x.name}</option>
              ))}
            </select>
            {q.data.orgId ? <input type="hidden" name="orgId" value={q.data.orgId} /> : null}
            <noscript><button type="submit">查看</button></noscript>
          </form>
        </div>
        {isOwn ? null : (
          <p class="muted">
            <a href={`/app/dashboard?campaignId=${current.id}`}>← 返回本单位</a>
          </p>
        )}
        <Board totals={totals} campaignId={current.id} refresh={refresh} />
        <script dangerouslySetInnerHTML={{ __html: refreshScript(refresh) }} />
      </Layout>,
    );
  });
}
