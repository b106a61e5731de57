// Departure and arrival times of a coach route under the night curfew (客运车辆 02:00–05:00 不得
// 行驶). Times are minutes after midnight of the departure date; the curfew repeats every day.
import type { AllocationPolicy } from "./types.ts";

const DAY = 1440;

export interface RouteSchedule {
  /** Minutes after midnight of the departure date. */
  departureMinute: number;
  /** Arrival at each drop-off stop, same clock (may exceed 1440 on the next day). */
  arrivals: number[];
}

function curfewBounds(policy: AllocationPolicy): { start: number; end: number } {
  const start = policy.curfew.startMinute;
  let end = policy.curfew.endMinute;
  // start = end means no curfew; end before start wraps past midnight.
  if (end < start) end += DAY;
  return { start, end };
}

/** Whether driving from minute `from` to minute `to` touches the curfew on any day (endpoints may). */
export function drivesInCurfew(from: number, to: number, policy: AllocationPolicy): boolean {
  if (!Number.isFinite(from) || !Number.isFinite(to)) return true;
  if (to <= from) return false;
  const { start, end } = curfewBounds(policy);
  if (end - start <= 0) return false;
  const firstDay = Math.floor((from - end) / DAY) - 1;
  const lastDay = Math.floor(to / DAY) + 1;
  for (let k = firstDay; k <= lastDay; k++) {
    const s = start + k * DAY;
    const e = end + k * DAY;
    if (from < e && to > s) return true;
  }
  return false;
}

/** Minutes of driving (plus stops) at each leg: cumulative arrival offsets from departure. */
export function arrivalOffsets(legKm: readonly number[], policy: AllocationPolicy): number[] {
  const offsets: number[] = [];
  let t = 0;
  for (let i = 0; i < legKm.length; i++) {
    if (i > 0) t += policy.stopMinutes;
    // Whole minutes, rounded up, so that published times never understate the driving.
    t += Math.ceil((legKm[i]! / policy.busSpeedKmh) * 60 - 1e-9);
    offsets.push(t);
  }
  return offsets;
}

/**
 * The earliest departure at or after `earliestMinute`, on the same date, for which no leg of the
 * route is driven in the curfew; null when there is none. Drop-off stops are not driving, so a stop
 * may span the start or end of the curfew, but the bus never waits on purpose.
 */
export function scheduleRoute(earliestMinute: number, legKm: readonly number[], policy: AllocationPolicy): RouteSchedule | null {
  const offsets = arrivalOffsets(legKm, policy);
  const { end } = curfewBounds(policy);
  const candidates = [earliestMinute];
  for (let k = -1; k <= 1; k++) {
    const e = end + k * DAY;
    if (e > earliestMinute && e < DAY) candidates.push(e);
  }
  candidates.sort((a, b) => a - b);
  for (const departure of candidates) {
    if (fitsOutsideCurfew(departure, offsets, policy)) {
      return { departureMinute: departure, arrivals: offsets.map((o) => departure + o) };
    }
  }
  return null;
}

function fitsOutsideCurfew(departure: number, offsets: readonly number[], policy: AllocationPolicy): boolean {
  let legStart = departure;
  for (let i = 0; i < offsets.length; i++) {
    const arrival = departure + offsets[i]!;
    if (drivesInCurfew(legStart, arrival, policy)) return false;
    legStart = arrival + policy.stopMinutes;
  }
  return true;
}

/**
 * Longest stretch (in minutes, driving plus stops) a route may last when leaving at or after
 * `earliestMinute` on its date without driving in the curfew: the CVRP's route length limit.
 */
export function longestCurfewFreeMinutes(earliestMinute: number, policy: AllocationPolicy): number {
  const { start, end } = curfewBounds(policy);
  if (end === start) return Infinity;
  let best = 0;
  for (let k = -1; k <= 1; k++) {
    const windowStart = end + (k - 1) * DAY;
    const windowEnd = start + k * DAY;
    const from = Math.max(windowStart, earliestMinute);
    if (from >= DAY || from >= windowEnd) continue;
    best = Math.max(best, windowEnd - from);
  }
  return best;
}

/** "2027-01-28" + 1530 minutes → "2027-01-29T01:30:00+08:00". */
export function isoAt(date: string, minute: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d) + Math.round(minute) * 60_000);
  const pad = (v: number) => String(v).padStart(2, "0");
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:00+08:00`;
}

/** Inverse of isoAt for a timestamp in +08:00: minutes after midnight of `date`. */
export function minuteFrom(date: string, iso: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const base = Date.UTC(y, m - 1, d);
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\+08:00$/.exec(iso);
  if (!match) return Number.NaN;
  const t = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]));
  return (t - base) / 60_000;
}
