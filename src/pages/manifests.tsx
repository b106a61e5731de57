// The printable manifest page (乘车名单): what the bus crew, the station and the enterprise print.
// A4 landscape, a header block (for buses the charter sign's fields), then the table.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../http/env.ts";
import { serviceContext } from "../routes/service-context.ts";
import { listCampaigns } from "../services/campaigns/campaigns.ts";
import { localTime, modeLabel, type Table } from "../services/allocation/manifest-formats.ts";
import { listVisibleVehicles } from "../services/allocation/manifests.ts";
import { Layout, layoutUser } from "./layout.tsx";

const printStyles = `
  * { box-sizing: border-box; }
  body { font-family: "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif; color:#111; margin:16px; font-size:13px; }
  h1 { font-size:20px; margin:0 0 10px; }
  dl { display:grid; grid-template-columns: max-content 1fr max-content 1fr; gap:4px 12px; margin:0 0 12px; }
  dt { font-weight:600; }
  dd { margin:0; }
  table { border-collapse:collapse; width:100%; }
  th, td { border:1px solid #444; padding:4px 6px; text-align:left; }
  th { background:#eee; }
  tr { break-inside: avoid; }
  .muted { color:#555; }
  @media print { body { margin:0; } .noprint { display:none; } @page { size: A4 landscape; margin: 12mm; } }
`;

export function ManifestPage(props: { table: Table; note?: string }) {
  const { table } = props;
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{table.title}</title>
        <style>{printStyles}</style>
      </head>
      <body>
        <h1>{table.title}</h1>
        <dl>
          {table.heading.map(([label, value]) => (
            <>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </>
          ))}
        </dl>
        <table>
          <thead>
            <tr>
              <th>序号</th>
              {table.columns.map((c) => (
                <th>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, i) => (
              <tr>
                <td>{i + 1}</td>
                {row.map((cell) => (
                  <td>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {props.note ? <p class="muted">{props.note}</p> : null}
        <p class="muted noprint">打印：Ctrl+P / ⌘P</p>
      </body>
    </html>
  );
}

/** The page as an HTML string (the API answers it with ?format=html). */
export function renderManifestPage(table: Table, note?: string): string {
  return `<!doctype html>${String(<ManifestPage table={table} note={note} />)}`;
}

const formatLinks = (base: string) => (
  <>
    <a href={`${base}?format=html`} target="_blank">打印</a> · <a href={`${base}?format=csv`}>CSV</a> · <a href={`${base}?format=xlsx`}>Excel</a>
  </>
);

/** /app/manifests: the vehicles of the published allocation the person may see, with their manifests. */
export function registerManifestPages(app: OpenAPIHono<AppEnv>) {
  app.get("/app/manifests", async (c: Context<AppEnv>) => {
    const principal = c.get("principal");
    if (!principal || principal.actorType !== "USER") return c.redirect(`/login?next=${encodeURIComponent("/app/manifests")}`, 302);
    const ctx = serviceContext(c);
    const campaigns = await listCampaigns(ctx);
    const campaign = campaigns.find((k) => k.id === c.req.query("campaignId")) ?? campaigns.find((k) => k.status === "OPEN") ?? campaigns[0];
    const visible = campaign ? await listVisibleVehicles(ctx, campaign.id) : { run: null, vehicles: [] };
    const isUnion = principal.orgKind !== "TRANSPORT_OPERATOR";
    return c.html(
      <Layout title="乘车名单" user={layoutUser(principal)} csrfToken={c.get("csrfToken")}>
        <div class="card">
          <h2>乘车名单（Manifests）</h2>
          {campaigns.length > 1 ? (
            <p>
              {campaigns.map((k) => (
                <>
                  <a href={`/app/manifests?campaignId=${k.id}`}>{k.name}</a>{" "}
                </>
              ))}
            </p>
          ) : null}
          {!campaign ? <p class="muted">还没有返乡活动。</p> : !visible.run ? <p class="muted">{campaign.name}：尚未发布分配方案。</p> : (
            <>
              <p>
                {campaign.name} · 第 {visible.run.seq} 次分配方案（已发布）
              </p>
              {isUnion ? <p>本单位乘车安排：{formatLinks(`/v1/campaigns/${campaign.id}/organisations/${principal.orgId}/manifest`)}</p> : null}
            </>
          )}
        </div>
        {visible.vehicles.length ? (
          <div class="card">
            <table>
              <thead>
                <tr>
                  <th>出发时间</th>
                  <th>方式</th>
                  <th>车辆/车次</th>
                  <th>出发地点</th>
                  <th>{isUnion && principal.orgKind !== "CITY_UNION" ? "本单位人数" : "人数"}</th>
                  <th>座位</th>
                  <th>名单</th>
                </tr>
              </thead>
              <tbody>
                {visible.vehicles.map((v) => (
                  <tr>
                    <td>{localTime(v.departureAt)}</td>
                    <td>{modeLabel(v.mode)}</td>
                    <td>{v.label}</td>
                    <td>{v.from}</td>
                    <td>{v.travelers}</td>
                    <td>
                      {v.seatsUsed}/{v.seatsTotal}
                    </td>
                    <td>{formatLinks(`/v1/vehicles/${v.id}/manifest`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Layout>,
    );
  });
}
