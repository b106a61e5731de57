// What a transport partner offers, per mode: the request schemas (also the OpenAPI document) and
// the normalised `details` stored with a capacity, where every station is already resolved to a
// point with coordinates so that an allocation run reads capacity without further look-ups.
import { z } from "@hono/zod-openapi";

const uuid = z.uuid();

export const PlaceRefSchema = z
  .union([
    z.object({ placeId: uuid }).strict(),
    z
      .object({
        name: z.string().trim().min(1).max(60).openapi({ example: "信阳站" }),
        regionCode: z.string().regex(/^\d{6}$/, "a 6-digit GB/T 2260 code").openapi({ example: "411500" }),
        code: z.string().trim().max(10).optional().openapi({ description: "Station telecode / IATA code" }),
      })
      .strict(),
  ])
  .openapi("PlaceRef", { description: "A registered place by id, or a station named with its region code" });

export const StopRefSchema = z
  .object({
    place: PlaceRefSchema,
    arrivalOffsetMinutes: z.number().int().min(1).max(7 * 24 * 60).openapi({ description: "Minutes after departure that it reaches this stop" }),
  })
  .strict()
  .openapi("StopRef");

/** Seats of a car type when the partner does not say (硬座 YZ25G 118, 硬卧 66, 软卧 36, CRH 二等 90, 一等 56). */
export const carTypeDefaults: Record<string, { seats: number; seatsPerRow: number }> = {
  YZ: { seats: 118, seatsPerRow: 5 },
  YW: { seats: 66, seatsPerRow: 6 },
  RW: { seats: 36, seatsPerRow: 4 },
  ZE: { seats: 90, seatsPerRow: 5 },
  ZY: { seats: 56, seatsPerRow: 4 },
};

const CarSchema = z
  .object({
    car: z.string().trim().regex(/^\d{1,2}$/, "car number 1–99").openapi({ example: "05" }),
    type: z.string().trim().regex(/^[A-Z]{2,3}$/).openapi({ description: `Car type; seats default by type (${Object.entries(carTypeDefaults).map(([t, d]) => `${t} ${d.seats}`).join(", ")})`, example: "YZ" }),
    seats: z.number().int().min(1).max(200).optional(),
    seatsPerRow: z.number().int().min(1).max(10).optional(),
  })
  .strict();

/** The phone travellers call about this departure (the operator's dispatch desk, not a person's mobile). */
const contactPhone = z
  .string()
  .trim()
  .regex(/^[0-9+\-]{5,20}$/, "a phone number")
  .optional()
  .openapi({ description: "Dispatch phone printed in notices and manifests", example: "0512-65776577" });

const plate = z
  .string()
  .trim()
  .regex(/^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}$/u, "a mainland plate such as 苏E12345")
  .openapi({ example: "苏E12345" });

export const BusDetailsInput = z
  .object({
    contactPhone,
    plate,
    seats: z.number().int().min(20).max(70).openapi({ example: 53 }),
    drivers: z.number().int().min(1).max(3).openapi({ example: 2 }),
    maxStops: z.number().int().min(1).max(10).default(3),
    depot: PlaceRefSchema.optional().openapi({ description: "Where the bus leaves from; the campaign's origin when absent" }),
    seatsPerRow: z.number().int().min(2).max(6).default(4),
    /** Validity printed on the charter sign (包车客运标志牌). */
    validFrom: z.iso.date().optional(),
    validTo: z.iso.date().optional(),
  })
  .strict();

export const TrainDetailsInput = z
  .object({
    contactPhone,
    trainNumber: z.string().trim().regex(/^[GDCZTKLYS]?\d{1,5}$/, "a train number such as L1234 or K1512").openapi({ example: "L7801" }),
    from: PlaceRefSchema.optional().openapi({ description: "Departure station; the campaign's origin when absent" }),
    cars: z.array(CarSchema).min(1).max(30),
    stops: z.array(StopRefSchema).min(1).max(40),
  })
  .strict();

export const GroupTicketDetailsInput = z
  .object({
    contactPhone,
    trainNumber: z.string().trim().regex(/^[GDCZTKLYS]?\d{1,5}$/).openapi({ example: "K1512" }),
    from: PlaceRefSchema,
    to: StopRefSchema,
    count: z.number().int().min(20, "a group ticket batch is at least 20 travellers").max(3000),
  })
  .strict();

export const PointToPointDetailsInput = z
  .object({
    contactPhone,
    /** Vessel name or flight number. */
    number: z.string().trim().min(1).max(30).openapi({ example: "MU5401" }),
    seats: z.number().int().min(1).max(2000),
    seatsPerRow: z.number().int().min(1).max(10).default(6),
    to: StopRefSchema,
  })
  .strict();

const common = {
  label: z.string().trim().min(1).max(60).optional().openapi({ description: "Defaults to the plate / train / flight number" }),
  departureDate: z.iso.date().openapi({ example: "2027-01-28" }),
  departureTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM").openapi({ example: "07:30" }),
  /** The operator the capacity belongs to: the caller itself when it is an operator; required from the city union. */
  operatorOrgId: uuid.optional(),
};

export const CapacityInputSchema = z
  .discriminatedUnion("mode", [
    z.object({ mode: z.literal("BUS"), ...common, details: BusDetailsInput }).strict(),
    z.object({ mode: z.literal("SPECIAL_TRAIN"), ...common, details: TrainDetailsInput }).strict(),
    z.object({ mode: z.literal("RESERVED_CARRIAGE"), ...common, details: TrainDetailsInput }).strict(),
    z.object({ mode: z.literal("GROUP_TICKET"), ...common, details: GroupTicketDetailsInput }).strict(),
    z.object({ mode: z.literal("BOAT"), ...common, details: PointToPointDetailsInput }).strict(),
    z.object({ mode: z.literal("FLIGHT"), ...common, details: PointToPointDetailsInput }).strict(),
  ])
  .openapi("CapacityInput");

export type CapacityInput = z.infer<typeof CapacityInputSchema>;

export const CapacityPatchSchema = z
  .object({
    /** The version read; a concurrent change answers 409 VERSION_CONFLICT. */
    version: z.number().int().min(1),
    label: common.label,
    departureDate: common.departureDate.optional(),
    departureTime: common.departureTime.optional(),
    /** The mode's full details, replacing the current ones (validated by the capacity's mode). */
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .openapi("CapacityPatch");

export type CapacityPatch = z.infer<typeof CapacityPatchSchema>;

export const detailsInputByMode = {
  BUS: BusDetailsInput,
  SPECIAL_TRAIN: TrainDetailsInput,
  RESERVED_CARRIAGE: TrainDetailsInput,
  GROUP_TICKET: GroupTicketDetailsInput,
  BOAT: PointToPointDetailsInput,
  FLIGHT: PointToPointDetailsInput,
} as const;

// ── stored, normalised details ──

const GeoPointStored = z.object({ name: z.string(), regionCode: z.string(), lat: z.number(), lng: z.number(), placeId: z.string().optional() });
const StopStored = GeoPointStored.extend({ arrivalOffsetMinutes: z.number().int() });
const contactStored = { contactPhone: z.string().optional() };

export const storedDetailsByMode = {
  BUS: z.object({
    ...contactStored,
    plate: z.string(),
    seats: z.number().int(),
    drivers: z.number().int(),
    maxStops: z.number().int(),
    seatsPerRow: z.number().int(),
    depot: GeoPointStored.nullable(),
    validFrom: z.string(),
    validTo: z.string(),
  }),
  SPECIAL_TRAIN: z.object({
    ...contactStored,
    trainNumber: z.string(),
    from: GeoPointStored.nullable(),
    cars: z.array(z.object({ car: z.string(), type: z.string(), seats: z.number().int(), seatsPerRow: z.number().int() })),
    stops: z.array(StopStored),
  }),
  GROUP_TICKET: z.object({ ...contactStored, trainNumber: z.string(), from: GeoPointStored, to: StopStored, count: z.number().int() }),
  POINT_TO_POINT: z.object({ ...contactStored, number: z.string(), seats: z.number().int(), seatsPerRow: z.number().int(), to: StopStored }),
};

export type StoredBusDetails = z.infer<typeof storedDetailsByMode.BUS>;
export type StoredTrainDetails = z.infer<typeof storedDetailsByMode.SPECIAL_TRAIN>;
export type StoredGroupTicketDetails = z.infer<typeof storedDetailsByMode.GROUP_TICKET>;
export type StoredPointToPointDetails = z.infer<typeof storedDetailsByMode.POINT_TO_POINT>;
