// What the transport partners offer for the demo campaign, sized to the lists so that every
// traveller can get a seat: Suzhou's stations and coach depots, a coach fleet over the six
// departure days for everyone within coach range, daily reserved carriages and two special trains
// for the far corridors (川渝, 贵昆, …) with stops covering every far hometown within the onward
// limit, and group-ticket quotas to the busiest far station. Registered through registerCapacity
// as the operators' own logins (coaches by the bus company, trains and quotas by the railway
// station); a run interrupted before publishing is completed by the next, which registers only
// what is missing.
import { defaultPolicy } from "../../src/allocation/engine/policy.ts";
import { greatCircleKm, lookupRegion, type Region } from "../../src/intake/regions.ts";
import type { CapacityInput } from "../../src/services/allocation/capacity-schemas.ts";
import { registerCapacity } from "../../src/services/allocation/capacity.ts";
import { dateFromDb } from "../../src/services/dates.ts";
import { listPlaces, registerPlace, type PlaceInput } from "../../src/services/places/places.ts";
import { mapLimit } from "./concurrency.ts";
import { contextOf, type DemoEnv } from "./context.ts";
import { DEPARTURE_DAYS } from "./travellers.ts";

export const DEMO_PLACES: PlaceInput[] = [
  { kind: "STATION", name: "苏州站", code: "SZH", regionCode: "320508", lat: 31.3307, lng: 120.6107, address: "姑苏区苏站路27号" },
  { kind: "STATION", name: "苏州北站", code: "OHH", regionCode: "320507", lat: 31.4213, lng: 120.6408, address: "相城区高铁新城" },
  { kind: "STATION", name: "昆山南站", code: "KNH", regionCode: "320583", lat: 31.3768, lng: 120.9556, address: "昆山市城北路" },
  { kind: "DEPOT", name: "苏州汽车北站", regionCode: "320508", lat: 31.3253, lng: 120.6172, address: "姑苏区西汇路29号" },
  { kind: "DEPOT", name: "苏州汽车南站", regionCode: "320508", lat: 31.2761, lng: 120.6270, address: "姑苏区南环东路" },
  { kind: "PICKUP", name: "苏州工业园区星海广场集合点", regionCode: "320576", lat: 31.3096, lng: 120.6735, address: "工业园区星海街" },
];

const BUS_SEATS = 53;
const BUS_MAX_STOPS = 6;
const CAR_SEATS = 118; // 硬座 YZ
const MAX_STOPS_PER_TRAIN = 40;
const RAIL_KMH = 100;
const policy = defaultPolicy;

interface Demand {
  region: Region;
  roadKm: number;
  day: number;
}

/** A far-corridor train line: its stops (in order of arrival) and the travellers they serve. */
interface Line {
  corridor: string;
  stops: { name: string; regionCode: string; arrivalOffsetMinutes: number; served: number }[];
  byDay: number[];
  total: number;
}

const CORRIDORS: Record<string, string> = { "51": "川渝", "50": "川渝", "52": "贵昆", "53": "贵昆", "43": "湘赣", "36": "湘赣", "42": "鄂西", "41": "豫西" };
const placeName = (r: Region) => `${r.shortName || r.name.replace(/(市|地区|自治州|县|区)$/u, "")}站`;

async function ensurePlaces(env: DemoEnv, cityUser: string): Promise<Map<string, string>> {
  const ctx = await contextOf(env, cityUser);
  const have = new Map((await listPlaces(ctx)).map((p) => [`${p.kind}:${p.name}`, p.id]));
  for (const place of DEMO_PLACES) {
    if (!have.has(`${place.kind}:${place.name}`)) have.set(`${place.kind}:${place.name}`, (await registerPlace(ctx, place)).id);
  }
  return new Map([...have.entries()].map(([key, id]) => [key.split(":")[1]!, id]));
}

/** Far destinations covered by stops: each stop within the onward limit of the hometowns it serves. */
function planLines(far: Demand[], origin: Region): Line[] {
  const reach = policy.maxOnwardKm / policy.detourFactor - 1;
  const byCorridor = new Map<string, Demand[]>();
  for (const d of far) {
    const corridor = CORRIDORS[d.region.provinceCode.slice(0, 2)] ?? "其他";
    byCorridor.set(corridor, [...(byCorridor.get(corridor) ?? []), d]);
  }
  const lines: Line[] = [];
  for (const [corridor, demands] of [...byCorridor.entries()].sort((a, b) => b[1].length - a[1].length)) {
    // Hometowns by number of travellers; a stop at the prefecture city when it is in reach, else at the county.
    const counts = new Map<string, { region: Region; n: number; byDay: number[] }>();
    for (const d of demands) {
      const entry = counts.get(d.region.code) ?? { region: d.region, n: 0, byDay: DEPARTURE_DAYS.map(() => 0) };
      entry.n++;
      entry.byDay[d.day]!++;
      counts.set(d.region.code, entry);
    }
    const stops: { region: Region; served: number; byDay: number[] }[] = [];
    for (const home of [...counts.values()].sort((a, b) => b.n - a.n || a.region.code.localeCompare(b.region.code))) {
      let stop = stops.find((s) => greatCircleKm(s.region, home.region) <= reach);
      if (!stop) {
        const prefecture = home.region.prefectureCode ? lookupRegion(home.region.prefectureCode) : undefined;
        const at = prefecture && greatCircleKm(prefecture, home.region) <= reach ? prefecture : home.region;
        stop = stops.find((s) => s.region.code === at.code) ?? { region: at, served: 0, byDay: DEPARTURE_DAYS.map(() => 0) };
        if (!stops.includes(stop)) stops.push(stop);
      }
      stop.served += home.n;
      home.byDay.forEach((n, day) => (stop!.byDay[day]! += n));
    }
    stops.sort((a, b) => greatCircleKm(origin, a.region) - greatCircleKm(origin, b.region));
    for (let i = 0; i < stops.length; i += MAX_STOPS_PER_TRAIN) {
      const chunk = stops.slice(i, i + MAX_STOPS_PER_TRAIN);
      let last = 0;
      lines.push({
        corridor,
        stops: chunk.map((s) => {
          last = Math.max(last + 5, Math.round(((greatCircleKm(origin, s.region) * policy.detourFactor) / RAIL_KMH) * 60));
          return { name: placeName(s.region), regionCode: s.region.code, arrivalOffsetMinutes: last, served: s.served };
        }),
        byDay: DEPARTURE_DAYS.map((_, day) => chunk.reduce((sum, s) => sum + s.byDay[day]!, 0)),
        total: chunk.reduce((sum, s) => sum + s.served, 0),
      });
    }
  }
  return lines.sort((a, b) => b.total - a.total);
}

export interface CapacitySummary {
  places: number;
  registered: number;
  existing: number;
  byMode: Record<string, number>;
}

export async function ensureCapacity(
  env: DemoEnv,
  campaignId: string,
  users: { city: string; bus: string; rail: string },
): Promise<CapacitySummary> {
  const placeIds = await ensurePlaces(env, users.city);
  // Once an allocation is published the demo's capacity is settled: lists amended since then do not
  // make a later seed run register more.
  if (await env.db.allocationRun.findFirst({ where: { campaignId, status: "PUBLISHED" }, select: { id: true } })) {
    return { places: DEMO_PLACES.length, registered: 0, existing: await env.db.capacity.count({ where: { campaignId } }), byMode: {} };
  }
  const campaign = await env.db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
  const origin = lookupRegion(campaign.originRegionCode)!;
  const travellers = await env.db.traveler.findMany({ where: { campaignId, status: "ACTIVE" }, select: { destinationCode: true, earliestDate: true } });

  const near: Demand[] = [];
  const far: Demand[] = [];
  for (const t of travellers) {
    const region = lookupRegion(t.destinationCode);
    if (!region) continue;
    const day = Math.max(0, DEPARTURE_DAYS.indexOf(dateFromDb(t.earliestDate) as (typeof DEPARTURE_DAYS)[number]));
    const roadKm = greatCircleKm(origin, region) * policy.detourFactor;
    (roadKm < policy.busMaxKm ? near : far).push({ region, roadKm, day });
  }

  const plan: { operator: "bus" | "rail"; input: CapacityInput }[] = [];
  // Coaches: per day enough seats, and enough buses for the hometowns at six stops a bus.
  const fleetByDay = DEPARTURE_DAYS.map((_, day) => {
    const today = near.filter((d) => d.day === day);
    const hometowns = new Set(today.map((d) => d.region.code)).size;
    return today.length === 0 ? 0 : Math.max(Math.ceil((1.2 * today.length) / BUS_SEATS), Math.ceil((1.3 * hometowns) / BUS_MAX_STOPS)) + 2;
  });
  const fleet = Math.max(0, ...fleetByDay);
  // A coach is back in Suzhou two days after it leaves: alternate days use the two halves of the fleet.
  const plate = (n: number) => `苏E${"ABCDFGHJKL"[Math.floor(n / 900) % 10]}${String(1000 + ((n * 37) % 900) + 100 * Math.floor(n / 9000))}`;
  fleetByDay.forEach((count, day) => {
    for (let i = 0; i < count; i++) {
      const n = (day % 2) * fleet + i;
      plan.push({
        operator: "bus",
        input: {
          mode: "BUS",
          departureDate: DEPARTURE_DAYS[day]!,
          departureTime: ["06:30", "07:00", "07:30", "08:00"][i % 4]!,
          details: {
            contactPhone: "0512-65776577",
            plate: plate(n),
            seats: i % 5 === 4 ? 45 : BUS_SEATS,
            drivers: 2,
            maxStops: BUS_MAX_STOPS,
            seatsPerRow: 4,
            depot: { placeId: placeIds.get("苏州汽车北站")! },
          },
        } as CapacityInput,
      });
    }
  });

  const suzhou = { placeId: placeIds.get("苏州站")! };
  const lines = planLines(far, origin);
  lines.forEach((line, l) => {
    const stops = line.stops.map((s) => ({ place: { name: s.name, regionCode: s.regionCode }, arrivalOffsetMinutes: s.arrivalOffsetMinutes }));
    // Daily reserved hard-seat carriages on the corridor's scheduled train.
    DEPARTURE_DAYS.forEach((date, day) => {
      const cars = Math.max(1, Math.ceil((1.3 * line.byDay[day]!) / CAR_SEATS));
      plan.push({
        operator: "rail",
        input: {
          mode: "RESERVED_CARRIAGE",
          label: `K${1150 + 2 * l} ${line.corridor}线预留车厢`,
          departureDate: date,
          departureTime: "19:30",
          details: { contactPhone: "0512-12306", trainNumber: `K${1150 + 2 * l}`, from: suzhou, cars: Array.from({ length: cars }, (_, k) => ({ car: String(8 + k), type: "YZ" })), stops },
        } as CapacityInput,
      });
    });
    // The two busiest lines also get a 农民工返乡专列 on a peak day.
    if (l < 2) {
      plan.push({
        operator: "rail",
        input: {
          mode: "SPECIAL_TRAIN",
          label: `L${7801 + l} 苏州—${line.stops.at(-1)!.name.replace(/站$/u, "")}返乡专列`,
          departureDate: DEPARTURE_DAYS[2 + l]!,
          departureTime: "20:10",
          details: {
            contactPhone: "0512-12306",
            trainNumber: `L${7801 + l}`,
            from: suzhou,
            cars: Array.from({ length: Math.min(18, Math.max(4, Math.ceil((0.5 * line.total) / CAR_SEATS))) }, (_, k) => ({ car: String(k + 1), type: "YZ" })),
            stops,
          },
        } as CapacityInput,
      });
    }
  });
  // Group tickets to the far station serving most travellers, every day.
  const busiest = lines.flatMap((line) => line.stops).sort((a, b) => b.served - a.served)[0];
  if (busiest && busiest.served >= 40) {
    DEPARTURE_DAYS.forEach((date) => {
      plan.push({
        operator: "rail",
        input: {
          mode: "GROUP_TICKET",
          label: `K1512 团体票 苏州→${busiest.name}`,
          departureDate: date,
          departureTime: "10:24",
          details: {
            contactPhone: "0512-12306",
            trainNumber: "K1512",
            from: suzhou,
            to: { place: { name: busiest.name, regionCode: busiest.regionCode }, arrivalOffsetMinutes: busiest.arrivalOffsetMinutes },
            count: Math.max(20, Math.round(busiest.served / DEPARTURE_DAYS.length / 10) * 10),
          },
        } as CapacityInput,
      });
    });
  }

  const existing = new Set(
    (await env.db.capacity.findMany({ where: { campaignId }, select: { mode: true, label: true, departureDate: true } })).map((c) => `${c.mode}|${c.label}|${dateFromDb(c.departureDate)}`),
  );
  const contexts = { bus: await contextOf(env, users.bus), rail: await contextOf(env, users.rail) };
  const summary: CapacitySummary = { places: DEMO_PLACES.length, registered: 0, existing: 0, byMode: {} };
  const missing = plan.filter(({ input }) => {
    const label = input.label ?? (input.mode === "BUS" ? (input.details as { plate: string }).plate : "");
    summary.byMode[input.mode] = (summary.byMode[input.mode] ?? 0) + 1;
    return !existing.has(`${input.mode}|${label}|${input.departureDate}`);
  });
  summary.existing = plan.length - missing.length;
  await mapLimit(missing, 4, async ({ operator, input }) => {
    await registerCapacity(contexts[operator], campaignId, input);
    summary.registered++;
  });
  return summary;
}
