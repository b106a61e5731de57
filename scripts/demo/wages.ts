// A dozen wage-arrears cases across the districts, each taken through the service verbs an officer
// uses (createWageCase, transitionWageCase, recordWageRecovery) to a different point of the
// workflow, with payments. Request bodies go through the API's own schemas. A case is found again
// by its employer's name in the campaign, so a second run adds nothing.
import { generateTravelerRows } from "../../src/intake/synthetic.ts";
import { createWageCase, getWageCase, transitionWageCase } from "../../src/services/wages/cases.ts";
import { todayInChina } from "../../src/services/wages/present.ts";
import { recordWageRecovery, recordWageRecoveryBodySchema } from "../../src/services/wages/recoveries.ts";
import { createWageCaseSchema, transitionWageCaseSchema } from "../../src/wages/schemas.ts";
import { usccCheckCharacter, validateUscc } from "../../src/wages/uscc.ts";
import type { WageCaseStatus } from "../../src/wages/workflow.ts";
import type { ServiceContext } from "../../src/services/context.ts";
import { mapLimit } from "./concurrency.ts";
import { contextOf, type DemoEnv } from "./context.ts";

type Step =
  | { to: WageCaseStatus; reason?: string; transferTo?: "LABOUR_INSPECTION" | "ARBITRATION" | "COURT"; note?: string }
  | { pay: string; workers: number; migrants: number; migrantYuan?: string; method: "BANK_TRANSFER" | "CASH" | "WAGE_GUARANTEE_FUND" | "OTHER"; named?: number; notify?: boolean; note?: string };

interface CaseSpec {
  district: string;
  /** Reported by the district union itself, its first enterprise union, or the city union. */
  reporter: "district" | "enterprise" | "city";
  source: "HOTLINE_12351" | "WALK_IN" | "INSPECTION" | "NATIONAL_CLUE_PLATFORM" | "REFERRAL" | "OTHER";
  employer: string;
  address: string;
  construction?: { project: string; contractor: string };
  workers: number;
  migrants: number;
  named: number;
  owed: string;
  notes: string;
  steps: Step[];
}

const ACCEPT: Step = { to: "ACCEPTED", note: "经初步核实，属于欠薪问题，予以受理" };

export const WAGE_CASES: CaseSpec[] = [
  { district: "wujiang", reporter: "district", source: "HOTLINE_12351", employer: "吴江区盛泽镇恒隆织造厂", address: "吴江区盛泽镇西二环路", workers: 23, migrants: 21, named: 3, owed: "186400", notes: "12351 热线来电：10、11 月工资未发", steps: [] },
  { district: "wuzhong", reporter: "enterprise", source: "WALK_IN", employer: "苏州木渎锦程服饰有限公司", address: "吴中区木渎镇金山路", workers: 14, migrants: 14, named: 2, owed: "97800", notes: "职工来访反映三个月工资拖欠", steps: [ACCEPT] },
  {
    district: "xiangcheng", reporter: "district", source: "NATIONAL_CLUE_PLATFORM", employer: "苏州相诚建筑劳务有限公司", address: "相城区元和街道御窑路",
    construction: { project: "相城区高铁新城安置房三期项目", contractor: "江苏相城建工集团有限公司" }, workers: 46, migrants: 46, named: 4, owed: "652000", notes: "全国根治欠薪线索反映平台转来",
    steps: [ACCEPT, { to: "INVESTIGATING", note: "约谈总承包单位，核查考勤和工资专户" }],
  },
  { district: "gusu", reporter: "district", source: "WALK_IN", employer: "姑苏区平江路老字号餐饮管理有限公司", address: "姑苏区平江路", workers: 9, migrants: 7, named: 2, owed: "54300", notes: "厨房及服务员工资拖欠两个月", steps: [ACCEPT, { to: "MEDIATING", note: "组织劳资双方调解" }] },
  { district: "sip", reporter: "city", source: "REFERRAL", employer: "苏州园区恒晟精密电子有限公司", address: "苏州工业园区星龙街", workers: 120, migrants: 104, named: 5, owed: "1380000", notes: "市人社局转来，企业经营困难", steps: [ACCEPT, { to: "TRANSFERRED", transferTo: "LABOUR_INSPECTION", note: "涉及人数多，移交劳动保障监察立案" }] },
  {
    district: "changshu", reporter: "district", source: "INSPECTION", employer: "常熟市虞山镇华美服装厂", address: "常熟市虞山街道海虞北路", workers: 31, migrants: 28, named: 3, owed: "248000", notes: "专项检查中发现",
    steps: [ACCEPT, { to: "INVESTIGATING" }, { pay: "120000", workers: 15, migrants: 15, method: "BANK_TRANSFER", note: "企业先行支付部分工资" }],
  },
  {
    district: "zhangjiagang", reporter: "district", source: "HOTLINE_12351", employer: "张家港市锦丰镇宏达钢构有限公司", address: "张家港市锦丰镇沙钢大道", workers: 12, migrants: 12, named: 3, owed: "132600", notes: "钢构车间工人反映工资未结清",
    steps: [ACCEPT, { to: "MEDIATING" }, { pay: "132600", workers: 12, migrants: 12, method: "BANK_TRANSFER", named: 3, notify: true, note: "调解达成协议，一次性付清" }],
  },
  {
    district: "kunshan", reporter: "enterprise", source: "WALK_IN", employer: "昆山开发区嘉禾包装材料有限公司", address: "昆山开发区前进东路", workers: 8, migrants: 8, named: 2, owed: "61200", notes: "包装车间工资拖欠",
    steps: [ACCEPT, { to: "MEDIATING" }, { pay: "61200", workers: 8, migrants: 8, method: "CASH" }, { to: "CLOSED", note: "回访确认职工已足额领取" }],
  },
  { district: "taicang", reporter: "district", source: "HOTLINE_12351", employer: "太仓市浏河镇顺通物流有限公司", address: "太仓市浏河镇新港路", workers: 3, migrants: 2, named: 1, owed: "18000", notes: "反映提成未发", steps: [{ to: "REJECTED", reason: "经核实为业务提成结算争议，不属于拖欠工资，已告知通过劳动仲裁解决" }] },
  {
    district: "huqiu", reporter: "district", source: "NATIONAL_CLUE_PLATFORM", employer: "苏州高新区枫桥劳务分包有限公司", address: "虎丘区枫桥街道金山路",
    construction: { project: "高新区科技城人才公寓二期工程", contractor: "中建八局苏州分公司" }, workers: 58, migrants: 58, named: 4, owed: "874500", notes: "项目工人反映班组长拖欠工资",
    steps: [ACCEPT, { to: "INVESTIGATING" }, { pay: "300000", workers: 20, migrants: 20, method: "WAGE_GUARANTEE_FUND", note: "动用工资保证金先行支付" }, { pay: "250000", workers: 18, migrants: 18, method: "BANK_TRANSFER", note: "总承包单位代发" }],
  },
  {
    district: "kunshan", reporter: "district", source: "REFERRAL", employer: "昆山周市镇永鑫五金制品厂", address: "昆山市周市镇长江北路", workers: 17, migrants: 15, named: 2, owed: "143000", notes: "镇劳动保障所转来",
    steps: [ACCEPT, { to: "MEDIATING" }, { pay: "100000", workers: 17, migrants: 15, migrantYuan: "88000", method: "BANK_TRANSFER" }, { to: "CLOSED", reason: "企业已停产，职工同意按七成结算并签字确认", note: "结案回访" }],
  },
  {
    district: "wujiang", reporter: "enterprise", source: "WALK_IN", employer: "吴江区平望镇联发纺机配件厂", address: "吴江区平望镇通运路", workers: 6, migrants: 6, named: 2, owed: "42000", notes: "车间工人集体来访",
    steps: [ACCEPT, { to: "MEDIATING" }, { pay: "20000", workers: 3, migrants: 3, method: "CASH" }, { pay: "22000", workers: 3, migrants: 3, method: "BANK_TRANSFER" }],
  },
];

const DISTRICT_CODES: Record<string, string> = {
  wujiang: "320509", wuzhong: "320506", xiangcheng: "320507", gusu: "320508", sip: "320576",
  changshu: "320581", zhangjiagang: "320582", kunshan: "320583", taicang: "320585", huqiu: "320505",
};

/** A well-formed demo 统一社会信用代码 (企业, registered in the district; GB 11714 and GB 32100 check characters). */
export function demoUscc(regionCode: string, n: number): string {
  const body = `MA${String(100_000 + ((n * 7919) % 900_000))}`;
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, ch, i) => s + parseInt(ch, 36) * weights[i]!, 0);
  const check = 11 - (sum % 11);
  const first17 = `91${regionCode}${body}${check === 10 ? "X" : check === 11 ? "0" : String(check)}`;
  const uscc = first17 + usccCheckCharacter(first17);
  if (!validateUscc(uscc).ok) throw new Error(`demo USCC ${uscc} does not validate`);
  return uscc;
}

export interface WagesSummary {
  created: number;
  existing: number;
  payments: number;
}

export async function ensureWageCases(env: DemoEnv, campaignId: string, users: { city: string; district: (slug: string) => string; enterprise: (slug: string) => string }): Promise<WagesSummary> {
  const summary: WagesSummary = { created: 0, existing: 0, payments: 0 };
  // Registered one after the other (case numbers in the order above), then worked on in parallel.
  const registered: { spec: CaseSpec; officer: ServiceContext; current: Awaited<ReturnType<typeof getWageCase>> }[] = [];
  for (const [i, spec] of WAGE_CASES.entries()) {
    if (await env.db.wageCase.findFirst({ where: { campaignId, employerName: spec.employer }, select: { id: true } })) {
      summary.existing++;
      continue;
    }
    const officer = await contextOf(env, users.district(spec.district));
    const reporter = spec.reporter === "district" ? officer : await contextOf(env, spec.reporter === "city" ? users.city : users.enterprise(spec.district));
    const regionCode = DISTRICT_CODES[spec.district]!;
    const people = generateTravelerRows(spec.named, 9_000 + i);
    const input = createWageCaseSchema.parse({
      campaignId,
      reportingOrgId: reporter.principal.orgId,
      source: spec.source,
      employer: { name: spec.employer, address: spec.address, districtCode: regionCode, ...(spec.construction ? {} : { uscc: demoUscc(regionCode, i + 1) }) },
      ...(spec.construction ? { constructionProject: { name: spec.construction.project, generalContractor: { name: spec.construction.contractor, uscc: demoUscc(regionCode, 100 + i) } } } : {}),
      workers: { count: spec.workers, migrantCount: spec.migrants },
      namedWorkers: people.map((p) => ({ name: p.name, idNumber: p.idNumber, mobile: p.mobile })),
      owedYuan: spec.owed,
      period: { from: "2026-07-01", to: "2026-10-31" },
      notes: spec.notes,
    });
    registered.push({ spec, officer, current: await createWageCase(reporter, input) });
    summary.created++;
  }
  await mapLimit(registered, 4, async ({ spec, officer, current }) => {
    for (const step of spec.steps) {
      if ("to" in step) {
        const body = transitionWageCaseSchema.parse({ to: step.to, reason: step.reason, transferTo: step.transferTo, note: step.note, expectedVersion: current.version });
        current = await transitionWageCase(officer, current.id, body);
      } else {
        const unpaid = current.namedWorkers.filter((w) => !w.paidAt).slice(0, step.named ?? 0).map((w) => w.id);
        const body = recordWageRecoveryBodySchema.parse({
          amountYuan: step.pay,
          paidOn: todayInChina(),
          workersPaid: step.workers,
          migrantWorkersPaid: step.migrants,
          ...(step.migrantYuan ? { migrantAmountYuan: step.migrantYuan } : {}),
          method: step.method,
          paidWorkerIds: unpaid,
          notifyWorkers: step.notify ?? false,
          ...(step.note ? { note: step.note } : {}),
        });
        current = (await recordWageRecovery(officer, current.id, body)).case;
        summary.payments++;
      }
    }
  });
  return summary;
}
