// API_PROCESSES > 1: the HTTP API runs in that many cluster workers (this same entry, forked by
// node:cluster) that share one listening socket. The primary accepts each connection and hands it
// to the workers in turn (round robin), so a keep-alive connection stays with one process. Each
// worker has its own pool, caches and totals version feed; the primary owns the local servers,
// the migrations and the queue-worker process.
//
// Why: one Node process answers on one core. Under 200 concurrent connections on two cores, two
// API processes served cached totals at 10,800 requests/s with p99 39 ms where one served 4,800
// with p99 90 ms (bench:totals, one run each, side by side: see the README).
import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../logger.ts";

/** The message a worker sends once it listens. */
export const LISTENING = "homeward:api-listening";

export interface ApiCluster {
  /** Resolves with the port once every worker listens. */
  listening: Promise<number>;
  /** Stops the workers (SIGTERM: each finishes its requests) and waits for them to exit. */
  stop(): Promise<void>;
}

/** In the primary: forks `count` API workers with `env`, and replaces one that dies. */
export function forkApiProcesses(count: number, env: NodeJS.ProcessEnv, log: Logger): ApiCluster {
  let stopping = false;
  const workers = new Set<Worker>();
  const fork = (): Promise<number> => {
    const worker = cluster.fork(env);
    workers.add(worker);
    worker.on("exit", (code, signal) => {
      workers.delete(worker);
      if (stopping) return;
      log.error({ code, signal, pid: worker.process.pid }, "API process exited; starting another in 2 s");
      setTimeout(() => {
        if (!stopping) void fork().catch((error) => log.error({ err: error }, "API process failed to start"));
      }, 2_000);
    });
    return new Promise((resolve, reject) => {
      worker.on("message", (m: { type?: string; port?: number }) => {
        if (m?.type === LISTENING) resolve(m.port!);
      });
      worker.once("exit", (code) => reject(new Error(`API process exited with ${code} before it listened`)));
    });
  };
  const listening = Promise.all(Array.from({ length: count }, fork)).then((ports) => ports[0]!);
  return {
    listening,
    async stop() {
      stopping = true;
      await Promise.all(
        [...workers].map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              w.once("exit", () => resolve());
              w.process.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}

/** In a worker: tells the primary it listens. */
export function reportListening(port: number): void {
  process.send?.({ type: LISTENING, port });
}

export const isApiWorker = () => cluster.isWorker;
