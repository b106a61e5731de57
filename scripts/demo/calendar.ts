// The 2027 holiday schedule the demo's deadlines are computed on. It is the project's test fixture
// (test/fixtures/calendar/2027.json, derived from the holiday rules, not the State Council's notice):
// loaded through loadCalendarYear as the city admin would, and only when no 2027 schedule is loaded,
// so an official one loaded later is never replaced by a second seed run.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { officialYearScheduleSchema } from "../../src/calendar/official-schedule.ts";
import { loadCalendarYear } from "../../src/services/calendar/calendar-years.ts";
import { contextOf, type DemoEnv } from "./context.ts";

export const DEMO_SCHEDULE_FILE = path.resolve(import.meta.dirname, "../../test/fixtures/calendar/2027.json");

export async function ensureDemoCalendar(env: DemoEnv, cityUser: string): Promise<{ loaded: boolean }> {
  if (await env.db.calendarYear.findUnique({ where: { year: 2027 }, select: { year: true } })) return { loaded: false };
  const schedule = officialYearScheduleSchema.parse(JSON.parse(await readFile(DEMO_SCHEDULE_FILE, "utf8")));
  await loadCalendarYear(await contextOf(env, cityUser), 2027, schedule);
  return { loaded: true };
}
