// The allocation engine's contract: plain data in, plain data out, no I/O. The allocation service
// builds an AllocationInput from the database (active travellers, active capacity, the published
// run it starts from), calls `allocate`, and stores the AllocationResult as a run.
//
// Dates are ISO dates ("2027-01-28"); times are minutes after local midnight (Asia/Shanghai) or
// ISO timestamps with "+08:00". Distances are kilometres.

export type Mode = "BUS" | "SPECIAL_TRAIN" | "RESERVED_CARRIAGE" | "GROUP_TICKET" | "BOAT" | "FLIGHT";

export interface GeoPoint {
  name: string;
  /** GB/T 2260 code of the place (county or prefecture). */
  regionCode: string;
  lat: number;
  lng: number;
  placeId?: string;
}

export interface EngineTraveler {
  id: string;
  orgId: string;
  destination: GeoPoint;
  earliestDate: string;
  latestDate: string;
  groupTag?: string | null;
  preference?: Mode | null;
}

interface CapacityBase {
  id: string;
  label: string;
  departureDate: string;
  /** Minutes after local midnight. */
  departureMinute: number;
}

export interface BusCapacity extends CapacityBase {
  mode: "BUS";
  seats: number;
  drivers: number;
  maxStops: number;
  /** Where the bus leaves from (defaults to the campaign origin). */
  depot?: GeoPoint;
  /** Seats per row for adjacency (2+2 coach = 4). */
  seatsPerRow?: number;
}

export interface TrainCar {
  car: string;
  /** YZ, YW, ZE (CRH second class), … */
  type: string;
  seats: number;
  /** Seats per row for adjacency (YZ 3+2 → 5, YW compartments of 6, ZE 3+2 → 5). */
  seatsPerRow?: number;
}

export interface TrainStop extends GeoPoint {
  /** Minutes after the train's departure that it reaches this station. */
  arrivalOffsetMinutes: number;
}

export interface TrainCapacity extends CapacityBase {
  mode: "SPECIAL_TRAIN" | "RESERVED_CARRIAGE";
  cars: TrainCar[];
  /** Stations served after the origin, in order. */
  stops: TrainStop[];
}

export interface GroupTicketCapacity extends CapacityBase {
  mode: "GROUP_TICKET";
  from: GeoPoint;
  to: TrainStop;
  count: number;
}

export interface PointToPointCapacity extends CapacityBase {
  mode: "BOAT" | "FLIGHT";
  seats: number;
  to: TrainStop;
  seatsPerRow?: number;
}

export type EngineCapacity = BusCapacity | TrainCapacity | GroupTicketCapacity | PointToPointCapacity;

export interface AllocationPolicy {
  /** Road distance below which a traveller goes by bus (default 1,000 km). */
  busMaxKm: number;
  /** Road distance above which air is preferred when flights exist (default 2,500 km). */
  airMinKm: number;
  /** Great-circle × this = road distance (default 1.3). */
  detourFactor: number;
  /** Road km by region code from the origin, when known (overrides great-circle × detour). */
  distanceTable?: Record<string, number>;
  /** Furthest a rail/boat/air traveller may be from their destination at the served station. */
  maxOnwardKm: number;
  /** Average coach speed for arrival estimates (km/h), and minutes per drop-off stop. */
  busSpeedKmh: number;
  stopMinutes: number;
  /** Maximum driving km per bus by number of drivers (index = drivers, e.g. [0, 600, 1200]). */
  maxKmByDrivers: number[];
  /** Coaches do not run in this local window (default 02:00–05:00 → 120..300). */
  curfew: { startMinute: number; endMinute: number };
  /** Smallest group-ticket batch (default 20). */
  minGroupTicketBatch: number;
  /** Time budget of the bus-routing search, per departure day, in milliseconds. */
  routingBudgetMs: number;
  seed: number;
}

/** A seat the traveller already holds from the published run the new one starts from. */
export interface PreviousAssignment {
  travelerId: string;
  capacityId: string;
  car: string;
  seat: string;
  /** Notified and unchanged since: keep it unless it became impossible. */
  locked: boolean;
}

export interface AllocationInput {
  origin: GeoPoint;
  travelers: EngineTraveler[];
  capacities: EngineCapacity[];
  policy: AllocationPolicy;
  previous?: PreviousAssignment[];
  /** Called now and then with 0..100. */
  onProgress?: (percent: number) => void;
}

export interface RouteStop extends GeoPoint {
  /** ISO timestamp (+08:00) of arrival (departure for the first stop). */
  at: string;
  /** Cumulative km from the origin. */
  km: number;
}

export interface EngineVehicle {
  capacityId: string;
  mode: Mode;
  label: string;
  departureAt: string;
  /** route[0] is the origin/depot; then drop-off stops in order. */
  route: RouteStop[];
  seatsTotal: number;
  seatsUsed: number;
  km: number;
}

export interface EngineAssignment {
  travelerId: string;
  capacityId: string;
  car: string;
  seat: string;
  /** Index into the vehicle's route. */
  dropStop: number;
  dropRegionCode: string;
  onwardKm: number;
}

export type UnassignedReason =
  | "NO_CAPACITY_FOR_MODE"
  | "NO_CAPACITY_IN_WINDOW"
  | "DESTINATION_TOO_FAR_FROM_STATION"
  | "GROUP_TOO_LARGE"
  | "BELOW_GROUP_TICKET_MINIMUM"
  | "ROUTE_INFEASIBLE"
  | "CONFLICT";

export interface Unassigned {
  travelerId: string;
  reason: UnassignedReason;
  detail: string;
}

export interface QualityReport {
  travelers: number;
  assigned: number;
  unassigned: number;
  unassignedByReason: Partial<Record<UnassignedReason, number>>;
  vehiclesByMode: Partial<Record<Mode, number>>;
  seatsByMode: Partial<Record<Mode, { used: number; offered: number }>>;
  /** Seats used / seats of the vehicles used. */
  seatUtilisation: number;
  roadKm: number;
  /** Vehicles lower bound (per mode, summed) and the gap of vehicles used to it, in %. */
  vehicleLowerBound: number;
  /** The same bound per mode. */
  vehicleLowerBoundByMode?: Partial<Record<Mode, number>>;
  vehicleGapPct: number;
  /** Lower bound on bus km: per day and depot, ∫ over radius r of the buses that must drive past r (by seats and stops). */
  kmLowerBound?: number;
  kmGapPct?: number;
  keptFromPrevious: number;
  /** Travellers carried by another mode than their first choice because it was full or unusable, keyed
   * "first-choice family→mode used" (families BUS, STATION = rail/boat, AIR), e.g. "BUS→SPECIAL_TRAIN": 12. */
  modeFallbacks?: Record<string, number>;
  /** Travellers with a stated preference who got / did not get that mode. */
  preferencesHonoured?: number;
  preferencesNotHonoured?: number;
  elapsedMs: number;
}

export interface AllocationDiff {
  added: string[];
  moved: { travelerId: string; from: { capacityId: string; car: string; seat: string }; to: { capacityId: string; car: string; seat: string } }[];
  removed: string[];
  unchanged: number;
}

export interface AllocationResult {
  vehicles: EngineVehicle[];
  assignments: EngineAssignment[];
  unassigned: Unassigned[];
  report: QualityReport;
  diff: AllocationDiff;
}
