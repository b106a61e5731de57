// Small hand-made places and capacity builders for the allocation engine tests.
import { defaultPolicy } from "../../../src/allocation/engine/index.ts";
import type {
  AllocationInput,
  AllocationPolicy,
  BusCapacity,
  EngineTraveler,
  GeoPoint,
  GroupTicketCapacity,
  PointToPointCapacity,
  TrainCapacity,
  TrainStop,
} from "../../../src/allocation/engine/index.ts";

export const suzhou: GeoPoint = { name: "苏州", regionCode: "320500", lat: 31.2989, lng: 120.5853 };
/** Places by road from Suzhou (great-circle × 1.3): Hefei ~ 370 km, Shangqiu ~ 700, Zhengzhou ~ 900, Chengdu ~ 2,400, Kunming ~ 2,600. */
export const places = {
  hefei: { name: "合肥", regionCode: "340100", lat: 31.8206, lng: 117.2272 },
  bengbu: { name: "蚌埠", regionCode: "340300", lat: 32.9163, lng: 117.3889 },
  fuyang: { name: "阜阳", regionCode: "341200", lat: 32.8897, lng: 115.8142 },
  shangqiu: { name: "商丘", regionCode: "411400", lat: 34.4143, lng: 115.6564 },
  zhoukou: { name: "周口", regionCode: "411600", lat: 33.6253, lng: 114.6969 },
  zhengzhou: { name: "郑州", regionCode: "410100", lat: 34.7466, lng: 113.6253 },
  xinyang: { name: "信阳", regionCode: "411500", lat: 32.147, lng: 114.0913 },
  xuzhou: { name: "徐州", regionCode: "320300", lat: 34.2044, lng: 117.2858 },
  nanchang: { name: "南昌", regionCode: "360100", lat: 28.682, lng: 115.8579 },
  chengdu: { name: "成都", regionCode: "510100", lat: 30.5728, lng: 104.0668 },
  deyang: { name: "德阳", regionCode: "510600", lat: 31.127, lng: 104.398 },
  chongqing: { name: "重庆", regionCode: "500000", lat: 29.563, lng: 106.5516 },
  guiyang: { name: "贵阳", regionCode: "520100", lat: 26.647, lng: 106.6302 },
  kunming: { name: "昆明", regionCode: "530100", lat: 25.0406, lng: 102.7123 },
  urumqi: { name: "乌鲁木齐", regionCode: "650100", lat: 43.8256, lng: 87.6168 },
} satisfies Record<string, GeoPoint>;

export function policy(overrides: Partial<AllocationPolicy> = {}): AllocationPolicy {
  return { ...defaultPolicy, routingBudgetMs: 60, ...overrides };
}

let counter = 0;
export function traveler(destination: GeoPoint, overrides: Partial<EngineTraveler> = {}): EngineTraveler {
  counter++;
  return {
    id: `t${counter}`,
    orgId: "org1",
    destination,
    earliestDate: "2027-01-28",
    latestDate: "2027-01-28",
    ...overrides,
  };
}

export function many(count: number, destination: GeoPoint, overrides: Partial<EngineTraveler> = {}): EngineTraveler[] {
  return Array.from({ length: count }, () => traveler(destination, overrides));
}

export function bus(id: string, overrides: Partial<BusCapacity> = {}): BusCapacity {
  return {
    id,
    label: `苏E·${id}`,
    mode: "BUS",
    departureDate: "2027-01-28",
    departureMinute: 7 * 60,
    seats: 50,
    drivers: 2,
    maxStops: 4,
    seatsPerRow: 4,
    ...overrides,
  };
}

export function stop(point: GeoPoint, arrivalOffsetMinutes: number): TrainStop {
  return { ...point, arrivalOffsetMinutes };
}

export function specialTrain(id: string, stops: TrainStop[], overrides: Partial<TrainCapacity> = {}): TrainCapacity {
  return {
    id,
    label: `L${id}`,
    mode: "SPECIAL_TRAIN",
    departureDate: "2027-01-28",
    departureMinute: 9 * 60,
    cars: [
      { car: "01", type: "YZ", seats: 118, seatsPerRow: 5 },
      { car: "02", type: "YZ", seats: 118, seatsPerRow: 5 },
    ],
    stops,
    ...overrides,
  };
}

export function groupTicket(id: string, to: TrainStop, count: number, overrides: Partial<GroupTicketCapacity> = {}): GroupTicketCapacity {
  return { id, label: `G${id}`, mode: "GROUP_TICKET", departureDate: "2027-01-28", departureMinute: 10 * 60, from: suzhou, to, count, ...overrides };
}

export function flight(id: string, to: TrainStop, seats: number, overrides: Partial<PointToPointCapacity> = {}): PointToPointCapacity {
  return { id, label: `MU${id}`, mode: "FLIGHT", departureDate: "2027-01-28", departureMinute: 8 * 60, seats, to, seatsPerRow: 6, ...overrides };
}

export function input(partial: Partial<AllocationInput> & Pick<AllocationInput, "travelers" | "capacities">): AllocationInput {
  return { origin: suzhou, policy: policy(), ...partial };
}
