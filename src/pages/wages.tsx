// 欠薪案件 pages for case officers of the enterprise, district and city unions: the case list with
// filters (status, district, overdue) and the subtree's recovered totals, a form to register a case,
// and one case with its deadlines, named workers (masked), timeline and payments, with forms to
// move it on, record a payment and add a timeline entry. Server-rendered; every post carries the
// session's CSRF token and goes through the same services and schemas as the API.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { isAllowed, UNION_KINDS } from "../auth/policy.ts";
import { AppError } from "../errors.ts";
import type { AppEnv } from "../http/env.ts";
import { serviceContext } from "../routes/service-context.ts";
import { listCampaigns } from "../services/campaigns/campaigns.ts";
import { listOrganisations } from "../services/identity/organisations.ts";
import { addWageCaseEvent, createWageCase, getWageCase, listWageCases, transitionWageCase } from "../services/wages/cases.ts";
import { getWageFigures } from "../services/wages/figures.ts";
import { recordWageRecovery, recordWageRecoveryBodySchema } from "../services/wages/recoveries.ts";
import { addWageCaseEventSchema, createWageCaseSchema, transitionWageCaseSchema } from "../wages/schemas.ts";
import {
  CASE_SOURCE_LABELS,
  CASE_SOURCES,
  HANDLING_ORG_LABELS,
  OFFICER_EVENT_KINDS,
  PAYMENT_METHOD_LABELS,
  PAYMENT_METHODS,
  TRANSFER_TARGETS,
  WAGE_CASE_EVENT_KIND_LABELS,
} from "../wages/vocabulary.ts";
import { isReasonRequired, WAGE_CASE_STATUS_LABELS, WAGE_CASE_STATUSES, type WageCaseStatus } from "../wages/workflow.ts";
import { assertCsrf } from "./index.tsx";
import { Layout, layoutUser } from "./layout.tsx";

const READERS = { kinds: UNION_KINDS, minRole: "READ_ONLY" } as const;
const OFFICERS = { kinds: UNION_KINDS, minRole: "STAFF" } as const;

const pageStyles = `
  .row { display:flex; gap:12px; flex-wrap:wrap; align-items:flex-end; }
  .row > div { flex: 0 1 auto; }
  .row input, .row select { width:auto; }
  .badge { display:inline-block; padding:2px 8px; border-radius:10px; background:#eef2ff; font-size:14px; }
  .late { color:#b91c1c; font-weight:600; }
  .notice { background:#f0fdf4; border:1px solid #bbf7d0; padding:10px; border-radius:6px; }
  .figures { display:flex; gap:24px; flex-wrap:wrap; }
  .figures div { min-width:160px; } .figures strong { font-size:22px; display:block; }
  .small { font:inherit; font-size:14px; padding:4px 10px; border-radius:6px; border:1px solid var(--line); background:#fff; cursor:pointer; }
  dl { display:grid; grid-template-columns: max-content 1fr; gap:6px 16px; } dt { color:var(--muted); }
  .cols { display:grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap:16px; }
`;

function Page(props: { c: Context<AppEnv>; title: string; children: unknown }) {
  return (
    <Layout title={props.title} user={layoutUser(props.c.get("principal")!)} csrfToken={props.c.get("csrfToken")}>
      <style>{pageStyles}</style>
      <p>
        <a href="/app/wages">欠薪案件</a>
      </p>
      {props.children as never}
    </Layout>
  );
}

const problemText = (error: unknown) =>
  error instanceof AppError
    ? [error.localised.zh, ...(error.errors ?? []).slice(0, 20).map((e) => `${e.path.replace(/^json\./, "")}：${e.message.zh}`)].join("；")
    : "操作失败，请稍后再试";

function zodText(issues: { path: PropertyKey[]; message: string; params?: { zh?: string } }[]) {
  return issues
    .slice(0, 20)
    .map((issue) => `${issue.path.map(String).join(".")}：${(issue as { params?: { zh?: string } }).params?.zh ?? issue.message}`)
    .join("；");
}

const text = (form: Record<string, string>, name: string) => (form[name] ?? "").trim();
const optional = (value: string) => (value === "" ? undefined : value);
const int = (value: string) => (/^\d+$/.test(value) ? Number(value) : value);

function Messages(props: { c: Context<AppEnv> }) {
  const msg = props.c.req.query("msg");
  const error = props.c.req.query("error");
  return (
    <>
      {msg ? (
        <p class="notice" role="status">
          {msg}
        </p>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

function requireUser(c: Context<AppEnv>) {
  const principal = c.get("principal");
  if (!principal || principal.actorType !== "USER") return undefined;
  if (!isAllowed(principal, READERS)) throw new AppError("FORBIDDEN");
  return principal;
}

export function registerWagePages(app: OpenAPIHono<AppEnv>) {
  const login = (c: Context<AppEnv>) => c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 302);
  const back = (path: string, kind: "msg" | "error", message: string) => `${path}${path.includes("?") ? "&" : "?"}${kind}=${encodeURIComponent(message)}`;

  app.get("/app/wages", async (c) => {
    const principal = requireUser(c);
    if (!principal) return login(c);
    const ctx = serviceContext(c);
    const campaigns = await listCampaigns(ctx);
    const campaign = campaigns.find((k) => k.id === c.req.query("campaignId")) ?? campaigns.find((k) => k.status === "OPEN") ?? campaigns[0];
    const orgs = (await listOrganisations(ctx, {})).filter((org) => org.kind !== "TRANSPORT_OPERATOR");
    const statusQuery = c.req.query("status");
    const status = WAGE_CASE_STATUSES.find((s) => s === statusQuery);
    const orgId = orgs.find((org) => org.id === c.req.query("orgId"))?.id;
    const overdue = c.req.query("overdue") === "true" ? true : undefined;
    const employer = optional((c.req.query("employer") ?? "").trim().slice(0, 200));
    const page = Math.max(1, Number(c.req.query("page")) || 1);
    const list = campaign
      ? await listWageCases(ctx, { campaignId: campaign.id, status: status ? [status] : undefined, orgId, overdue, employer, page, pageSize: 50 })
      : { items: [], total: 0, page: 1, pageSize: 50 };
    const figures = campaign ? await getWageFigures(ctx, { campaignId: campaign.id, orgId }) : null;
    const canCreate = isAllowed(principal, OFFICERS);
    const districts = orgs.filter((org) => org.kind === "DISTRICT_UNION");
    return c.html(
      <Page c={c} title="欠薪案件">
        <Messages c={c} />
        <div class="card">
          <h2>追讨欠薪案件</h2>
          {campaign ? <p class="muted">{campaign.name}：清欠截止日期（返乡前发放）{campaign.paidBeforeDate}</p> : <p class="muted">暂无活动。</p>}
          {figures ? (
            <div class="figures" id="figures">
              <div>
                案件总数<strong>{figures.cases.total}</strong>
              </div>
              <div>
                在办<strong>{figures.cases.open}</strong>
              </div>
              <div>
                逾期<strong class={figures.cases.overdue > 0 ? "late" : ""}>{figures.cases.overdue}</strong>
              </div>
              <div>
                帮助职工追回欠薪
                <strong id="figure-recovered">{figures.recovered.all.amount.wanYuan} 万元</strong>
                {figures.recovered.all.workers} 人
              </div>
              <div>
                其中农民工
                <strong>{figures.recovered.migrant.amount.wanYuan} 万元</strong>
                {figures.recovered.migrant.workers} 人
              </div>
            </div>
          ) : null}
        </div>
        <div class="card">
          <form method="get" action="/app/wages" class="row" id="filters">
            {campaign ? <input type="hidden" name="campaignId" value={campaign.id} /> : null}
            <div>
              <label for="status">状态</label>
              <select id="status" name="status">
                <option value="">全部</option>
                {WAGE_CASE_STATUSES.map((s) => (
                  <option value={s} selected={s === status}>
                    {WAGE_CASE_STATUS_LABELS[s].zh}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="orgId">区县 / 单位</label>
              <select id="orgId" name="orgId">
                <option value="">全部</option>
                {orgs.map((org) => (
                  <option value={org.id} selected={org.id === orgId}>
                    {org.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="employer">用人单位 / 信用代码 / 案号</label>
              <input id="employer" name="employer" value={employer ?? ""} maxlength={200} />
            </div>
            <div>
              <label>
                <input type="checkbox" name="overdue" value="true" checked={overdue === true} style="width:auto" /> 只看逾期
              </label>
            </div>
            <button class="small" type="submit">
              筛选
            </button>
          </form>
          <p class="muted">共 {list.total} 件</p>
          <table id="cases">
            <thead>
              <tr>
                <th>案号</th>
                <th>用人单位</th>
                <th>所属</th>
                <th>状态</th>
                <th>欠薪（元）</th>
                <th>已追回（元）</th>
                <th>登记 / 受理期限</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => (
                <tr>
                  <td>
                    <a href={`/app/wages/${item.id}`}>{item.caseNo}</a>
                  </td>
                  <td>{item.employer.name}</td>
                  <td>{item.orgName}</td>
                  <td>
                    <span class="badge">{item.statusLabel.zh}</span> {item.overdue.overdue ? <span class="late">逾期</span> : null}
                  </td>
                  <td>{item.owed.yuan}</td>
                  <td>{item.recovered.amount.yuan}</td>
                  <td>
                    {item.registeredOn} / {item.acceptanceDueOn ?? "待载入节假日安排"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.total > page * list.pageSize ? (
            <p>
              <a href={`/app/wages?${new URLSearchParams({ ...(campaign ? { campaignId: campaign.id } : {}), ...(status ? { status } : {}), ...(orgId ? { orgId } : {}), ...(overdue ? { overdue: "true" } : {}), ...(employer ? { employer } : {}), page: String(page + 1) }).toString()}`}>下一页</a>
            </p>
          ) : null}
        </div>
        {campaign && canCreate ? (
          <div class="card">
            <h3>登记新案件</h3>
            <form method="post" action="/app/wages" id="create-form">
              <input type="hidden" name="csrf" value={c.get("csrfToken") ?? ""} />
              <input type="hidden" name="campaignId" value={campaign.id} />
              <input type="hidden" name="reportingOrgId" value={principal.orgId} />
              <div class="cols">
                <div>
                  <label for="source">线索来源</label>
                  <select id="source" name="source">
                    {CASE_SOURCES.map((s) => (
                      <option value={s}>{CASE_SOURCE_LABELS[s].zh}</option>
                    ))}
                  </select>
                  <label for="employerName">用人单位名称</label>
                  <input id="employerName" name="employerName" required maxlength={200} />
                  <label for="employerUscc">统一社会信用代码</label>
                  <input id="employerUscc" name="employerUscc" maxlength={40} />
                  <label for="employerAddress">地址</label>
                  <input id="employerAddress" name="employerAddress" required maxlength={300} />
                  <label for="districtCode">所在区（县）</label>
                  <select id="districtCode" name="districtCode">
                    {districts.map((d) => (
                      <option value={d.regionCode}>
                        {d.name}（{d.regionCode}）
                      </option>
                    ))}
                    {districts.length === 0 ? <option value="">—</option> : null}
                  </select>
                </div>
                <div>
                  <label for="workersCount">涉及职工人数</label>
                  <input id="workersCount" name="workersCount" inputmode="numeric" required />
                  <label for="migrantCount">其中农民工人数</label>
                  <input id="migrantCount" name="migrantCount" inputmode="numeric" required />
                  <label for="owedYuan">欠薪金额（元）</label>
                  <input id="owedYuan" name="owedYuan" placeholder="例如 12345.67 或 1.2万" required />
                  <label for="periodFrom">欠薪期间自</label>
                  <input id="periodFrom" name="periodFrom" type="date" required />
                  <label for="periodTo">至</label>
                  <input id="periodTo" name="periodTo" type="date" required />
                  <label for="projectName">建设项目名称（建筑领域填写）</label>
                  <input id="projectName" name="projectName" maxlength={200} />
                  <label for="contractorName">总承包单位</label>
                  <input id="contractorName" name="contractorName" maxlength={200} />
                  <label for="contractorUscc">总承包单位统一社会信用代码</label>
                  <input id="contractorUscc" name="contractorUscc" maxlength={40} />
                </div>
              </div>
              <label for="notes">案情摘要</label>
              <textarea id="notes" name="notes" maxlength={2000} rows={3}></textarea>
              <button class="primary" type="submit">
                登记
              </button>
            </form>
          </div>
        ) : null}
      </Page>,
    );
  });

  app.post("/app/wages", async (c) => {
    if (!requireUser(c)) return login(c);
    const form = Object.fromEntries([...(await c.req.formData()).entries()].map(([k, v]) => [k, typeof v === "string" ? v : ""]));
    await assertCsrf(c, form.csrf);
    const project = text(form, "projectName");
    const parsed = createWageCaseSchema.safeParse({
      campaignId: text(form, "campaignId"),
      reportingOrgId: text(form, "reportingOrgId"),
      source: text(form, "source"),
      employer: { name: text(form, "employerName"), uscc: optional(text(form, "employerUscc")), address: text(form, "employerAddress"), districtCode: text(form, "districtCode") },
      ...(project ? { constructionProject: { name: project, generalContractor: { name: text(form, "contractorName"), uscc: text(form, "contractorUscc") } } } : {}),
      workers: { count: int(text(form, "workersCount")), migrantCount: int(text(form, "migrantCount")) },
      owedYuan: text(form, "owedYuan"),
      period: { from: text(form, "periodFrom"), to: text(form, "periodTo") },
      notes: optional(text(form, "notes")),
    });
    if (!parsed.success) return c.redirect(back("/app/wages", "error", `未登记：${zodText(parsed.error.issues)}`), 303);
    try {
      const created = await createWageCase(serviceContext(c), parsed.data);
      return c.redirect(back(`/app/wages/${created.id}`, "msg", `已登记，案号 ${created.caseNo}`), 303);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return c.redirect(back("/app/wages", "error", `未登记：${problemText(error)}`), 303);
      throw error;
    }
  });

  app.get("/app/wages/:id", async (c) => {
    const principal = requireUser(c);
    if (!principal) return login(c);
    const id = c.req.param("id");
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("NOT_FOUND");
    const wageCase = await getWageCase(serviceContext(c), id);
    const canAct = isAllowed(principal, OFFICERS);
    const csrf = c.get("csrfToken") ?? "";
    return c.html(
      <Page c={c} title={`案件 ${wageCase.caseNo}`}>
        <Messages c={c} />
        <div class="card" id="case">
          <h2>
            {wageCase.caseNo} · {wageCase.employer.name}
          </h2>
          <p>
            <span class="badge" id="case-status">
              {wageCase.statusLabel.zh}
            </span>{" "}
            {wageCase.overdue.overdue ? <span class="late">已逾期{wageCase.escalatedAt ? "（已督办）" : ""}</span> : null}
          </p>
          <dl>
            <dt>所属单位</dt>
            <dd>{wageCase.orgName}</dd>
            <dt>统一社会信用代码</dt>
            <dd>{wageCase.employer.uscc ?? "—"}</dd>
            <dt>地址</dt>
            <dd>{wageCase.employer.address}</dd>
            {wageCase.constructionProject ? (
              <>
                <dt>建设项目 / 总承包</dt>
                <dd>
                  {wageCase.constructionProject.name} / {wageCase.constructionProject.generalContractor.name}（{wageCase.constructionProject.generalContractor.uscc}）
                </dd>
              </>
            ) : null}
            <dt>涉及职工</dt>
            <dd>
              {wageCase.workers.count} 人，其中农民工 {wageCase.workers.migrantCount} 人
            </dd>
            <dt>欠薪金额</dt>
            <dd>
              {wageCase.owed.yuan} 元（{wageCase.owed.wanYuan} 万元）
              {wageCase.period ? `，${wageCase.period.from} 至 ${wageCase.period.to}` : ""}
            </dd>
            <dt>已追回</dt>
            <dd id="case-recovered">{wageCase.recovered.amount.yuan} 元</dd>
            <dt>尚欠</dt>
            <dd id="case-outstanding">{wageCase.recovered.outstanding.yuan} 元</dd>
            <dt>获付职工</dt>
            <dd>
              {wageCase.recovered.workersPaid} 人，其中农民工 {wageCase.recovered.migrantWorkersPaid} 人
            </dd>
            <dt>承办</dt>
            <dd>{HANDLING_ORG_LABELS[wageCase.handlingOrg].zh}</dd>
            <dt>登记日期</dt>
            <dd>
              {wageCase.registeredOn}（已 {wageCase.ageDays} 天）
            </dd>
            <dt>受理期限（5 个工作日）</dt>
            <dd>{wageCase.acceptanceDueOn ?? "待市总工会载入当年节假日安排后计算"}</dd>
            <dt>返乡前清欠目标</dt>
            <dd>{wageCase.resolutionTargetOn ?? "—"}</dd>
            {wageCase.rejectReason ? (
              <>
                <dt>不予处理理由</dt>
                <dd>{wageCase.rejectReason}</dd>
              </>
            ) : null}
          </dl>
        </div>
        {canAct ? (
          <div class="cols">
            {wageCase.allowedTransitions.length > 0 ? (
              <div class="card">
                <h3>办理</h3>
                <form method="post" action={`/app/wages/${wageCase.id}/transition`} id="transition-form">
                  <input type="hidden" name="csrf" value={csrf} />
                  <input type="hidden" name="expectedVersion" value={String(wageCase.version)} />
                  <label for="to">变更为</label>
                  <select id="to" name="to">
                    {wageCase.allowedTransitions.map((s) => (
                      <option value={s}>
                        {WAGE_CASE_STATUS_LABELS[s].zh}
                        {isReasonRequired(wageCase.status, s) ? "（须填理由）" : ""}
                      </option>
                    ))}
                  </select>
                  {wageCase.allowedTransitions.includes("TRANSFERRED") ? (
                    <>
                      <label for="transferTo">移交至（仅移交时填写）</label>
                      <select id="transferTo" name="transferTo">
                        <option value="">—</option>
                        {TRANSFER_TARGETS.map((t) => (
                          <option value={t}>{HANDLING_ORG_LABELS[t].zh}</option>
                        ))}
                      </select>
                    </>
                  ) : null}
                  <label for="reason">理由</label>
                  <input id="reason" name="reason" maxlength={500} />
                  <label for="transition-note">备注</label>
                  <input id="transition-note" name="note" maxlength={2000} />
                  <button class="primary" type="submit">
                    确认
                  </button>
                </form>
              </div>
            ) : null}
            {wageCase.canRecordRecovery ? (
              <div class="card">
                <h3>登记追回款项</h3>
                <form method="post" action={`/app/wages/${wageCase.id}/recovery`} id="recovery-form">
                  <input type="hidden" name="csrf" value={csrf} />
                  <label for="amountYuan">金额（元）</label>
                  <input id="amountYuan" name="amountYuan" placeholder="例如 12345.67" required />
                  <label for="paidOn">发放日期</label>
                  <input id="paidOn" name="paidOn" type="date" required />
                  <label for="workersPaid">获付职工人数</label>
                  <input id="workersPaid" name="workersPaid" inputmode="numeric" required />
                  <label for="migrantWorkersPaid">其中农民工人数</label>
                  <input id="migrantWorkersPaid" name="migrantWorkersPaid" inputmode="numeric" required />
                  <label for="migrantAmountYuan">其中支付给农民工的金额（元，部分为农民工时填写）</label>
                  <input id="migrantAmountYuan" name="migrantAmountYuan" />
                  <label for="method">支付方式</label>
                  <select id="method" name="method">
                    {PAYMENT_METHODS.map((m) => (
                      <option value={m}>{PAYMENT_METHOD_LABELS[m].zh}</option>
                    ))}
                  </select>
                  {wageCase.namedWorkers.length > 0 ? (
                    <fieldset>
                      <legend>获付的列名职工</legend>
                      {wageCase.namedWorkers.map((w) => (
                        <label>
                          <input type="checkbox" name="paidWorkerIds" value={w.id} style="width:auto" /> {w.name} {w.idNumberMasked}
                        </label>
                      ))}
                      <label>
                        <input type="checkbox" name="notifyWorkers" value="true" style="width:auto" /> 短信告知获付职工“工资已追回”
                      </label>
                    </fieldset>
                  ) : null}
                  <label>
                    <input type="checkbox" name="overRecovery" value="true" style="width:auto" /> 超额追回（如含赔偿金）
                  </label>
                  <label for="overRecoveryReason">超额理由</label>
                  <input id="overRecoveryReason" name="overRecoveryReason" maxlength={500} />
                  <label for="recovery-note">备注</label>
                  <input id="recovery-note" name="note" maxlength={2000} />
                  <button class="primary" type="submit">
                    登记款项
                  </button>
                </form>
              </div>
            ) : null}
            <div class="card">
              <h3>添加办理记录</h3>
              <form method="post" action={`/app/wages/${wageCase.id}/event`} id="event-form">
                <input type="hidden" name="csrf" value={csrf} />
                <label for="kind">类型</label>
                <select id="kind" name="kind">
                  {OFFICER_EVENT_KINDS.map((k) => (
                    <option value={k}>{WAGE_CASE_EVENT_KIND_LABELS[k].zh}</option>
                  ))}
                </select>
                <label for="event-note">内容</label>
                <textarea id="event-note" name="note" maxlength={2000} rows={3} required></textarea>
                <button class="primary" type="submit">
                  添加
                </button>
              </form>
            </div>
          </div>
        ) : null}
        {wageCase.namedWorkers.length > 0 ? (
          <div class="card">
            <h3>列名职工</h3>
            <table>
              <thead>
                <tr>
                  <th>姓名</th>
                  <th>身份证号</th>
                  <th>手机</th>
                  <th>已获付</th>
                </tr>
              </thead>
              <tbody>
                {wageCase.namedWorkers.map((w) => (
                  <tr>
                    <td>{w.name}</td>
                    <td>{w.idNumberMasked}</td>
                    <td>{w.mobileMasked ?? "—"}</td>
                    <td>{w.paidAt ? w.paidAt.slice(0, 10) : "否"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <div class="card">
          <h3>追回款项</h3>
          <table id="payments">
            <thead>
              <tr>
                <th>发放日期</th>
                <th>金额（元）</th>
                <th>获付职工（其中农民工）</th>
                <th>方式</th>
                <th>登记人</th>
              </tr>
            </thead>
            <tbody>
              {wageCase.payments.map((p) => (
                <tr>
                  <td>{p.paidOn}</td>
                  <td>
                    {p.amount.yuan}
                    {p.overRecovery ? `（超额：${p.overRecoveryReason ?? ""}）` : ""}
                  </td>
                  <td>
                    {p.workersPaid}（{p.migrantWorkersPaid}）
                  </td>
                  <td>{PAYMENT_METHOD_LABELS[p.method as keyof typeof PAYMENT_METHOD_LABELS]?.zh ?? p.method}</td>
                  <td>{p.createdBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="card">
          <h3>办理过程</h3>
          <table id="timeline">
            <thead>
              <tr>
                <th>时间</th>
                <th>事项</th>
                <th>经办</th>
                <th>说明</th>
              </tr>
            </thead>
            <tbody>
              {wageCase.timeline.map((e) => (
                <tr>
                  <td>{new Date(new Date(e.at).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ")}</td>
                  <td>
                    {e.kindLabel.zh}
                    {e.toStatus && e.kind !== "CREATED" ? `：${WAGE_CASE_STATUS_LABELS[e.toStatus as WageCaseStatus].zh}` : ""}
                  </td>
                  <td>{e.actor.replace(/^user:/, "")}</td>
                  <td>{e.note ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Page>,
    );
  });

  const caseForm = async (c: Context<AppEnv>) => {
    const id = c.req.param("id") ?? "";
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("NOT_FOUND");
    const data = await c.req.formData();
    const form = Object.fromEntries([...data.entries()].map(([k, v]) => [k, typeof v === "string" ? v : ""]));
    await assertCsrf(c, form.csrf);
    return { id, form, all: (name: string) => data.getAll(name).filter((v): v is string => typeof v === "string") };
  };
  const act = async (c: Context<AppEnv>, id: string, done: string, run: () => Promise<unknown>) => {
    try {
      await run();
      return c.redirect(back(`/app/wages/${id}`, "msg", done), 303);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return c.redirect(back(`/app/wages/${id}`, "error", problemText(error)), 303);
      throw error;
    }
  };

  app.post("/app/wages/:id/transition", async (c) => {
    if (!requireUser(c)) return login(c);
    const { id, form } = await caseForm(c);
    const parsed = transitionWageCaseSchema.safeParse({
      to: text(form, "to"),
      reason: optional(text(form, "reason")),
      transferTo: optional(text(form, "transferTo")),
      note: optional(text(form, "note")),
      expectedVersion: int(text(form, "expectedVersion")),
    });
    if (!parsed.success) return c.redirect(back(`/app/wages/${id}`, "error", zodText(parsed.error.issues)), 303);
    return act(c, id, `已变更为“${WAGE_CASE_STATUS_LABELS[parsed.data.to].zh}”`, () => transitionWageCase(serviceContext(c), id, parsed.data));
  });

  app.post("/app/wages/:id/recovery", async (c) => {
    if (!requireUser(c)) return login(c);
    const { id, form, all } = await caseForm(c);
    const parsed = recordWageRecoveryBodySchema.safeParse({
      amountYuan: text(form, "amountYuan"),
      paidOn: text(form, "paidOn"),
      workersPaid: int(text(form, "workersPaid")),
      migrantWorkersPaid: int(text(form, "migrantWorkersPaid")),
      migrantAmountYuan: optional(text(form, "migrantAmountYuan")),
      method: text(form, "method"),
      overRecovery: form.overRecovery === "true",
      overRecoveryReason: optional(text(form, "overRecoveryReason")),
      notifyWorkers: form.notifyWorkers === "true",
      paidWorkerIds: all("paidWorkerIds"),
      note: optional(text(form, "note")),
    });
    if (!parsed.success) return c.redirect(back(`/app/wages/${id}`, "error", zodText(parsed.error.issues)), 303);
    return act(c, id, "已登记追回款项", () => recordWageRecovery(serviceContext(c), id, parsed.data));
  });

  app.post("/app/wages/:id/event", async (c) => {
    if (!requireUser(c)) return login(c);
    const { id, form } = await caseForm(c);
    const parsed = addWageCaseEventSchema.safeParse({ kind: text(form, "kind"), note: text(form, "note") });
    if (!parsed.success) return c.redirect(back(`/app/wages/${id}`, "error", zodText(parsed.error.issues)), 303);
    return act(c, id, "已添加办理记录", () => addWageCaseEvent(serviceContext(c), id, parsed.data));
  });
}
