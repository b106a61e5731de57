// The BullMQ dashboard (bull-board) for /admin/queues; the app mounts it behind the city-admin check.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Queue } from "bullmq";
import { Hono } from "hono";

export const QUEUE_DASHBOARD_PATH = "/admin/queues";

export function createQueueDashboard(queues: Queue[]) {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  const board = new Hono();
  board.route(QUEUE_DASHBOARD_PATH, serverAdapter.registerPlugin());
  return { path: QUEUE_DASHBOARD_PATH, access: "CITY_ADMIN" as const, fetch: board.fetch };
}
