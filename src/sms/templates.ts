import { z } from "zod";
import { SmsError } from "./errors.ts";
import { countSegments, type SegmentInfo } from "./segments.ts";

// The texts are written for the 70-unit UCS-2 budget: with typical data (5-character date,
// 8-character pickup point, 8-character plate) the departure and change notices fit one segment
// including the signature. To get there the hotline is left out of those two (the contact phone
// of the person at the bus door is more useful there) and the wording is terse.

export const TEMPLATE_KINDS = [
  "DEPARTURE_NOTICE",
  "CHANGE_NOTICE",
  "CANCELLATION",
  "DAY_BEFORE_REMINDER",
  "WAGES_RECOVERED",
] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const VARIABLE_MAX_LENGTH = {
  pickupPoint: 20,
  plate: 10,
  busSeat: 4,
  trainNumber: 5,
  trainCar: 2,
  trainSeat: 4,
  contactPhone: 13,
  cancellationReason: 20,
} as const;

// Brackets would make a variable look like a second signature; line breaks and control
// characters have no place in an SMS body.
const FORBIDDEN_IN_TEXT = /[【】\p{Cc}]/u;

function text(maxLength: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(maxLength)
    .refine((value) => !FORBIDDEN_IN_TEXT.test(value), { message: "forbidden character" });
}

const dateSchema = z.iso.date();
const timeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour");
// max() before regex(): an over-long value is reported as too long, not as malformed.
const contactPhoneSchema = z
  .string()
  .max(VARIABLE_MAX_LENGTH.contactPhone)
  // 12xxx: the national public-service hotlines (12351 职工服务热线), reachable from any phone.
  .regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|12\d{3})$/, "mainland mobile, landline with area code or 12xxx hotline");

const vehicleSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("BUS"),
    plate: text(VARIABLE_MAX_LENGTH.plate),
    seat: z.string().max(VARIABLE_MAX_LENGTH.busSeat).regex(/^\d+$/).optional(),
  }),
  z.object({
    kind: z.literal("TRAIN"),
    trainNumber: z
      .string()
      .max(VARIABLE_MAX_LENGTH.trainNumber)
      .regex(/^[GDCZTKLYS]?\d{1,4}$/, "train number such as K1234 or G7"),
    car: z.string().max(VARIABLE_MAX_LENGTH.trainCar).regex(/^\d+$/),
    seat: z.string().max(VARIABLE_MAX_LENGTH.trainSeat).regex(/^[0-9A-F上中下]+$/),
  }),
]);
export type Vehicle = z.infer<typeof vehicleSchema>;

const tripSchema = z.object({
  date: dateSchema,
  time: timeSchema,
  pickupPoint: text(VARIABLE_MAX_LENGTH.pickupPoint),
  vehicle: vehicleSchema,
  contactPhone: contactPhoneSchema,
});

const amountYuanSchema = z
  .number()
  .positive()
  .max(99_999_999.99)
  .refine((yuan) => Math.abs(Math.round(yuan * 100) - yuan * 100) < 1e-6, {
    message: "at most two decimals (fen)",
  });

export const templateVariableSchemas = {
  DEPARTURE_NOTICE: tripSchema,
  CHANGE_NOTICE: tripSchema,
  CANCELLATION: z.object({
    date: dateSchema,
    time: timeSchema,
    reason: text(VARIABLE_MAX_LENGTH.cancellationReason).optional(),
  }),
  DAY_BEFORE_REMINDER: tripSchema.omit({ contactPhone: true }),
  WAGES_RECOVERED: z.object({ amountYuan: amountYuanSchema }),
} satisfies Record<TemplateKind, z.ZodType>;

export type TemplateVariables = {
  [K in TemplateKind]: z.input<(typeof templateVariableSchemas)[K]>;
};
type ParsedVariables<K extends TemplateKind> = z.output<(typeof templateVariableSchemas)[K]>;

export const templateConfigSchema = z.object({
  signature: z.string().regex(/^【[^【】\s]{2,16}】$/, "【2–16 characters】"),
  hotline: z.string().regex(/^\d[\d-]{2,14}$/),
  maxSegments: z.number().int().min(1).max(10),
});
export type TemplateConfig = z.infer<typeof templateConfigSchema>;

interface Template<K extends TemplateKind> {
  /** Essential messages go out even to workers who opted out, and carry no opt-out hint. */
  essential: boolean;
  render(vars: ParsedVariables<K>, config: TemplateConfig): string;
  /** Variables of maximal rendered length, for the configuration-time check. */
  longest: TemplateVariables[K][];
}

const REPLY_HINT = "回1确认 回2取消";
const OPT_OUT_HINT = "回T退订";

function chineseDate(isoDate: string): string {
  const [, month, day] = isoDate.split("-").map(Number);
  return `${month}月${day}日`;
}

function vehicleText(vehicle: Vehicle): string {
  if (vehicle.kind === "TRAIN") return `${vehicle.trainNumber}次${vehicle.car}车${vehicle.seat}号`;
  return vehicle.seat === undefined ? vehicle.plate : `${vehicle.plate} ${vehicle.seat}号座`;
}

function yuanText(amountYuan: number): string {
  return Number.isInteger(amountYuan) ? String(amountYuan) : amountYuan.toFixed(2);
}

function tripText(trip: z.output<typeof tripSchema>): string {
  return (
    `${chineseDate(trip.date)}${trip.time}在${trip.pickupPoint}乘${vehicleText(trip.vehicle)}，` +
    `联系${trip.contactPhone}。${REPLY_HINT}`
  );
}

const LONGEST_PLACE = "站".repeat(VARIABLE_MAX_LENGTH.pickupPoint);
const LONGEST_VEHICLES: Vehicle[] = [
  {
    kind: "BUS",
    plate: "苏".repeat(VARIABLE_MAX_LENGTH.plate),
    seat: "9".repeat(VARIABLE_MAX_LENGTH.busSeat),
  },
  {
    kind: "TRAIN",
    trainNumber: "K9999",
    car: "9".repeat(VARIABLE_MAX_LENGTH.trainCar),
    seat: "9".repeat(VARIABLE_MAX_LENGTH.trainSeat),
  },
];
const LONGEST_TRIPS = LONGEST_VEHICLES.map((vehicle) => ({
  date: "2027-12-31",
  time: "23:59",
  pickupPoint: LONGEST_PLACE,
  vehicle,
  contactPhone: "0512-12345678",
}));

const templates: { [K in TemplateKind]: Template<K> } = {
  DEPARTURE_NOTICE: {
    essential: true,
    render: (vars, { signature }) => `${signature}返乡：${tripText(vars)}`,
    longest: LONGEST_TRIPS,
  },
  CHANGE_NOTICE: {
    essential: true,
    render: (vars, { signature }) => `${signature}变更：${tripText(vars)}`,
    longest: LONGEST_TRIPS,
  },
  CANCELLATION: {
    essential: true,
    render: (vars, { signature, hotline }) =>
      `${signature}您${chineseDate(vars.date)}${vars.time}的返乡乘车安排已取消` +
      (vars.reason === undefined ? "" : `（${vars.reason}）`) +
      `。如需帮助请拨打${hotline}。`,
    longest: [{ date: "2027-12-31", time: "23:59", reason: "因".repeat(VARIABLE_MAX_LENGTH.cancellationReason) }],
  },
  DAY_BEFORE_REMINDER: {
    essential: false,
    // The date, not "明天": quiet hours may hold the reminder until the morning of departure.
    render: (vars, { signature, hotline }) =>
      `${signature}提醒：${chineseDate(vars.date)}${vars.time}在${vars.pickupPoint}` +
      `乘${vehicleText(vars.vehicle)}，请带身份证。咨询${hotline}，${OPT_OUT_HINT}`,
    longest: LONGEST_TRIPS.map(({ contactPhone: _omitted, ...trip }) => trip),
  },
  WAGES_RECOVERED: {
    essential: false,
    render: (vars, { signature, hotline }) =>
      `${signature}您被拖欠的工资${yuanText(vars.amountYuan)}元已追回，请留意单位发放。` +
      `咨询${hotline}，${OPT_OUT_HINT}`,
    longest: [{ amountYuan: 99_999_999.99 }],
  },
};

export function isEssential(kind: TemplateKind): boolean {
  return templates[kind].essential;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function variableError(kind: TemplateKind, vars: unknown, error: z.ZodError): SmsError {
  const issue = error.issues[0]!;
  const variable = issue.path.join(".");
  const details = { kind, variable, issues: error.issues.map((i) => ({ path: i.path, message: i.message })) };
  if (valueAt(vars, issue.path) === undefined && issue.code === "invalid_type") {
    return new SmsError(
      "SMS_VARIABLE_MISSING",
      { zh: `短信模板 ${kind} 缺少变量 ${variable}`, en: `Template ${kind} is missing variable ${variable}` },
      details,
    );
  }
  if (issue.code === "too_big" && issue.origin === "string") {
    return new SmsError(
      "SMS_VARIABLE_TOO_LONG",
      {
        zh: `短信模板 ${kind} 的变量 ${variable} 过长（最多 ${String(issue.maximum)} 个字符）`,
        en: `Variable ${variable} of template ${kind} is too long (at most ${String(issue.maximum)})`,
      },
      details,
    );
  }
  return new SmsError(
    "SMS_VARIABLE_INVALID",
    {
      zh: `短信模板 ${kind} 的变量 ${variable} 无效：${issue.message}`,
      en: `Variable ${variable} of template ${kind} is invalid: ${issue.message}`,
    },
    details,
  );
}

function parseConfig(config: TemplateConfig): TemplateConfig {
  const parsed = templateConfigSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return configError(`${issue.path.join(".")}: ${issue.message}`);
}

function configError(problem: string): never {
  throw new SmsError("SMS_TEMPLATE_CONFIG_INVALID", {
    zh: `短信模板配置无效：${problem}`,
    en: `Invalid SMS template configuration: ${problem}`,
  });
}

function tooLong(kind: TemplateKind, segments: SegmentInfo, maxSegments: number): SmsError {
  return new SmsError(
    "SMS_TOO_LONG",
    {
      zh: `短信 ${kind} 需要 ${segments.segments} 条（上限 ${maxSegments} 条）`,
      en: `Message ${kind} needs ${segments.segments} segments (maximum ${maxSegments})`,
    },
    { kind, segments: segments.segments, units: segments.units, maxSegments },
  );
}

export interface MessagePreview {
  kind: TemplateKind;
  text: string;
  essential: boolean;
  segments: SegmentInfo;
}

/**
 * Renders a message exactly as it will be sent. Used by the preview API and by the pipeline,
 * which stores the text on the notification so that every retry sends the same body.
 */
export function previewMessage<K extends TemplateKind>(
  kind: K,
  vars: TemplateVariables[K],
  config: TemplateConfig,
): MessagePreview {
  const template = templates[kind];
  if (template === undefined) {
    throw new SmsError(
      "SMS_UNKNOWN_TEMPLATE",
      { zh: `未知的短信模板 ${String(kind)}`, en: `Unknown SMS template ${String(kind)}` },
      { kind },
    );
  }
  const validConfig = parseConfig(config);
  const parsed = templateVariableSchemas[kind].safeParse(vars);
  if (!parsed.success) throw variableError(kind, vars, parsed.error);
  const text = template.render(parsed.data as ParsedVariables<K>, validConfig);
  const segments = countSegments(text);
  if (segments.segments > validConfig.maxSegments) throw tooLong(kind, segments, validConfig.maxSegments);
  return { kind, text, essential: template.essential, segments };
}

/**
 * Refuses, at configuration time, a signature/limit combination under which some template would
 * exceed the maximum number of segments with maximal-length variables. Returns the worst case
 * per kind.
 */
export function validateTemplateSet(config: TemplateConfig): Record<TemplateKind, SegmentInfo> {
  const validConfig = parseConfig(config);
  const worst = {} as Record<TemplateKind, SegmentInfo>;
  for (const kind of TEMPLATE_KINDS) {
    const template = templates[kind] as Template<TemplateKind>;
    for (const longest of template.longest) {
      const vars = templateVariableSchemas[kind].parse(longest);
      const segments = countSegments(template.render(vars as never, validConfig));
      if (segments.segments > validConfig.maxSegments) throw tooLong(kind, segments, validConfig.maxSegments);
      if (worst[kind] === undefined || segments.units > worst[kind].units) worst[kind] = segments;
    }
  }
  return worst;
}
