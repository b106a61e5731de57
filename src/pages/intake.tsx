// 团体名单 pages for enterprise-union staff (districts and the city read them too): the lists of a
// campaign, the template, a file upload with the mode, the import's progress and row errors, and
// one list with its travellers (masked) to remove or change. Server-rendered; the only script
// polls the import's progress. Every form post carries the session's CSRF token.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import { isAllowed } from "../auth/policy.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../http/env.ts";
import { serviceContext } from "../routes/service-context.ts";
import { listCampaigns } from "../services/campaigns/campaigns.ts";
import { getImportJob, startImport } from "../services/intake/imports.ts";
import { amendTicketList, getTicketList, LIST_OWNER_ACCESS, listTicketLists, withdrawTicketList } from "../services/intake/ticket-lists.ts";
import { assertCsrf } from "./index.tsx";
import { Layout, layoutUser } from "./layout.tsx";

const statusLabels: Record<string, string> = {
  DRAFT: "草稿（导入中）",
  SUBMITTED: "已提交",
  VALIDATED: "已审核",
  ALLOCATED: "已分配座位",
  WITHDRAWN: "已撤回",
  QUEUED: "排队中",
  RUNNING: "导入中",
  SUCCEEDED: "导入成功",
  REJECTED: "未导入（有错误行）",
  FAILED: "导入失败",
};
const preferenceLabels: Record<string, string> = { bus: "汽车", rail: "火车", air: "飞机", any: "不限" };

const pageStyles = `
  .row { display:flex; gap:12px; flex-wrap:wrap; align-items:flex-end; }
  .row > * { flex: 0 1 auto; }
  .badge { display:inline-block; padding:2px 8px; border-radius:10px; background:#eef2ff; font-size:14px; }
  .ok { color:#166534; } .bad { color:#b91c1c; }
  td form { display:inline; margin:0; }
  td button, .small { font:inherit; font-size:14px; padding:4px 10px; border-radius:6px; border:1px solid var(--line); background:#fff; cursor:pointer; }
  .progress { height:12px; background:#e5e7eb; border-radius:6px; overflow:hidden; max-width:420px; }
  .progress > div { height:100%; background:var(--brand); }
  form button.primary { display:block; }
  .notice { background:#f0fdf4; border:1px solid #bbf7d0; padding:10px; border-radius:6px; }
`;

function principalOrLogin(c: Context<AppEnv>) {
  const principal = c.get("principal");
  if (!principal || principal.actorType !== "USER") return undefined;
  return principal;
}

function Page(props: { c: Context<AppEnv>; title: string; children: unknown }) {
  return (
    <Layout title={props.title} user={layoutUser(props.c.get("principal")!)} csrfToken={props.c.get("csrfToken")}>
      <style>{pageStyles}</style>
      {props.children as never}
    </Layout>
  );
}

/** Polls the import's progress and reloads the page when it ends (the id is a validated uuid). */
const pollScript = (importId: string) => `(function(){var id=${JSON.stringify(importId)};function poll(){fetch('/v1/imports/'+id,{credentials:'same-origin'}).then(function(r){return r.json()}).then(function(j){
document.getElementById('rows-done').textContent=j.rowsDone;document.getElementById('rows-committed').textContent=j.rowsCommitted;
document.getElementById('error-count').textContent=j.errorCount;document.getElementById('rows-per-sec').textContent=j.rowsPerSec;
if(['SUCCEEDED','REJECTED','FAILED'].indexOf(j.status)>=0){location.reload();}else{setTimeout(poll,700);}}).catch(function(){setTimeout(poll,2000);});}
setTimeout(poll,500);})();`;

const problemText = (error: unknown) =>
  error instanceof AppError
    ? [`${error.localised.zh}`, ...(error.errors ?? []).slice(0, 20).map((e) => `${e.path}：${e.message.zh}`)].join("\n")
    : "操作失败，请稍后再试";

export function registerIntakePages(app: OpenAPIHono<AppEnv>) {
  const login = (c: Context<AppEnv>) => c.redirect(`/login?next=${encodeURIComponent(c.req.path + (c.req.query("campaignId") ? `?campaignId=${c.req.query("campaignId")}` : ""))}`, 302);

  app.get("/app/lists", async (c) => {
    if (!principalOrLogin(c)) return login(c);
    const ctx = serviceContext(c);
    const campaigns = await listCampaigns(ctx);
    const campaign = campaigns.find((k) => k.id === c.req.query("campaignId")) ?? campaigns.find((k) => k.status === "OPEN") ?? campaigns[0];
    const lists = campaign ? await listTicketLists(ctx, { campaignId: campaign.id }) : [];
    const canSubmit = isAllowed(ctx.principal, LIST_OWNER_ACCESS);
    return c.html(
      <Page c={c} title="团体名单">
        <div class="card">
          <h2>团体名单 · 返乡农民工</h2>
          {campaigns.length > 1 ? (
            <form method="get" action="/app/lists" class="row">
              <div>
                <label for="campaignId">活动</label>
                <select id="campaignId" name="campaignId">
                  {campaigns.map((k) => (
                    <option value={k.id} selected={k.id === campaign?.id}>
                      {k.name}
                    </option>
                  ))}
                </select>
              </div>
              <button class="small" type="submit">切换</button>
            </form>
          ) : null}
          {campaign ? (
            <p class="muted">
              {campaign.name}：出发日期 {campaign.departureWindow.start} 至 {campaign.departureWindow.end}
            </p>
          ) : (
            <p class="muted">暂无活动。</p>
          )}
        </div>
        {campaign && canSubmit ? (
          <div class="card">
            <h3>上传名单</h3>
            <p>
              <a id="template-link" href={`/v1/ticket-list-template.xlsx?campaignId=${campaign.id}`}>
                下载 Excel 模板
              </a>
              <span class="muted">（也可直接上传现有的 Excel 或 CSV 文件，UTF-8 或 GBK 编码均可）</span>
            </p>
            <form id="upload-form" method="post" action={`/app/lists/upload?campaignId=${campaign.id}`} enctype="multipart/form-data">
              <input type="hidden" name="csrf" value={c.get("csrfToken") ?? ""} />
              <label for="file">名单文件（.xlsx / .csv）</label>
              <input id="file" name="file" type="file" accept=".xlsx,.csv,text/csv" required />
              <label for="title">名单名称（可不填）</label>
              <input id="title" name="title" maxlength={200} />
              <label for="mode">有错误行时</label>
              <select id="mode" name="mode">
                <option value="ALL_OR_NOTHING">全部不导入，修改后重新上传（推荐）</option>
                <option value="ACCEPT_VALID">导入正确的行，错误的行下载修改</option>
              </select>
              <label for="sheetName">工作表名称（可不填，默认第一个）</label>
              <input id="sheetName" name="sheetName" maxlength={100} />
              <button class="primary" type="submit">
                上传
              </button>
            </form>
          </div>
        ) : null}
        <div class="card">
          <h3>本活动的名单</h3>
          {lists.length === 0 ? (
            <p class="muted">还没有名单。</p>
          ) : (
            <table id="lists">
              <thead>
                <tr>
                  <th>名单</th>
                  <th>单位</th>
                  <th>状态</th>
                  <th>人数</th>
                  <th>提交时间</th>
                </tr>
              </thead>
              <tbody>
                {lists.map((l) => (
                  <tr>
                    <td>
                      <a href={`/app/lists/${l.id}`}>{l.title}</a>
                    </td>
                    <td>{l.orgName}</td>
                    <td>
                      <span class="badge">{statusLabels[l.status]}</span>
                    </td>
                    <td>{l.travelerCount}</td>
                    <td>{new Date(l.createdAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </Page>,
    );
  });

  const uploadForm = z.object({
    csrf: z.string(),
    file: z.custom<File>((v) => typeof File !== "undefined" && v instanceof File && v.size > 0, "请选择文件"),
    mode: z.enum(["ALL_OR_NOTHING", "ACCEPT_VALID"]).default("ALL_OR_NOTHING"),
    title: z.string().max(200).optional(),
    sheetName: z.string().max(100).optional(),
  });

  app.post("/app/lists/upload", async (c) => {
    if (!principalOrLogin(c)) throw new AppError("UNAUTHENTICATED");
    const body = await c.req.parseBody();
    await assertCsrf(c, body.csrf);
    const campaignId = z.uuid().safeParse(c.req.query("campaignId"));
    const form = uploadForm.safeParse(body);
    if (!campaignId.success || !form.success) {
      throw new AppError("VALIDATION_FAILED", { message: { zh: "请选择要上传的名单文件", en: "Choose the list file to upload" } });
    }
    const { job } = await startImport(serviceContext(c), campaignId.data, {
      bytes: new Uint8Array(await form.data.file.arrayBuffer()),
      fileName: form.data.file.name || undefined,
      mode: form.data.mode,
      title: form.data.title || undefined,
      sheetName: form.data.sheetName || undefined,
    });
    return c.redirect(`/app/imports/${job.id}`, 303);
  });

  app.get("/app/imports/:id", async (c) => {
    if (!principalOrLogin(c)) return login(c);
    const id = z.uuid().safeParse(c.req.param("id"));
    if (!id.success) throw new AppError("NOT_FOUND");
    const job = await getImportJob(serviceContext(c), id.data);
    const finished = ["SUCCEEDED", "REJECTED", "FAILED"].includes(job.status);
    const canDownload = isAllowed(c.get("principal")!, LIST_OWNER_ACCESS) && job.errorCount > 0 && job.status !== "FAILED";
    return c.html(
      <Page c={c} title="导入进度">
        <div class="card" id="import" data-status={job.status}>
          <h2>导入名单：{job.fileName ?? "上传的文件"}</h2>
          <p>
            状态：<span class={job.status === "SUCCEEDED" ? "badge ok" : finished ? "badge bad" : "badge"} id="import-status">{statusLabels[job.status]}</span>
          </p>
          <p id="import-progress">
            已处理 <b id="rows-done">{job.rowsDone}</b> 行，已保存 <b id="rows-committed">{job.rowsCommitted}</b> 行，错误 <b id="error-count">{job.errorCount}</b> 行，速度 <span id="rows-per-sec">{job.rowsPerSec}</span> 行/秒
          </p>
          {job.failure ? (
            <p class="error" role="alert">
              {job.failure.message.zh}
            </p>
          ) : null}
          {job.status === "SUCCEEDED" ? (
            <p class="notice">
              名单已提交，共 {job.rowsCommitted} 人。<a href={`/app/lists/${job.listId}`}>查看名单</a>
            </p>
          ) : null}
          {job.status === "REJECTED" ? <p class="error">文件中有错误行，按“全部不导入”方式未保存任何内容。请修改后重新上传。</p> : null}
          {canDownload ? (
            <p>
              <a href={`/v1/imports/${job.id}/rejected-rows.xlsx`}>下载错误行（Excel，含错误说明）</a>
            </p>
          ) : null}
          {job.conflicts.length > 0 ? (
            <p class="error">有 {job.conflicts.length} 人同时出现在其他单位的名单中，请与对方单位或区总工会核实。</p>
          ) : null}
          <p>
            <a href={`/app/lists?campaignId=${job.campaignId}`}>返回名单列表</a>
          </p>
        </div>
        {job.rejectedRows.length > 0 ? (
          <div class="card">
            <h3>错误行（前 {job.rejectedRows.length} 行）</h3>
            <table id="row-errors">
              <thead>
                <tr>
                  <th>行号</th>
                  <th>列</th>
                  <th>错误</th>
                </tr>
              </thead>
              <tbody>
                {job.rejectedRows.flatMap((r) =>
                  r.errors.map((e) => (
                    <tr>
                      <td>{r.row}</td>
                      <td>{e.column}</td>
                      <td>{e.message.zh}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        ) : null}
        {finished ? null : (
          <script dangerouslySetInnerHTML={{ __html: pollScript(job.id) }} />
        )}
      </Page>,
    );
  });

  app.get("/app/lists/:id", async (c) => {
    if (!principalOrLogin(c)) return login(c);
    const id = z.uuid().safeParse(c.req.param("id"));
    if (!id.success) throw new AppError("NOT_FOUND");
    const list = await getTicketList(serviceContext(c), id.data, { limit: 2000 });
    const principal = c.get("principal")!;
    const canEdit = isAllowed(principal, LIST_OWNER_ACCESS) && principal.orgId === list.orgId && !["WITHDRAWN", "DRAFT"].includes(list.status);
    const csrf = c.get("csrfToken") ?? "";
    const message = c.req.query("msg");
    const error = c.req.query("error");
    return c.html(
      <Page c={c} title={list.title}>
        <div class="card">
          <h2>{list.title}</h2>
          <p>
            状态 <span class="badge" id="list-status">{statusLabels[list.status]}</span> · 共 <b id="traveler-count">{list.travelerCount}</b> 人 · 版本 {list.version}
          </p>
          {message ? <p class="notice">{message}</p> : null}
          {error ? (
            <p class="error" role="alert" style="white-space:pre-line">
              {error}
            </p>
          ) : null}
          {list.conflicts.length > 0 ? (
            <div class="error">
              <b>重复报名提醒：</b>以下人员同时出现在其他单位的名单中（已隐去部分号码）：
              <ul>
                {list.conflicts.map((k) => (
                  <li>
                    {k.idNumberMasked}：{k.sides.map((s) => s.orgName).join("、")}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <p>
            <a href={`/app/lists?campaignId=${list.campaignId}`}>返回名单列表</a>
          </p>
        </div>
        <div class="card">
          <table id="travelers">
            <thead>
              <tr>
                <th>行</th>
                <th>姓名</th>
                <th>身份证号</th>
                <th>手机号</th>
                <th>目的地</th>
                <th>出发日期</th>
                <th>同行组</th>
                <th>偏好</th>
                {canEdit ? <th>操作</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.travelers.map((t) => (
                <tr data-traveler={t.id}>
                  <td>{t.rowNumber}</td>
                  <td>{t.name}</td>
                  <td>{t.idNumberMasked}</td>
                  <td>{t.mobileMasked}</td>
                  <td>{t.destination.name}</td>
                  <td>
                    {t.earliestDate}
                    {t.latestDate !== t.earliestDate ? ` 至 ${t.latestDate}` : ""}
                  </td>
                  <td>{t.group ?? ""}</td>
                  <td>{preferenceLabels[t.preference]}</td>
                  {canEdit ? (
                    <td>
                      <form method="post" action={`/app/lists/${list.id}/amend`}>
                        <input type="hidden" name="csrf" value={csrf} />
                        <input type="hidden" name="version" value={String(list.version)} />
                        <input type="hidden" name="action" value="remove" />
                        <input type="hidden" name="travelerId" value={t.id} />
                        <button type="submit" class="remove">
                          移除
                        </button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {canEdit ? (
          <div class="card">
            <h3>修改旅客信息</h3>
            <form method="post" action={`/app/lists/${list.id}/amend`} id="change-form">
              <input type="hidden" name="csrf" value={csrf} />
              <input type="hidden" name="version" value={String(list.version)} />
              <input type="hidden" name="action" value="change" />
              <label for="travelerId">旅客</label>
              <select id="travelerId" name="travelerId">
                {list.travelers.map((t) => (
                  <option value={t.id}>
                    {t.rowNumber} · {t.name} · {t.idNumberMasked}
                  </option>
                ))}
              </select>
              <p class="muted">只填写需要修改的项目：</p>
              <label for="c-mobile">新手机号</label>
              <input id="c-mobile" name="mobile" inputmode="tel" autocomplete="off" />
              <label for="c-destination">新目的地</label>
              <input id="c-destination" name="destination" />
              <label for="c-earliest">最早出发日期</label>
              <input id="c-earliest" name="earliestDate" type="date" />
              <label for="c-latest">最晚出发日期</label>
              <input id="c-latest" name="latestDate" type="date" />
              <button class="primary" type="submit">
                保存修改
              </button>
            </form>
          </div>
        ) : null}
        {canEdit ? (
          <div class="card">
            <h3>撤回整份名单</h3>
            <form method="post" action={`/app/lists/${list.id}/withdraw`} onsubmit="return confirm('确定撤回整份名单吗？')">
              <input type="hidden" name="csrf" value={csrf} />
              <button class="small" type="submit">
                撤回名单
              </button>
            </form>
          </div>
        ) : null}
      </Page>,
    );
  });

  const amendForm = z.object({
    csrf: z.string(),
    version: z.coerce.number().int().min(1),
    action: z.enum(["remove", "change"]),
    travelerId: z.uuid(),
    mobile: z.string().max(40).optional(),
    destination: z.string().max(100).optional(),
    earliestDate: z.string().max(20).optional(),
    latestDate: z.string().max(20).optional(),
  });

  app.post("/app/lists/:id/amend", async (c) => {
    if (!principalOrLogin(c)) throw new AppError("UNAUTHENTICATED");
    const body = await c.req.parseBody();
    await assertCsrf(c, body.csrf);
    const id = z.uuid().safeParse(c.req.param("id"));
    const form = amendForm.safeParse(body);
    if (!id.success) throw new AppError("NOT_FOUND");
    if (!form.success) return c.redirect(`/app/lists/${id.data}?error=${encodeURIComponent("表单内容不完整")}`, 303);
    const f = form.data;
    const changes = Object.fromEntries(
      (["mobile", "destination", "earliestDate", "latestDate"] as const).filter((k) => f[k] && f[k]!.trim() !== "").map((k) => [k, f[k]!.trim()]),
    );
    try {
      await amendTicketList(
        serviceContext(c),
        id.data,
        f.action === "remove" ? { version: f.version, remove: [f.travelerId] } : { version: f.version, change: [{ travelerId: f.travelerId, ...changes }] },
      );
    } catch (error) {
      if (error instanceof AppError && error.status < 500 && error.status !== 404) {
        return c.redirect(`/app/lists/${id.data}?error=${encodeURIComponent(problemText(error))}`, 303);
      }
      throw error;
    }
    return c.redirect(`/app/lists/${id.data}?msg=${encodeURIComponent(f.action === "remove" ? "已移除" : "已保存修改")}`, 303);
  });

  app.post("/app/lists/:id/withdraw", async (c) => {
    if (!principalOrLogin(c)) throw new AppError("UNAUTHENTICATED");
    const body = await c.req.parseBody();
    await assertCsrf(c, body.csrf);
    const id = z.uuid().safeParse(c.req.param("id"));
    if (!id.success) throw new AppError("NOT_FOUND");
    await withdrawTicketList(serviceContext(c), id.data);
    return c.redirect(`/app/lists/${id.data}?msg=${encodeURIComponent("名单已撤回")}`, 303);
  });

}
