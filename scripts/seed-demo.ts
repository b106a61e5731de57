// `npm run seed:demo [-- --json] [-- --travelers N]`: a realistic Suzhou demo — 苏州市总工会, its ten
// district unions, 40 enterprise unions, the bus company and the railway station, a login per
// organisation and the 2027 Spring Festival campaign; then, through the services as those logins
// (scripts/demo/): the 2027 holiday schedule (the test fixture), one submitted ticket list of
// synthetic travellers per enterprise (~2,000 in all by default), places and capacity sized to the
// lists, one allocation run executed in-process and published, and a dozen wage cases with
// payments. Idempotent: organisations are found by name and reused and nothing is added twice;
// every run issues fresh API keys (keys are shown once). Uses DATABASE_URL, or the project's local
// PostgreSQL (started if needed, left running if `npm start` owns it).
import { parseConfig } from "../src/config.ts";
import { applyMigrations } from "../src/db/migrate.ts";
import { createPrismaClient } from "../src/db/node-client.ts";
import type { Db } from "../src/db/types.ts";
import { createLogger, type Logger } from "../src/logger.ts";
import type { OrgKind } from "../src/auth/principal.ts";
import { resolveServices } from "../src/runtime/services.ts";
import { createOrganisationTree, createUser, issueApiKey, type OrgRef } from "../src/services/identity/bootstrap.ts";
import { hashPassword } from "../src/services/auth/secrets.ts";
import { dateToDb } from "../src/services/dates.ts";
import { withDevSecrets } from "../src/runtime/dev-secrets.ts";
import { piiVaultFromConfig } from "../src/pii/vault.ts";
import type { Config } from "../src/config.ts";
import type { DemoEnv } from "./demo/context.ts";
import { ensureDemoCalendar } from "./demo/calendar.ts";
import { DEFAULT_TRAVELERS, submitDemoLists } from "./demo/travellers.ts";
import { ensureCapacity } from "./demo/capacity.ts";
import { ensurePublishedAllocation } from "./demo/allocation.ts";
import { ensureWageCases } from "./demo/wages.ts";
import { mapLimit } from "./demo/concurrency.ts";

export const DEMO_PASSWORD = "homeward-demo-2027";

const districts: { name: string; code: string; slug: string; enterprises: string[] }[] = [
  { name: "吴江区总工会", code: "320509", slug: "wujiang", enterprises: ["盛虹集团有限公司工会", "恒力集团有限公司工会", "亨通集团有限公司工会", "吴江京奕特种纤维有限公司工会", "波司登羽绒服装有限公司吴江分公司工会"] },
  { name: "吴中区总工会", code: "320506", slug: "wuzhong", enterprises: ["苏州东山精密制造股份有限公司工会", "吴中区木渎镇服装厂工会", "苏州宝时得电动工具有限公司工会", "江苏吴中医药集团有限公司工会"] },
  { name: "相城区总工会", code: "320507", slug: "xiangcheng", enterprises: ["苏州相城经济技术开发区建设工程有限公司工会", "苏州阳澄湖电子有限公司工会", "相城区黄桥纺织有限公司工会", "苏州御窑金砖建材有限公司工会"] },
  { name: "姑苏区总工会", code: "320508", slug: "gusu", enterprises: ["苏州市公共交通有限公司工会", "苏州得月楼餐饮有限公司工会", "姑苏区环境卫生管理处工会"] },
  { name: "苏州工业园区工会工作委员会", code: "320576", slug: "sip", enterprises: ["三星电子（苏州）半导体有限公司工会", "友达光电（苏州）有限公司工会", "和舰芯片制造（苏州）股份有限公司工会", "苏州工业园区建屋产业园开发有限公司工会", "艾默生环境优化技术（苏州）有限公司工会", "苏州旭创科技有限公司工会"] },
  { name: "常熟市总工会", code: "320581", slug: "changshu", enterprises: ["常熟市波司登服饰有限公司工会", "常熟开关制造有限公司工会", "常熟市梦兰集团有限公司工会", "常熟市古里建筑工程有限公司工会"] },
  { name: "张家港市总工会", code: "320582", slug: "zhangjiagang", enterprises: ["江苏沙钢集团有限公司工会", "张家港保税区长江国际港务有限公司工会", "张家港市华芳纺织有限公司工会"] },
  { name: "昆山市总工会", code: "320583", slug: "kunshan", enterprises: ["仁宝电脑（昆山）有限公司工会", "纬创资通（昆山）有限公司工会", "富士康昆山科技工业园工会", "昆山好孩子儿童用品有限公司工会", "昆山市建设工程有限公司工会"] },
  { name: "太仓市总工会", code: "320585", slug: "taicang", enterprises: ["太仓港集装箱码头有限公司工会", "舍弗勒（太仓）汽车零部件有限公司工会", "太仓市浏河镇服装厂工会"] },
  { name: "虎丘区（苏州高新区）总工会", code: "320505", slug: "huqiu", enterprises: ["苏州佳能（中国）有限公司工会", "苏州高新区枫桥建筑安装工程有限公司工会", "罗技（苏州）有限公司工会"] },
];

const operators = [
  { name: "苏州汽车客运集团有限公司", slug: "bus", code: "320500" },
  { name: "中国铁路上海局集团有限公司苏州站", slug: "rail", code: "320508" },
];

async function findOrCreate(db: Db, input: { parent?: OrgRef; kind: OrgKind; name: string; regionCode: string }): Promise<OrgRef> {
  const existing = await db.organisation.findFirst({ where: { name: input.name, parentId: input.parent?.id ?? null }, select: { id: true, path: true, kind: true, name: true } });
  return existing ?? createOrganisationTree(db, input);
}

export interface SeedResult {
  campaignId: string;
  organisations: { id: string; kind: OrgKind; name: string; apiKey: string; username: string }[];
}

export interface SeedOptions {
  /** Travellers over all enterprise lists (default 2,000); ignored for enterprises that already have a list. */
  travelers?: number;
  /** The configuration whose PII keys seal the personal data (default: the environment's, with dev keys). */
  config?: Config;
  log?: Logger;
}

export async function seedDemo(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  const seedStarted = performance.now();
  const created: { org: OrgRef; slug: string }[] = [];
  const city = await findOrCreate(db, { kind: "CITY_UNION", name: "苏州市总工会", regionCode: "320500" });
  created.push({ org: city, slug: "city" });
  for (const d of districts) {
    const district = await findOrCreate(db, { parent: city, kind: "DISTRICT_UNION", name: d.name, regionCode: d.code });
    created.push({ org: district, slug: d.slug });
    for (const [i, name] of d.enterprises.entries()) {
      created.push({ org: await findOrCreate(db, { parent: district, kind: "ENTERPRISE_UNION", name, regionCode: d.code }), slug: `${d.slug}-e${i + 1}` });
    }
  }
  for (const o of operators) {
    created.push({ org: await findOrCreate(db, { parent: city, kind: "TRANSPORT_OPERATOR", name: o.name, regionCode: o.code }), slug: o.slug });
  }

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const organisations: SeedResult["organisations"] = await mapLimit(created, 4, async ({ org, slug }) => {
    const username = `demo-${slug}`;
    if (!(await db.user.findUnique({ where: { username } }))) {
      await createUser(db, { orgId: org.id, username, displayName: `${org.name}管理员`, passwordHash, role: "ADMIN" });
    }
    const { key } = await issueApiKey(db, { orgId: org.id, name: `demo ${new Date().toISOString().slice(0, 10)}`, role: "ADMIN" });
    return { id: org.id, kind: org.kind, name: org.name, apiKey: key, username };
  });

  const campaignName = "2027年春节农民工平安返乡";
  const campaign =
    (await db.campaign.findFirst({ where: { cityOrgId: city.id, name: campaignName } })) ??
    (await db.campaign.create({
      data: {
        cityOrgId: city.id,
        name: campaignName,
        year: 2027,
        originRegionCode: "320500",
        holidayDate: dateToDb("2027-02-06"),
        departureStart: dateToDb("2027-01-22"),
        departureEnd: dateToDb("2027-02-05"),
        paidBeforeDate: dateToDb("2027-01-20"),
        status: "OPEN",
      },
    }));

  const organisationsMs = Math.round(performance.now() - seedStarted);
  const config = options.config ?? withDevSecrets(parseConfig(process.env));
  const log = options.log ?? createLogger("warn", { process: "seed" });
  const env: DemoEnv = { db, log, pii: piiVaultFromConfig(config), config };
  const userOf = (slug: string) => `demo-${slug}`;
  const enterprises = created.filter((c) => c.org.kind === "ENTERPRISE_UNION").map((c) => ({ id: c.org.id, username: userOf(c.slug) }));
  const ms: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      ms[phase] = Math.round(performance.now() - started);
    }
  };
  const calendar = await timed("calendar", () => ensureDemoCalendar(env, userOf("city")));
  const lists = await timed("lists", () => submitDemoLists(env, campaign.id, enterprises, options.travelers ?? DEFAULT_TRAVELERS));
  const capacity = await timed("capacity", () => ensureCapacity(env, campaign.id, { city: userOf("city"), bus: userOf("bus"), rail: userOf("rail") }));
  const allocation = await timed("allocation", () => ensurePublishedAllocation(env, campaign.id, userOf("city")));
  const wages = await timed("wages", () => ensureWageCases(env, campaign.id, { city: userOf("city"), district: userOf, enterprise: (d) => userOf(`${d}-e1`) }));
  log.info({ calendar, lists, capacity, allocation, wages, ms: { organisations: organisationsMs, ...ms } }, "demo data ready");
  return { campaignId: campaign.id, organisations };
}

function travelersOption(argv: string[]): number | undefined {
  const at = argv.indexOf("--travelers");
  if (at < 0) return undefined;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 0 || n > 200_000) throw new Error("--travelers takes a whole number from 0 to 200000");
  return n;
}

async function main() {
  const json = process.argv.includes("--json");
  const travelers = travelersOption(process.argv);
  const config = withDevSecrets(parseConfig(process.env));
  const log = createLogger(json ? "warn" : config.LOG_LEVEL, { process: "seed" });
  const services = await resolveServices(config, log, { redis: false });
  try {
    await applyMigrations(services.databaseUrl);
    const db = createPrismaClient(services.databaseUrl, 6);
    const result = await seedDemo(db, { travelers, config, log });
    await db.$disconnect();
    if (!json) {
      console.log(`苏州 demo ready: ${result.organisations.length} organisations, campaign ${result.campaignId}`);
      console.log(`Log in at /login as e.g. demo-city, demo-wujiang, demo-wujiang-e1, demo-bus — password ${DEMO_PASSWORD}`);
    }
    console.log(JSON.stringify(result));
  } finally {
    await services.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
