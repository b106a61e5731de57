// City-scale benchmark of the allocation engine: `npm run bench:allocate [-- --travelers N
// --seed S --budget-ms B --rerun]`. A seeded Suzhou campaign: travellers spread over the prefectures of the
// big sending provinces, six departure days, enterprise groups, a bus fleet sized to the road
// demand, three special trains, reserved carriages on daily trains, group-ticket quotas and a few
// charter flights. Prints wall time, peak RSS, vehicles against the lower bound, km and the
// unassigned; the last line is one JSON object. BENCH_DEBUG=1 also prints per-day bus figures and
// whether any unassigned traveller had a free seat within reach (a sign of a poor choice, not of
// missing capacity).
import { allocate, checkAllocation, defaultPolicy } from "../src/allocation/engine/index.ts";
import type {
  AllocationInput,
  BusCapacity,
  EngineCapacity,
  EngineTraveler,
  GeoPoint,
  GroupTicketCapacity,
  Mode,
  PointToPointCapacity,
  TrainCapacity,
} from "../src/allocation/engine/index.ts";
import { greatCircleKm, listRegions, lookupRegion } from "../src/intake/regions.ts";
import { seededRandom } from "../src/lib/seeded-random.ts";

const args = parseArguments(process.argv.slice(2));
const random = seededRandom(args.seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

const DAYS = ["2027-01-27", "2027-01-28", "2027-01-29", "2027-01-30", "2027-01-31", "2027-02-01"];
const suzhouRegion = lookupRegion("320500")!;
const origin: GeoPoint = { name: "苏州", regionCode: "320500", lat: suzhouRegion.lat, lng: suzhouRegion.lng };
const policy = { ...defaultPolicy, ...(args.budgetMs !== null ? { routingBudgetMs: args.budgetMs } : {}) };

/** Share of Suzhou's migrant workers by home province (northern Jiangsu by prefecture). */
const PROVINCE_SHARE: [string, number][] = [
  ["340000", 22], // 安徽
  ["410000", 16], // 河南
  ["510000", 10], // 四川
  ["520000", 8], // 贵州
  ["JS-NORTH", 8], // 苏北
  ["430000", 6], // 湖南
  ["420000", 6], // 湖北
  ["360000", 6], // 江西
  ["500000", 5], // 重庆
  ["530000", 4], // 云南
  ["370000", 4], // 山东
  ["610000", 2], // 陕西
  ["620000", 2], // 甘肃
  ["450000", 1], // 广西
];
const NORTH_JIANGSU = ["320300", "320700", "320800", "320900", "321300"];

const generationStarted = performance.now();
const prefectures = listRegions().filter((r) => r.prefectureCode === r.code && r.level !== "county");
const destinations: { point: GeoPoint; weight: number }[] = [];
for (const [province, share] of PROVINCE_SHARE) {
  const members = province === "JS-NORTH" ? prefectures.filter((r) => NORTH_JIANGSU.includes(r.code)) : prefectures.filter((r) => r.provinceCode === province);
  const weights = members.map(() => 0.3 + 1.4 * random());
  const total = weights.reduce((a, b) => a + b, 0);
  members.forEach((r, i) => {
    destinations.push({ point: { name: r.name, regionCode: r.code, lat: r.lat, lng: r.lng }, weight: (share * weights[i]!) / total });
  });
}
const cumulative: number[] = [];
destinations.reduce((sum, d) => (cumulative.push(sum + d.weight), sum + d.weight), 0);
const totalWeight = cumulative[cumulative.length - 1]!;
const drawDestination = () => {
  const x = random() * totalWeight;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return destinations[lo]!.point;
};
const roadKm = (p: GeoPoint) => greatCircleKm(origin, p) * policy.detourFactor;

// Travellers: enterprises send groups (2–8 colleagues from one hometown, one window) and singles.
const travelers: EngineTraveler[] = [];
const orgs = Array.from({ length: 400 }, (_, i) => `org${i + 1}`);
while (travelers.length < args.travelers) {
  const orgId = pick(orgs);
  const destination = drawDestination();
  const earliest = between(0, DAYS.length - 1);
  const width = random() < 0.4 ? 0 : random() < 0.6 ? 1 : 2;
  const latest = Math.min(DAYS.length - 1, earliest + width);
  const size = random() < 0.3 ? between(2, 8) : 1;
  const groupTag = size > 1 ? `g${travelers.length}` : null;
  // A few prefer the train although they live within bus range (they fall back to a bus).
  const preference: Mode | null = random() < 0.01 ? "SPECIAL_TRAIN" : null;
  for (let k = 0; k < size && travelers.length < args.travelers; k++) {
    travelers.push({
      id: `w${travelers.length + 1}`,
      orgId,
      destination,
      earliestDate: DAYS[earliest]!,
      latestDate: DAYS[latest]!,
      groupTag,
      preference,
    });
  }
}

// Capacity sized to the demand the policy's mode choice will create.
const capacities: EngineCapacity[] = [];
const busDemandByDay = DAYS.map(() => 0);
const farDemand = new Map<string, { point: GeoPoint; total: number; air: boolean }>();
for (const t of travelers) {
  const km = roadKm(t.destination);
  if (km < policy.busMaxKm) busDemandByDay[DAYS.indexOf(t.earliestDate)]!++;
  else {
    const entry = farDemand.get(t.destination.regionCode) ?? { point: t.destination, total: 0, air: km > policy.airMinKm };
    entry.total++;
    farDemand.set(t.destination.regionCode, entry);
  }
}
busDemandByDay.forEach((demand, day) => {
  const fleet = Math.ceil((1.08 * demand) / 53) + 5;
  for (let i = 0; i < fleet; i++) {
    const bus: BusCapacity = {
      id: `bus-${day}-${i}`,
      label: `苏E·${String(10000 + day * 2000 + i)}`,
      mode: "BUS",
      departureDate: DAYS[day]!,
      departureMinute: 6 * 60 + 30 * between(0, 4),
      seats: 53,
      drivers: random() < 0.85 ? 2 : 1,
      maxStops: 4,
      seatsPerRow: 4,
    };
    capacities.push(bus);
  }
});

// Rail corridors: far destinations grouped by bearing from Suzhou; each corridor has a daily
// scheduled train with reserved carriages stopping at its prefectures.
const bearing = (p: GeoPoint) => (Math.atan2(p.lat - origin.lat, p.lng - origin.lng) * 180) / Math.PI;
const corridors = new Map<number, { point: GeoPoint; total: number; air: boolean }[]>();
for (const d of farDemand.values()) {
  const sector = Math.floor((bearing(d.point) + 180) / 15);
  corridors.set(sector, [...(corridors.get(sector) ?? []), d]);
}
const railSpeed = 100;
const stopOf = (p: GeoPoint) => ({ ...p, arrivalOffsetMinutes: Math.round((roadKm(p) / railSpeed) * 60) });
const corridorList = [...corridors.values()].map((stops) => stops.sort((a, b) => roadKm(a.point) - roadKm(b.point)));
corridorList.sort((a, b) => b.reduce((s, x) => s + x.total, 0) - a.reduce((s, x) => s + x.total, 0));
corridorList.forEach((stops, c) => {
  const daily = stops.reduce((s, x) => s + x.total, 0) / DAYS.length;
  const cars = Math.max(1, Math.ceil((1.0 * daily) / 118));
  DAYS.forEach((date, day) => {
    const train: TrainCapacity = {
      id: `carriage-${c}-${day}`,
      label: `K${1100 + c * 10 + day}`,
      mode: "RESERVED_CARRIAGE",
      departureDate: date,
      departureMinute: 18 * 60 + 30,
      cars: Array.from({ length: cars }, (_, k) => ({ car: String(k + 5).padStart(2, "0"), type: "YZ", seats: 118, seatsPerRow: 5 })),
      stops: stops.map((s) => stopOf(s.point)),
    };
    capacities.push(train);
  });
});
// Three special trains on the busiest corridors, 18 hard-seat cars each.
corridorList.slice(0, 3).forEach((stops, c) => {
  const special: TrainCapacity = {
    id: `special-${c}`,
    label: `L${9001 + c}`,
    mode: "SPECIAL_TRAIN",
    departureDate: DAYS[1 + 2 * c]!,
    departureMinute: 20 * 60,
    cars: Array.from({ length: 18 }, (_, k) => ({ car: String(k + 1).padStart(2, "0"), type: "YZ", seats: 118, seatsPerRow: 5 })),
    stops: stops.map((s) => stopOf(s.point)),
  };
  capacities.push(special);
});
// Group-ticket quotas to the biggest far prefectures, daily.
const biggest = [...farDemand.values()].sort((a, b) => b.total - a.total).slice(0, 25);
for (const d of biggest) {
  const count = Math.max(30, Math.round((0.35 * d.total) / DAYS.length / 10) * 10);
  DAYS.forEach((date, day) => {
    const quota: GroupTicketCapacity = {
      id: `ticket-${d.point.regionCode}-${day}`,
      label: `T${d.point.regionCode.slice(0, 4)}-${day}`,
      mode: "GROUP_TICKET",
      departureDate: date,
      departureMinute: 9 * 60 + 15,
      from: origin,
      to: stopOf(d.point),
      count,
    };
    capacities.push(quota);
  });
}
// Charter flights to the air-distance prefectures with enough travellers.
for (const d of farDemand.values()) {
  if (!d.air || d.total < 150) continue;
  DAYS.forEach((date, day) => {
    if (day % 2 === 1) return;
    const plane: PointToPointCapacity = {
      id: `flight-${d.point.regionCode}-${day}`,
      label: `MU${5000 + day}-${d.point.regionCode.slice(0, 4)}`,
      mode: "FLIGHT",
      departureDate: date,
      departureMinute: 10 * 60,
      seats: 180,
      to: { ...d.point, arrivalOffsetMinutes: 240 },
      seatsPerRow: 6,
    };
    capacities.push(plane);
  });
}
const generationSeconds = (performance.now() - generationStarted) / 1000;

const input: AllocationInput = { origin, travelers, capacities, policy };
const started = performance.now();
const result = allocate(input);
if (process.env.BENCH_DEBUG) debug();
const wallSeconds = (performance.now() - started) / 1000;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const violations = checkAllocation(input, result);
const r = result.report;
const vehicles = result.vehicles.length;
const busSeatBound = busBound(result);

console.log(`travellers ${travelers.length}, capacities ${capacities.length} (generated in ${generationSeconds.toFixed(1)} s)`);
console.log(`allocate: ${wallSeconds.toFixed(2)} s wall, peak RSS ${peakRssMb.toFixed(0)} MB`);
console.log(`vehicles ${vehicles} vs lower bound ${r.vehicleLowerBound} (gap ${r.vehicleGapPct.toFixed(2)} %): ${JSON.stringify(r.vehiclesByMode)} vs ${JSON.stringify(r.vehicleLowerBoundByMode)}`);
console.log(`bus km ${r.roadKm.toFixed(0)} vs km lower bound ${r.kmLowerBound?.toFixed(0) ?? "-"} (gap ${r.kmGapPct?.toFixed(1) ?? "-"} %), seat utilisation ${(100 * r.seatUtilisation).toFixed(1)} %`);
console.log(`unassigned ${r.unassigned}: ${JSON.stringify(r.unassignedByReason)}; mode fallbacks ${JSON.stringify(r.modeFallbacks ?? {})}`);
console.log(`feasibility check: ${violations.length === 0 ? "ok" : `${violations.length} violations, e.g. ${JSON.stringify(violations.slice(0, 3))}`}`);
// --rerun: the next run after the lists changed: everyone seated is locked (notified), 1 % more
// travellers arrive; measures stability at scale.
let rerun: { wallSeconds: number; kept: number; moved: number; added: number; unassigned: number; violations: number } | null = null;
if (args.rerun) {
  const extra: EngineTraveler[] = [];
  for (let i = 0; i < Math.ceil(travelers.length / 100); i++) {
    const day = between(0, DAYS.length - 1);
    extra.push({ id: `late${i}`, orgId: pick(orgs), destination: drawDestination(), earliestDate: DAYS[day]!, latestDate: DAYS[Math.min(DAYS.length - 1, day + 1)]! });
  }
  const previous = result.assignments.map((a) => ({ travelerId: a.travelerId, capacityId: a.capacityId, car: a.car, seat: a.seat, locked: true }));
  const second: AllocationInput = { ...input, travelers: [...travelers, ...extra], previous };
  const t0 = performance.now();
  const again = allocate(second);
  const seconds = (performance.now() - t0) / 1000;
  rerun = {
    wallSeconds: round(seconds, 2),
    kept: again.report.keptFromPrevious,
    moved: again.diff.moved.length,
    added: again.diff.added.length,
    unassigned: again.report.unassigned,
    violations: checkAllocation(second, again).length,
  };
  console.log(`re-run with ${previous.length} locked seats and ${extra.length} newcomers: ${JSON.stringify(rerun)}`);
}
const peakRssMbAll = process.resourceUsage().maxRSS / 1024;

console.log(
  JSON.stringify({
    travelers: travelers.length,
    seed: args.seed,
    wallSeconds: round(wallSeconds, 2),
    peakRssMb: Math.round(peakRssMb),
    vehicles,
    vehicleLowerBound: r.vehicleLowerBound,
    vehicleRatio: round(vehicles / Math.max(1, r.vehicleLowerBound), 4),
    busVehicles: r.vehiclesByMode.BUS ?? 0,
    busLowerBound: r.vehicleLowerBoundByMode?.BUS ?? 0,
    busSeatBound: busSeatBound,
    roadKm: Math.round(r.roadKm),
    kmLowerBound: r.kmLowerBound !== undefined ? Math.round(r.kmLowerBound) : null,
    unassigned: r.unassigned,
    unassignedByReason: r.unassignedByReason,
    seatUtilisation: round(r.seatUtilisation, 4),
    violations: violations.length,
    routingBudgetMs: policy.routingBudgetMs,
    ...(rerun ? { rerun, peakRssMbWithRerun: Math.round(peakRssMbAll) } : {}),
  }),
);

/** ceil(bus travellers / 53) per day: the bus part of the bound, for the record. */
function busBound(res: typeof result): number {
  const perDay = new Map<string, number>();
  const dateOf = new Map(capacities.map((c) => [c.id, c.departureDate]));
  for (const a of res.assignments) if (a.capacityId.startsWith("bus-")) perDay.set(dateOf.get(a.capacityId)!, (perDay.get(dateOf.get(a.capacityId)!) ?? 0) + 1);
  let total = 0;
  for (const n of perDay.values()) total += Math.ceil(n / 53);
  return total;
}

function debug(): void {
  const byId = new Map(travelers.map((t) => [t.id, t]));
  for (const u of result.unassigned.slice(0, 5)) {
    const t = byId.get(u.travelerId)!;
    console.log("unassigned", u.reason, u.detail, t.destination.name, Math.round(roadKm(t.destination)), t.earliestDate, t.latestDate, t.groupTag);
  }
  const used = new Map<string, number>();
  for (const v of result.vehicles) used.set(v.capacityId, v.seatsUsed);
  let withFree = 0;
  const freeBy = new Map<string, number>();
  for (const u of result.unassigned) {
    const t = byId.get(u.travelerId)!;
    for (const c of capacities) {
      if (c.mode === "BUS" || c.departureDate < t.earliestDate || c.departureDate > t.latestDate) continue;
      const stops = "stops" in c ? c.stops : [c.to];
      if (!stops.some((s) => greatCircleKm(s, t.destination) * 1.3 <= 150)) continue;
      const seats = c.mode === "GROUP_TICKET" ? c.count : "cars" in c ? c.cars.reduce((a, x) => a + x.seats, 0) : c.seats;
      const free = seats - (used.get(c.id) ?? 0);
      if (free > 0) {
        withFree++;
        freeBy.set(`${c.mode}:${used.has(c.id) ? "used" : "unused"}`, (freeBy.get(`${c.mode}:${used.has(c.id) ? "used" : "unused"}`) ?? 0) + 1);
        break;
      }
    }
  }
  console.log("unassigned with a free seat somewhere in reach:", withFree, JSON.stringify([...freeBy]));
  const cap = new Map(capacities.map((c) => [c.id, c]));
  const perDay = new Map<string, { buses: number; demand: number; stops: number; full: number }>();
  for (const v of result.vehicles) {
    if (v.mode !== "BUS") continue;
    const d = cap.get(v.capacityId)!.departureDate;
    const e = perDay.get(d) ?? { buses: 0, demand: 0, stops: 0, full: 0 };
    e.buses++;
    e.demand += v.seatsUsed;
    e.stops += v.route.length - 1;
    if (v.seatsUsed === v.seatsTotal) e.full++;
    perDay.set(d, e);
  }
  for (const [d, e] of [...perDay].sort()) console.log(d, JSON.stringify(e), "fleet", capacities.filter((c) => c.mode === "BUS" && c.departureDate === d).length, "lb", Math.ceil(e.demand / 53));
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function parseArguments(argv: string[]): { travelers: number; seed: number; budgetMs: number | null; rerun: boolean } {
  const out = { travelers: 100_000, seed: 1, budgetMs: null as number | null, rerun: false };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case "--travelers":
        out.travelers = Number(value);
        i++;
        break;
      case "--seed":
        out.seed = Number(value);
        i++;
        break;
      case "--budget-ms":
        out.budgetMs = Number(value);
        i++;
        break;
      case "--rerun":
        out.rerun = true;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (expected --travelers N --seed S --budget-ms B --rerun)`);
    }
  }
  if (!Number.isInteger(out.travelers) || out.travelers < 1) throw new Error("--travelers must be a positive integer");
  return out;
}
