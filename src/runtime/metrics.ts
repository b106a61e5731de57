// Prometheus metrics of a Node process: HTTP latency by route, BullMQ queue depths read at scrape
// time, and the process's own default metrics. With several API processes, a scrape answered by any
// of them is the sum over all (src/runtime/api-cluster.ts).
import type { Queue } from "bullmq";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export function createMetrics(queues: Record<string, Queue> = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "homeward_" });
  const httpDuration = new Histogram({
    name: "homeward_http_request_duration_seconds",
    help: "HTTP request latency by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: "homeward_queue_jobs",
    help: "BullMQ jobs by queue and state",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    // Every API process reads the same queues: across a cluster, one reading, not their sum.
    aggregator: "first",
    async collect() {
      this.reset();
      await Promise.all(
        Object.entries(queues).map(async ([name, queue]) => {
          try {
            const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized");
            for (const [state, count] of Object.entries(counts)) this.set({ queue: name, state }, count);
          } catch {
            // Redis down: the readiness probe reports it; metrics stay scrapeable.
          }
        }),
      );
    },
  });
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observe(method: string, route: string, status: number, seconds: number) {
      httpDuration.observe({ method, route, status: String(status) }, seconds);
    },
  };
}
