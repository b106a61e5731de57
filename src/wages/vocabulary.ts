// The closed lists of a wage-arrears case, with the words case officers use for them.
import type { LocalisedMessage } from "../errors.ts";

export const CASE_SOURCES = ["HOTLINE_12351", "WALK_IN", "INSPECTION", "NATIONAL_CLUE_PLATFORM", "REFERRAL", "OTHER"] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];
export const CASE_SOURCE_LABELS: Readonly<Record<CaseSource, LocalisedMessage>> = {
  HOTLINE_12351: { zh: "12351 职工服务热线", en: "Hotline 12351" },
  WALK_IN: { zh: "来访", en: "Walk-in" },
  INSPECTION: { zh: "专项检查", en: "Inspection" },
  NATIONAL_CLUE_PLATFORM: { zh: "全国根治欠薪线索反映平台", en: "National wage-arrears clue platform" },
  REFERRAL: { zh: "有关部门转来", en: "Referral" },
  OTHER: { zh: "其他", en: "Other" },
};

export const HANDLING_ORGS = ["UNION", "LABOUR_INSPECTION", "ARBITRATION", "COURT"] as const;
export type HandlingOrg = (typeof HANDLING_ORGS)[number];
export const HANDLING_ORG_LABELS: Readonly<Record<HandlingOrg, LocalisedMessage>> = {
  UNION: { zh: "工会", en: "Trade union" },
  LABOUR_INSPECTION: { zh: "人社部门劳动保障监察", en: "Labour inspection" },
  ARBITRATION: { zh: "劳动人事争议仲裁委员会", en: "Labour dispute arbitration" },
  COURT: { zh: "人民法院", en: "Court" },
};
/** Where a case can be transferred to: every handling organisation but the union itself. */
export const TRANSFER_TARGETS = HANDLING_ORGS.filter((org): org is Exclude<HandlingOrg, "UNION"> => org !== "UNION");
export type TransferTarget = (typeof TRANSFER_TARGETS)[number];

export const PAYMENT_METHODS = ["BANK_TRANSFER", "CASH", "WAGE_GUARANTEE_FUND", "GENERAL_CONTRACTOR_ADVANCE", "OTHER"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_METHOD_LABELS: Readonly<Record<PaymentMethod, LocalisedMessage>> = {
  BANK_TRANSFER: { zh: "银行转账", en: "Bank transfer" },
  CASH: { zh: "现金", en: "Cash" },
  // 《保障农民工工资支付条例》: construction contractors deposit a wage guarantee paid out on arrears.
  WAGE_GUARANTEE_FUND: { zh: "工资保证金支付", en: "Wage guarantee fund" },
  // Same regulation, art. 30: the general contractor pays first (先行清偿) what a subcontractor owes.
  GENERAL_CONTRACTOR_ADVANCE: { zh: "施工总承包单位先行清偿", en: "Advance by the general contractor" },
  OTHER: { zh: "其他", en: "Other" },
};

/** Timeline entries an officer adds by hand. */
export const OFFICER_EVENT_KINDS = [
  "NOTE",
  "PHONE_CALL",
  "EMPLOYER_INTERVIEW",
  "SITE_VISIT",
  "MEDIATION_SESSION",
  "DOCUMENT_RECEIVED",
  "FOLLOW_UP",
] as const;
/** Timeline entries the platform writes itself, in the same transaction as the change. */
export const SYSTEM_EVENT_KINDS = ["CREATED", "STATUS_CHANGED", "RECOVERY_RECORDED", "ESCALATED"] as const;
export type OfficerEventKind = (typeof OFFICER_EVENT_KINDS)[number];
export type WageCaseEventKind = OfficerEventKind | (typeof SYSTEM_EVENT_KINDS)[number];
export const WAGE_CASE_EVENT_KIND_LABELS: Readonly<Record<WageCaseEventKind, LocalisedMessage>> = {
  NOTE: { zh: "备注", en: "Note" },
  PHONE_CALL: { zh: "电话联系", en: "Phone call" },
  EMPLOYER_INTERVIEW: { zh: "约谈用人单位", en: "Employer interview" },
  SITE_VISIT: { zh: "实地核查", en: "Site visit" },
  MEDIATION_SESSION: { zh: "调解", en: "Mediation session" },
  DOCUMENT_RECEIVED: { zh: "收到材料", en: "Document received" },
  FOLLOW_UP: { zh: "回访", en: "Follow-up" },
  CREATED: { zh: "登记", en: "Registered" },
  STATUS_CHANGED: { zh: "状态变更", en: "Status changed" },
  RECOVERY_RECORDED: { zh: "记录追回款项", en: "Payment recorded" },
  ESCALATED: { zh: "逾期督办", en: "Escalated as overdue" },
};
