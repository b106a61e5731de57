// Turns allocation data (vehicle, seat, departure) into template variables and renders the text
// once; the text is stored on the notification so that every retry sends the same body.
import type { Config } from "../../config.ts";
import { AppError } from "../../errors.ts";
import { previewMessage, VARIABLE_MAX_LENGTH, type MessagePreview, type TemplateConfig, type TemplateKind, type Vehicle } from "../../sms/templates.ts";
import { shanghaiDateTime } from "./timing.ts";

export function templateConfig(config: Config): TemplateConfig {
  return { signature: config.SMS_SIGNATURE, hotline: config.SMS_HOTLINE, maxSegments: config.SMS_MAX_SEGMENTS };
}

export interface SeatFacts {
  mode: string;
  label: string;
  departureAt: Date;
  car: string;
  seat: string;
  pickupPoint: string | null;
  contactPhone: string | null;
}

const TRAIN_MODES = new Set(["SPECIAL_TRAIN", "RESERVED_CARRIAGE", "GROUP_TICKET"]);
const TRAIN_NUMBER = /^[GDCZTKLYS]?\d{1,4}$/;
const CONTACT = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|12\d{3})$/;

function clean(value: string, max: number): string {
  return value.replace(/[【】\p{Cc}]/gu, "").trim().slice(0, max);
}

function vehicleOf(facts: SeatFacts): Vehicle {
  if (
    TRAIN_MODES.has(facts.mode) &&
    TRAIN_NUMBER.test(facts.label) &&
    /^\d{1,2}$/.test(facts.car) &&
    /^[0-9A-F上中下]{1,4}$/.test(facts.seat)
  ) {
    return { kind: "TRAIN", trainNumber: facts.label, car: facts.car, seat: facts.seat };
  }
  const plate = clean(facts.label, VARIABLE_MAX_LENGTH.plate) || "车辆";
  return /^\d{1,4}$/.test(facts.seat) ? { kind: "BUS", plate, seat: facts.seat } : { kind: "BUS", plate };
}

export function tripVariables(facts: SeatFacts, config: Config) {
  const { date, time } = shanghaiDateTime(facts.departureAt);
  const pickupPoint = clean(facts.pickupPoint ?? "", VARIABLE_MAX_LENGTH.pickupPoint) || "集合点";
  const contactPhone = facts.contactPhone && CONTACT.test(facts.contactPhone) ? facts.contactPhone : config.SMS_HOTLINE;
  return { date, time, pickupPoint, vehicle: vehicleOf(facts), contactPhone };
}

const TEMPLATE_OF = {
  DEPARTURE: "DEPARTURE_NOTICE",
  CHANGE: "CHANGE_NOTICE",
  REMINDER: "DAY_BEFORE_REMINDER",
} as const satisfies Record<string, TemplateKind>;

/** Departure, change or reminder text for one seat. */
export function renderTrip(kind: keyof typeof TEMPLATE_OF, facts: SeatFacts, config: Config): MessagePreview {
  const vars = tripVariables(facts, config);
  try {
    if (kind === "REMINDER") {
      const { contactPhone: _c, ...reminder } = vars;
      return previewMessage("DAY_BEFORE_REMINDER", reminder, templateConfig(config));
    }
    return previewMessage(TEMPLATE_OF[kind], vars, templateConfig(config));
  } catch (error) {
    throw new AppError("VALIDATION_FAILED", {
      code: "SMS_RENDER_FAILED",
      message: { zh: `无法为车辆 ${facts.label} 生成短信`, en: `Cannot render the SMS for vehicle ${facts.label}` },
      cause: error,
    });
  }
}

export function renderCancellation(departureAt: Date, config: Config): MessagePreview {
  const { date, time } = shanghaiDateTime(departureAt);
  return previewMessage("CANCELLATION", { date, time }, templateConfig(config));
}
