// When a notification may go out: quiet hours (Asia/Shanghai, no daylight saving, so a fixed
// +08:00 offset is exact), urgency and the day-before reminder time.
import type { Config } from "../../config.ts";

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Departures closer than this are urgent: their notices ignore quiet hours. */
export const URGENT_WITHIN_MS = 24 * 3_600_000;
/** Local time of the day-before reminder. */
export const REMINDER_LOCAL_MINUTE = 9 * 60;

export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

export function parseQuietHours(value: Config["SMS_QUIET_HOURS"]): QuietHours {
  const [start, end] = value.split("-") as [string, string];
  const minutes = (hhmm: string) => {
    const [h, m] = hhmm.split(":").map(Number) as [number, number];
    return (h % 24) * 60 + (m % 60);
  };
  return { startMinute: minutes(start), endMinute: minutes(end) };
}

function localMinute(at: Date): number {
  return Math.floor((((at.getTime() + SHANGHAI_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / MINUTE_MS);
}

export function inQuietHours(at: Date, quiet: QuietHours): boolean {
  const { startMinute: s, endMinute: e } = quiet;
  if (s === e) return false;
  const m = localMinute(at);
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** The first moment at or after `at` outside quiet hours. */
export function quietHoursRelease(at: Date, quiet: QuietHours): Date {
  if (!inQuietHours(at, quiet)) return at;
  const m = localMinute(at);
  const wait = (quiet.endMinute - m + 24 * 60) % (24 * 60);
  const startOfMinute = Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
  return new Date(startOfMinute + wait * MINUTE_MS);
}

/** "2027-01-28" and "07:30" of an instant, in Asia/Shanghai. */
export function shanghaiDateTime(at: Date): { date: string; time: string } {
  const iso = new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** 09:00 Asia/Shanghai on the day before the departure's local date. */
export function reminderTime(departureAt: Date): Date {
  const localMidnight = Math.floor((departureAt.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
  return new Date(localMidnight - DAY_MS + REMINDER_LOCAL_MINUTE * MINUTE_MS);
}

/**
 * Status and release time of a new notification: urgent ones go at once; others wait for the end
 * of quiet hours (HELD), or for `earliest` when they are scheduled (reminders).
 */
export function releasePlan(now: Date, quiet: QuietHours, opts: { urgent: boolean; earliest?: Date }): { status: "PENDING" | "HELD"; notBefore: Date | null } {
  const base = opts.earliest && opts.earliest > now ? opts.earliest : now;
  const release = opts.urgent ? base : quietHoursRelease(base, quiet);
  return release.getTime() > now.getTime() ? { status: "HELD", notBefore: release } : { status: "PENDING", notBefore: null };
}
