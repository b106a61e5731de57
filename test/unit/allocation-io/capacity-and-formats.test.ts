// Pure parts of the allocation I/O: per-mode capacity schemas, the engine view of stored capacity,
// run parameters, and the manifest table formats.
import { describe, expect, it } from "vitest";
import { CapacityInputSchema } from "../../../src/services/allocation/capacity-schemas.ts";
import { toEngineCapacity } from "../../../src/services/allocation/capacity.ts";
import { localTime, tableToCsv, tableToXlsx, vehicleTable } from "../../../src/services/allocation/manifest-formats.ts";
import type { VehicleManifest } from "../../../src/services/allocation/manifests.ts";
import { RunParametersSchema } from "../../../src/services/allocation/runs.ts";

const bus = (details: Record<string, unknown>) => ({ mode: "BUS", departureDate: "2027-01-28", departureTime: "08:00", details: { plate: "苏E12345", seats: 45, drivers: 2, ...details } });

describe("capacity schemas", () => {
  it("accept a bus within the legal ranges and fill defaults", () => {
    const parsed = CapacityInputSchema.parse(bus({}));
    expect(parsed.details).toMatchObject({ maxStops: 3, seatsPerRow: 4 });
  });

  it.each([
    [{ seats: 19 }, "seats"],
    [{ seats: 71 }, "seats"],
    [{ drivers: 4 }, "drivers"],
    [{ plate: "E12345" }, "plate"],
    [{ wheels: 6 }, ""],
  ])("refuse a bus with %j", (details, field) => {
    const result = CapacityInputSchema.safeParse(bus(details));
    expect(result.success).toBe(false);
    if (field) expect(result.error!.issues.some((i) => i.path.includes(field))).toBe(true);
  });

  it("refuse a group-ticket batch under 20 and a departure time that is not HH:MM", () => {
    const quota = { mode: "GROUP_TICKET", departureDate: "2027-01-28", departureTime: "09:00", details: { trainNumber: "K1512", from: { name: "苏州站", regionCode: "320508" }, to: { place: { name: "信阳站", regionCode: "411500" }, arrivalOffsetMinutes: 600 }, count: 19 } };
    expect(CapacityInputSchema.safeParse(quota).success).toBe(false);
    expect(CapacityInputSchema.safeParse({ ...quota, details: { ...quota.details, count: 20 } }).success).toBe(true);
    expect(CapacityInputSchema.safeParse({ ...bus({}), departureTime: "8:00" }).success).toBe(false);
    expect(CapacityInputSchema.safeParse({ ...bus({}), departureTime: "24:00" }).success).toBe(false);
  });

  it("run parameters are strict and bounded", () => {
    expect(RunParametersSchema.safeParse({ busMaxKm: 800, seed: 3 }).success).toBe(true);
    expect(RunParametersSchema.safeParse({ busMaxKm: 5 }).success).toBe(false);
    expect(RunParametersSchema.safeParse({ unknown: 1 }).success).toBe(false);
    expect(RunParametersSchema.safeParse({ excludeCapacityIds: ["not-a-uuid"] }).success).toBe(false);
  });
});

describe("toEngineCapacity", () => {
  const point = { name: "成都站", regionCode: "510100", lat: 30.6, lng: 104.1 };
  it("maps a stored train to the engine's cars and stops", () => {
    const engine = toEngineCapacity({
      id: "c1",
      mode: "SPECIAL_TRAIN",
      label: "L7801",
      departureDate: new Date("2027-01-27T00:00:00Z"),
      departureMinute: 600,
      details: { trainNumber: "L7801", from: null, cars: [{ car: "01", type: "YZ", seats: 118, seatsPerRow: 5 }], stops: [{ ...point, arrivalOffsetMinutes: 1500 }] },
    });
    expect(engine).toEqual({ id: "c1", label: "L7801", departureDate: "2027-01-27", departureMinute: 600, mode: "SPECIAL_TRAIN", cars: [{ car: "01", type: "YZ", seats: 118, seatsPerRow: 5 }], stops: [{ ...point, arrivalOffsetMinutes: 1500 }] });
  });

  it("refuses stored details that do not match the mode", () => {
    expect(() => toEngineCapacity({ id: "c2", mode: "BUS", label: "x", departureDate: new Date(), departureMinute: 0, details: { seats: "many" } })).toThrow();
  });
});

describe("manifest formats", () => {
  const manifest: VehicleManifest = {
    kind: "vehicle",
    vehicle: {
      id: "v",
      runId: "r",
      runSeq: 2,
      runStatus: "PUBLISHED",
      mode: "BUS",
      label: "苏E12345",
      departureAt: "2027-01-28T00:00:00.000Z",
      seatsTotal: 45,
      seatsUsed: 2,
      km: 600,
      operator: { id: "o", name: "苏州汽车客运集团" },
      contactPhone: null,
      route: [
        { index: 0, name: "苏州市", regionCode: "320500", lat: 31.3, lng: 120.6, arriveAt: "2027-01-28T08:00:00+08:00", km: 0 },
        { index: 1, name: "阜阳市", regionCode: "341200", lat: 32.9, lng: 115.8, arriveAt: "2027-01-28T15:30:00+08:00", km: 600 },
      ],
    },
    charterSign: { origin: "苏州市", destination: "阜阳市", mainStops: [], plate: "苏E12345", operator: "苏州汽车客运集团", drivers: 2, validFrom: "2027-01-28", validTo: "2027-01-31" },
    stop: null,
    idsRevealed: false,
    rows: [
      { car: "", seat: "1", name: "=HYPERLINK(\"x\")", idNumber: "341200********1234", mobile: "139****0001", enterpriseId: "e", enterprise: "盛虹, 集团", dropStop: 1, dropStopName: "阜阳市", dropRegionCode: "341200", arriveAt: "2027-01-28T15:30:00+08:00", onwardKm: 0 },
    ],
  };

  it("shows Beijing time", () => {
    expect(localTime("2027-01-28T00:00:00.000Z")).toBe("2027-01-28 08:00");
    expect(localTime("2027-01-28T15:30:00+08:00")).toBe("2027-01-28 15:30");
    expect(localTime(null)).toBe("");
  });

  it("writes CSV with a BOM, quoted commas and defused formulas; no car column for buses", () => {
    const csv = tableToCsv(vehicleTable(manifest));
    expect(csv.startsWith("\uFEFF座位,姓名,")).toBe(true);
    const row = csv.split("\r\n")[1]!;
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain('"盛虹, 集团"');
    expect(row).toContain("2027-01-28 15:30");
  });

  it("puts the charter sign in the heading", () => {
    const heading = Object.fromEntries(vehicleTable(manifest).heading);
    expect(heading["包车客运标志牌"]).toBe("苏州市 — 阜阳市");
    expect(heading["驾驶员人数"]).toBe("2");
    expect(heading["有效期"]).toBe("2027-01-28 至 2027-01-31");
  });

  it("writes an XLSX workbook", async () => {
    const bytes = await tableToXlsx(vehicleTable(manifest));
    expect(String.fromCharCode(bytes[0]!, bytes[1]!)).toBe("PK");
  });
});
