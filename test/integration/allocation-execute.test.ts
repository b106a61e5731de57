// The allocation job's service directly: a retried job rewrites the run's rows instead of doubling
// them, a run that cannot be computed ends FAILED with a problem, and a finished run is left alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { piiVaultFromConfig } from "../../src/pii/vault.ts";
import { executeAllocationRun } from "../../src/services/allocation/execute.ts";
import type { Job } from "bullmq";
import { runAllocation } from "../../workers/processors/allocation.ts";
import type { ProcessorDeps } from "../../workers/processors/types.ts";
import { buildTestApp, call, createCityFixture, testConfig, type CityFixture, type TestApp, createTestCampaign } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { insertList, people } from "./allocation-helpers.ts";

let database: TestDatabase;
let app: TestApp;
let fx: CityFixture;
let campaignId: string;
let busId: string;
const sys = () => ({ db: database.db, log: createLogger("silent"), pii: piiVaultFromConfig(testConfig()) });

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildTestApp(database.db);
  fx = await createCityFixture(database.db);
  campaignId = await createTestCampaign(app, fx, { name: "2027年春运" });
  const bus = await call(app, "POST", `/v1/campaigns/${campaignId}/capacity`, {
    key: fx.keys.operator.STAFF,
    body: { mode: "BUS", departureDate: "2027-01-28", departureTime: "08:00", details: { plate: "苏E12345", seats: 45, drivers: 2 } },
  });
  busId = bus.json.id;
  await insertList(database.db, campaignId, fx.enterpriseA1.id, people(12, "341200", "阜阳"));
  await insertList(database.db, campaignId, fx.enterpriseA1.id, people(4, "340100", "撤回"), "WITHDRAWN");
});
afterAll(async () => database.drop());

describe("executeAllocationRun", () => {
  it("a retried job replaces the partial rows of the failed attempt", async () => {
    const started = await call(app, "POST", `/v1/campaigns/${campaignId}/allocation-runs`, { key: fx.keys.city.STAFF, body: {} });
    const runId = started.json.id as string;
    // The first attempt died after writing a vehicle: the run is RUNNING with a stray row.
    await database.db.allocationRun.update({ where: { id: runId }, data: { status: "RUNNING" } });
    await database.db.vehicle.create({ data: { runId, capacityId: busId, campaignId, mode: "BUS", label: "stray", departureAt: new Date(), route: [], seatsTotal: 45, seatsUsed: 0 } });
    const result = await executeAllocationRun(sys(), runId);
    expect(result).toMatchObject({ status: "SUCCEEDED", assigned: 12, unassigned: 0 });
    const vehicles = await database.db.vehicle.findMany({ where: { runId } });
    expect(vehicles).toHaveLength(1);
    expect(vehicles[0]!.label).toBe("苏E12345");
    expect(vehicles[0]!.seatsUsed).toBe(12);
    expect(Array.isArray(vehicles[0]!.route) && (vehicles[0]!.route as { arriveAt: string }[])[0]!.arriveAt).toMatch(/^2027-01-28T08:00/);
    expect(await database.db.assignment.count({ where: { runId } })).toBe(12);
    // Withdrawn lists' travellers are not allocated.
    expect(await database.db.assignment.count({ where: { runId, vehicle: { label: "stray" } } })).toBe(0);

    // Delivered again after success: nothing changes.
    const again = await executeAllocationRun(sys(), runId);
    expect(again).toMatchObject({ status: "SUCCEEDED", skipped: true });
    expect(await database.db.assignment.count({ where: { runId } })).toBe(12);
  });

  it("two deliveries of the same job at once write the run once", async () => {
    const started = await call(app, "POST", `/v1/campaigns/${campaignId}/allocation-runs`, { key: fx.keys.city.STAFF, body: {} });
    const runId = started.json.id as string;
    const results = await Promise.all([executeAllocationRun(sys(), runId), executeAllocationRun(sys(), runId)]);
    expect(results.map((r) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    expect(results.filter((r) => "skipped" in r && r.skipped)).toHaveLength(1);
    expect(await database.db.assignment.count({ where: { runId } })).toBe(12);
    expect((await database.db.allocationRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("SUCCEEDED");
  });

  it("parameters exclude capacity, and the travellers left over get a reason", async () => {
    const started = await call(app, "POST", `/v1/campaigns/${campaignId}/allocation-runs`, { key: fx.keys.city.STAFF, body: { parameters: { excludeCapacityIds: [busId] } } });
    expect(started.status).toBe(202);
    await executeAllocationRun(sys(), started.json.id);
    const run = await call(app, "GET", `/v1/allocation-runs/${started.json.id}?unassignedLimit=5`, { key: fx.keys.city.READ_ONLY });
    expect(run.json.status).toBe("SUCCEEDED");
    expect(run.json.report.assigned).toBe(0);
    expect(run.json.unassignedTotal).toBe(12);
    expect(run.json.unassigned).toHaveLength(5);
    expect(run.json.unassigned[0]).toMatchObject({ reason: expect.stringMatching(/^[A-Z_]+$/), detail: expect.any(String), orgId: fx.enterpriseA1.id });
    expect(run.json.unassigned.some((u: { reason: string }) => u.reason === "CONFLICT")).toBe(false);
    expect(run.json.unassigned[0].name).toMatch(/^阜阳/);
  });

  it("writes the run's progress while the engine computes, one step at a time", async () => {
    // A campaign of its own: buses on three departure days, travellers for each day.
    const created = await call(app, "POST", "/v1/campaigns", {
      key: fx.keys.city.STAFF,
      body: { name: "2027年春运（进度）", year: 2027, originRegionCode: "320500", holidayDate: "2027-02-06", departureWindow: { start: "2027-01-20", end: "2027-02-04" }, paidBeforeDate: "2027-01-18" },
    });
    expect(created.status).toBe(201);
    const ownCampaign = created.json.id as string;
    const days = ["2027-01-27", "2027-01-28", "2027-01-29"];
    for (const [d, day] of days.entries()) {
      const bus = await call(app, "POST", `/v1/campaigns/${ownCampaign}/capacity`, {
        key: fx.keys.operator.STAFF,
        body: { mode: "BUS", departureDate: day, departureTime: "08:00", details: { plate: `苏E2000${d}`, seats: 45, drivers: 2 } },
      });
      expect(bus.status).toBe(201);
      const travellers = [...people(6, "341200", `阜阳${d}-`), ...people(5, "411400", `商丘${d}-`)].map((t) => ({ ...t, earliestDate: day, latestDate: day }));
      await insertList(database.db, ownCampaign, fx.enterpriseA1.id, travellers);
    }
    const started = await call(app, "POST", `/v1/campaigns/${ownCampaign}/allocation-runs`, { key: fx.keys.city.STAFF, body: {} });
    const runId = started.json.id as string;

    // After each write the hook reads the row back: what is stored while the run is RUNNING.
    const reported: number[] = [];
    const stored: { status: string; progress: number }[] = [];
    const result = await executeAllocationRun(sys(), runId, {
      progressThrottleMs: 0,
      onProgress: async (percent) => {
        reported.push(percent);
        stored.push(await database.db.allocationRun.findUniqueOrThrow({ where: { id: runId }, select: { status: true, progress: true } }));
      },
    });
    expect(result).toMatchObject({ status: "SUCCEEDED", assigned: 33, unassigned: 0 });
    expect(stored.every((row) => row.status === "RUNNING")).toBe(true);
    const persisted = stored.map((row) => row.progress);
    expect(persisted).toEqual(reported);
    expect(new Set(persisted).size).toBeGreaterThan(2);
    // Preparation, the station pass, one step per bus day (30 + 60 × d / 3), assembly, and 99
    // while the result is stored (100 comes with SUCCEEDED).
    expect(persisted).toEqual([10, 30, 50, 70, 90, 91, 92, 96, 99]);
    const finished = await database.db.allocationRun.findUniqueOrThrow({ where: { id: runId } });
    expect(finished).toMatchObject({ status: "SUCCEEDED", progress: 100 });
    expect(await database.db.vehicle.count({ where: { runId } })).toBe(3);

    // Through the job processor: the BullMQ job gets the progress too (the first value is
    // always written; later ones at most every 500 ms).
    const again = await call(app, "POST", `/v1/campaigns/${ownCampaign}/allocation-runs`, { key: fx.keys.city.STAFF, body: {} });
    const jobProgress: { percent: number; stored: number }[] = [];
    const job = {
      attemptsMade: 0,
      opts: { attempts: 3 },
      updateProgress: async (percent: number) => {
        const row = await database.db.allocationRun.findUniqueOrThrow({ where: { id: again.json.id }, select: { progress: true } });
        jobProgress.push({ percent, stored: row.progress });
      },
    } as unknown as Job;
    const deps = { db: database.db, log: createLogger("silent"), pii: piiVaultFromConfig(testConfig()) } as unknown as ProcessorDeps;
    expect(await runAllocation(deps, { runId: again.json.id }, "job-progress", job)).toMatchObject({ status: "SUCCEEDED", assigned: 33 });
    expect(jobProgress[0]).toEqual({ percent: 10, stored: 10 });
    for (const p of jobProgress) expect(p.stored).toBe(p.percent);
  });

  it("a run that cannot be computed ends FAILED with a problem", async () => {
    const run = await database.db.allocationRun.create({ data: { campaignId, seq: 50, parameters: { busMaxKm: "far" } } });
    const result = await executeAllocationRun(sys(), run.id);
    expect(result.status).toBe("FAILED");
    const stored = await database.db.allocationRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored.status).toBe("FAILED");
    expect(stored.failure).toMatchObject({ code: "ALLOCATION_PARAMETERS_INVALID" });
    const shown = await call(app, "GET", `/v1/allocation-runs/${run.id}`, { key: fx.keys.city.READ_ONLY });
    expect(shown.json.failure).toBeTruthy();
    const publish = await call(app, "POST", `/v1/allocation-runs/${run.id}/publish`, { key: fx.keys.city.STAFF });
    expect(publish.status).toBe(409);
  });
});
