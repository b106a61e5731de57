// China's working-day calendar: the year schedules a city-union admin loads from the State
// Council's notice (beyond the years the chinese-days package covers), and reading a year.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { ALL_KINDS } from "../auth/policy.ts";
import type { AppEnv } from "../http/env.ts";
import { defineRoute, jsonResponse } from "../http/openapi.ts";
import { HOLIDAY_NAMES, officialYearScheduleSchema } from "../calendar/official-schedule.ts";
import { getCalendarYear, loadCalendarYear } from "../services/calendar/calendar-years.ts";
import { IsoDateSchema } from "./schemas.ts";
import { serviceContext } from "./service-context.ts";

const YearParamSchema = z.object({
  year: z.coerce.number().int().min(2000).max(2100).openapi({ param: { name: "year", in: "path" }, example: 2027 }),
});

const CalendarYearSchema = z
  .object({
    year: z.number().int(),
    origin: z.enum(["LOADED", "PACKAGE"]).openapi({ description: "Loaded by an admin, or from the chinese-days package" }),
    source: z.string(),
    loadedBy: z.string().nullable(),
    loadedAt: z.string().nullable(),
    holidays: z.array(
      z.object({
        names: z.array(z.string()).openapi({ example: [...HOLIDAY_NAMES].slice(1, 2) }),
        from: IsoDateSchema,
        to: IsoDateSchema,
        makeUpWorkdays: z.array(IsoDateSchema),
      }),
    ),
  })
  .openapi("CalendarYear");

export function registerCalendarRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    defineRoute({ kinds: ["CITY_UNION"], minRole: "ADMIN" }, {
      method: "put",
      path: "/v1/calendar/years/{year}",
      operationId: "loadCalendarYear",
      tags: ["calendar"],
      summary: "Load a year's official holiday schedule (国务院办公厅节假日安排通知), city-union admin",
      description:
        "Validated item by item (all seven holidays, dates inside the year, make-up days on weekends and outside holidays). Replaces an earlier load or the package's data for that year; audited. Acceptance deadlines that waited for the year are filled in.",
      request: { params: YearParamSchema, body: { required: true, content: { "application/json": { schema: officialYearScheduleSchema } } } },
      responses: {
        200: jsonResponse(z.object({ calendarYear: CalendarYearSchema, deadlinesFilled: z.number().int() }), "Replaced"),
        201: jsonResponse(z.object({ calendarYear: CalendarYearSchema, deadlinesFilled: z.number().int() }), "Loaded"),
      },
    }),
    async (c) => {
      const { created, calendarYear, deadlinesFilled } = await loadCalendarYear(serviceContext(c), c.req.valid("param").year, c.req.valid("json"));
      return created ? c.json({ calendarYear, deadlinesFilled }, 201) : c.json({ calendarYear, deadlinesFilled }, 200);
    },
  );

  app.openapi(
    defineRoute({ kinds: ALL_KINDS, minRole: "READ_ONLY" }, {
      method: "get",
      path: "/v1/calendar/years/{year}",
      operationId: "getCalendarYear",
      tags: ["calendar"],
      summary: "A year's holidays and make-up working days",
      request: { params: YearParamSchema },
      responses: { 200: jsonResponse(CalendarYearSchema, "The year") },
    }),
    async (c) => c.json(await getCalendarYear(c.get("db"), c.req.valid("param").year), 200),
  );
}
