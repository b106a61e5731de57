import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SmsError } from "../../../src/sms/errors.ts";
import {
  isEssential,
  previewMessage,
  TEMPLATE_KINDS,
  validateTemplateSet,
  VARIABLE_MAX_LENGTH,
  type TemplateConfig,
  type TemplateVariables,
} from "../../../src/sms/templates.ts";

const config: TemplateConfig = { signature: "【苏州市总工会】", hotline: "12351", maxSegments: 2 };
const oneSegment: TemplateConfig = { ...config, maxSegments: 1 };

const busTrip: TemplateVariables["DEPARTURE_NOTICE"] = {
  date: "2027-01-25",
  time: "07:30",
  pickupPoint: "吴江汽车站3号门",
  vehicle: { kind: "BUS", plate: "苏E·D1234", seat: "12" },
  contactPhone: "13812345678",
};
const trainTrip: TemplateVariables["DEPARTURE_NOTICE"] = {
  ...busTrip,
  pickupPoint: "苏州站北广场",
  vehicle: { kind: "TRAIN", trainNumber: "K1234", car: "5", seat: "12F" },
};

function smsError(run: () => unknown): SmsError {
  try {
    run();
  } catch (error) {
    if (error instanceof SmsError) return error;
    throw error;
  }
  throw new Error("expected an SmsError");
}

describe("DEPARTURE_NOTICE", () => {
  it("fits one UCS-2 segment, signature included, with typical bus data", () => {
    const preview = previewMessage("DEPARTURE_NOTICE", busTrip, oneSegment);
    expect(preview.text).toBe(
      "【苏州市总工会】返乡：1月25日07:30在吴江汽车站3号门乘苏E·D1234 12号座，联系13812345678。回1确认 回2取消",
    );
    expect(preview.segments).toMatchObject({ encoding: "UCS-2", segments: 1 });
    expect(preview.segments.units).toBe(Array.from(preview.text).length);
    expect(preview.segments.units).toBeLessThanOrEqual(70);
    expect(preview.essential).toBe(true);
  });

  it("fits one segment with typical train data", () => {
    const preview = previewMessage("DEPARTURE_NOTICE", trainTrip, oneSegment);
    expect(preview.text).toContain("乘K1234次5车12F号");
    expect(preview.segments.segments).toBe(1);
  });

  it("leaves the seat out when a chartered bus has no seat numbers", () => {
    const preview = previewMessage("DEPARTURE_NOTICE", { ...busTrip, vehicle: { kind: "BUS", plate: "苏E·D1234" } }, config);
    expect(preview.text).toContain("乘苏E·D1234，联系");
    expect(preview.text).not.toContain("号座");
  });

  it("carries the reply hints and no opt-out hint", () => {
    const { text } = previewMessage("DEPARTURE_NOTICE", busTrip, config);
    expect(text).toContain("回1确认 回2取消");
    expect(text).not.toContain("退订");
  });

  it("counts the signature: a longer one pushes the same data into a second segment", () => {
    const district = { ...config, signature: "【苏州市吴江区总工会】" };
    expect(previewMessage("DEPARTURE_NOTICE", busTrip, district).segments.segments).toBe(2);
    const error = smsError(() => previewMessage("DEPARTURE_NOTICE", busTrip, { ...district, maxSegments: 1 }));
    expect(error.code).toBe("SMS_TOO_LONG");
    expect(error.details).toMatchObject({ kind: "DEPARTURE_NOTICE", segments: 2, maxSegments: 1 });
    expect(error.localised.zh).toContain("上限 1 条");
  });
});

describe("the other kinds", () => {
  it("renders a change notice with the new details and the reply hints", () => {
    const { text, segments } = previewMessage("CHANGE_NOTICE", { ...busTrip, date: "2027-01-26", time: "08:00" }, oneSegment);
    expect(text.startsWith("【苏州市总工会】变更：1月26日08:00")).toBe(true);
    expect(text).toContain("回1确认 回2取消");
    expect(segments.segments).toBe(1);
  });

  it("renders a cancellation with the hotline and an optional reason", () => {
    const withReason = previewMessage("CANCELLATION", { date: "2027-01-25", time: "07:30", reason: "车辆调整" }, config);
    expect(withReason.text).toBe("【苏州市总工会】您1月25日07:30的返乡乘车安排已取消（车辆调整）。如需帮助请拨打12351。");
    const without = previewMessage("CANCELLATION", { date: "2027-01-25", time: "07:30" }, config);
    expect(without.text).not.toContain("（");
  });

  it("dates the day-before reminder instead of saying 明天, and lets workers opt out", () => {
    const { text, essential, segments } = previewMessage("DAY_BEFORE_REMINDER", busTrip, oneSegment);
    expect(text).toContain("1月25日07:30");
    expect(text).not.toContain("明天");
    expect(text.endsWith("回T退订")).toBe(true);
    expect(essential).toBe(false);
    expect(segments.segments).toBe(1);
  });

  it("renders recovered wages in yuan with fen only when there are any", () => {
    expect(previewMessage("WAGES_RECOVERED", { amountYuan: 12345.6 }, config).text).toContain("工资12345.60元已追回");
    expect(previewMessage("WAGES_RECOVERED", { amountYuan: 8000 }, config).text).toContain("工资8000元已追回");
    expect(previewMessage("WAGES_RECOVERED", { amountYuan: 8000 }, config).text.endsWith("回T退订")).toBe(true);
  });

  it("puts the opt-out hint exactly on the non-essential kinds", () => {
    const samples: { [K in (typeof TEMPLATE_KINDS)[number]]: TemplateVariables[K] } = {
      DEPARTURE_NOTICE: busTrip,
      CHANGE_NOTICE: busTrip,
      CANCELLATION: { date: "2027-01-25", time: "07:30" },
      DAY_BEFORE_REMINDER: busTrip,
      WAGES_RECOVERED: { amountYuan: 1 },
    };
    for (const kind of TEMPLATE_KINDS) {
      const { text, essential } = previewMessage(kind, samples[kind] as never, config);
      expect(essential).toBe(isEssential(kind));
      expect(text.includes("回T退订")).toBe(!essential);
      expect(text.startsWith(config.signature)).toBe(true);
    }
  });
});

describe("variable validation", () => {
  it("names a missing variable", () => {
    const { pickupPoint: _missing, ...incomplete } = busTrip;
    const error = smsError(() => previewMessage("DEPARTURE_NOTICE", incomplete as never, config));
    expect(error.code).toBe("SMS_VARIABLE_MISSING");
    expect(error.details.variable).toBe("pickupPoint");
  });

  it("refuses a variable over its maximum length", () => {
    const pickupPoint = "站".repeat(VARIABLE_MAX_LENGTH.pickupPoint + 1);
    const error = smsError(() => previewMessage("DEPARTURE_NOTICE", { ...busTrip, pickupPoint }, config));
    expect(error.code).toBe("SMS_VARIABLE_TOO_LONG");
    expect(error.details.variable).toBe("pickupPoint");
    const phone = smsError(() => previewMessage("DEPARTURE_NOTICE", { ...busTrip, contactPhone: "138123456789012" }, config));
    expect(phone.code).toBe("SMS_VARIABLE_TOO_LONG");
  });

  it.each([
    ["an impossible date", { date: "2027-02-30" }, "date"],
    ["a time past 23:59", { time: "24:00" }, "time"],
    ["a phone that is neither mobile nor landline", { contactPhone: "12345678901" }, "contactPhone"],
    ["a bracket that would fake a signature", { pickupPoint: "【假冒】车站" }, "pickupPoint"],
    ["a line break", { pickupPoint: "吴江\n汽车站" }, "pickupPoint"],
    ["a malformed train number", { vehicle: { kind: "TRAIN", trainNumber: "X12", car: "5", seat: "12" } }, "vehicle.trainNumber"],
  ])("refuses %s", (_name, override, variable) => {
    const error = smsError(() => previewMessage("DEPARTURE_NOTICE", { ...busTrip, ...override } as never, config));
    expect(error.code).toBe("SMS_VARIABLE_INVALID");
    expect(error.details.variable).toBe(variable);
  });

  it("refuses amounts that are not positive yuan with at most two decimals", () => {
    for (const amountYuan of [0, -5, 1.005, 100_000_000]) {
      expect(smsError(() => previewMessage("WAGES_RECOVERED", { amountYuan }, config)).code).toBe("SMS_VARIABLE_INVALID");
    }
  });

  it("refuses an unknown kind", () => {
    expect(smsError(() => previewMessage("BIRTHDAY" as never, {} as never, config)).code).toBe("SMS_UNKNOWN_TEMPLATE");
  });
});

describe("validateTemplateSet", () => {
  it("accepts the default configuration and reports the worst case per kind", () => {
    const worst = validateTemplateSet(config);
    expect(Object.keys(worst).sort()).toEqual([...TEMPLATE_KINDS].sort());
    for (const info of Object.values(worst)) expect(info.segments).toBeLessThanOrEqual(2);
  });

  it("refuses a one-segment limit that maximal trip variables cannot meet", () => {
    const error = smsError(() => validateTemplateSet(oneSegment));
    expect(error.code).toBe("SMS_TOO_LONG");
    expect(error.details.kind).toBe("DEPARTURE_NOTICE");
  });

  it("refuses a malformed signature or hotline", () => {
    for (const bad of [{ signature: "苏州市总工会" }, { signature: "【】" }, { hotline: "热线" }, { maxSegments: 0 }]) {
      expect(smsError(() => validateTemplateSet({ ...config, ...bad })).code).toBe("SMS_TEMPLATE_CONFIG_INVALID");
    }
  });

  it("bounds every valid message by the worst case it computed", () => {
    const worst = validateTemplateSet(config);
    const textOf = (chars: string, max: number) =>
      fc.array(fc.constantFrom(...Array.from(chars)), { minLength: 1, maxLength: max, size: "max" }).map((a) => a.join(""));
    const place = textOf("吴江汽车站号门A1😀", VARIABLE_MAX_LENGTH.pickupPoint).filter(
      (s) => s.length <= VARIABLE_MAX_LENGTH.pickupPoint,
    );
    const digits = (max: number) => textOf("0123456789", max);
    const vehicle = fc.oneof(
      fc.record({ kind: fc.constant("BUS" as const), plate: textOf("苏E·D1234", VARIABLE_MAX_LENGTH.plate), seat: digits(4) }),
      fc.record({
        kind: fc.constant("TRAIN" as const),
        trainNumber: fc.constantFrom("K1", "G7", "1461", "Z9999", "K9999"),
        car: digits(2),
        seat: textOf("0123456789ABCDF上中下", 4),
      }),
    );
    const trip = fc.record({
      date: fc.constantFrom("2027-01-05", "2027-12-31", "2027-10-10"),
      time: fc.constantFrom("07:30", "23:59", "00:00"),
      pickupPoint: place,
      vehicle,
      contactPhone: fc.constantFrom("13812345678", "0512-12345678", "01012345678"),
    });
    fc.assert(
      fc.property(trip, (vars) => {
        for (const kind of ["DEPARTURE_NOTICE", "CHANGE_NOTICE", "DAY_BEFORE_REMINDER"] as const) {
          expect(previewMessage(kind, vars, config).segments.units).toBeLessThanOrEqual(worst[kind].units);
        }
      }),
    );
  });
});
