// API_PROCESSES > 1: the HTTP API runs in that many cluster workers (this same entry, forked by
// node:cluster) that share one listening socket. The primary accepts each connection and hands it
// to the workers in turn (round robin), so a keep-alive connection stays with one process. Each
// worker has its own pool, caches and totals version feed; the primary owns the local servers,
// the migrations and the queue-worker process, and relays what one API process must tell the
// others (an API key revoked through it, so that no sibling keeps it cached).
//
// Why: one Node process answers on one core. Under 200 concurrent connections on two cores, two
// API processes served cached totals at more than twice the requests/s of one, with less than
// half its p99 (bench:totals; the figures are in the README).
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { AggregatorRegistry, type Registry } from "prom-client";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";

/** Set in the environment of the API processes the primary forks (not cluster.isWorker: another
 * cluster runner, such as PM2's, would make every instance a "worker"). */
export const API_WORKER_ENV = "HOMEWARD_API_WORKER";
const LISTENING = "homeward:api-listening";
const KEY_REVOKED = "homeward:api-key-revoked";
const METRICS_REQUEST = "homeward:metrics-request";
const METRICS = "homeward:metrics";
const METRICS_TIMEOUT_MS = 10_000;

/** API_PROCESSES, or one per core (at most 4). */
export const apiProcessCount = (config: Pick<Config, "API_PROCESSES">) => config.API_PROCESSES ?? Math.min(availableParallelism(), 4);

/** API_POOL_SIZE, or the 20 connections one process had, shared out (at least 5 each): N
 * processes do not open N times the connections. */
export const apiPoolSize = (config: Pick<Config, "API_POOL_SIZE">, processes: number) =>
  config.API_POOL_SIZE ?? (processes > 1 ? Math.max(5, Math.ceil(20 / processes)) : 20);

type Message = { type?: string; port?: number; keyId?: string; id?: number; text?: string; error?: string };

export interface ApiCluster {
  /** Resolves with the port once every worker listens; rejects if one exits before it does. */
  listening: Promise<number>;
  /** Stops the workers (SIGTERM: each finishes its requests) and waits for them to exit. */
  stop(): Promise<void>;
}

/** In the primary: forks `count` API workers with `env`, and replaces one that dies after it listened. */
export function forkApiProcesses(count: number, env: NodeJS.ProcessEnv, log: Logger): ApiCluster {
  let stopping = false;
  const workers = new Set<Worker>();
  // A scrape reaches one worker, which asks here; prom-client gathers every worker's registry.
  const aggregator = new AggregatorRegistry();
  const fork = (): Promise<number> => {
    const worker = cluster.fork({ ...env, [API_WORKER_ENV]: "1" });
    workers.add(worker);
    let listened = false;
    let onListening: (port: number) => void = () => undefined;
    worker.on("message", (m: Message) => {
      if (m?.type === LISTENING) {
        listened = true;
        onListening(m.port!);
      } else if (m?.type === KEY_REVOKED) {
        for (const other of workers) if (other !== worker && other.isConnected()) other.send(m);
      } else if (m?.type === METRICS_REQUEST) {
        const reply = (answer: Message) => worker.isConnected() && worker.send({ type: METRICS, id: m.id, ...answer });
        aggregator.clusterMetrics().then((text) => reply({ text }), (error: Error) => reply({ error: error.message }));
      }
    });
    worker.on("exit", (code, signal) => {
      workers.delete(worker);
      if (stopping || !listened) return; // a failed start is reported by `listening`
      log.error({ code, signal, pid: worker.process.pid }, "API process exited; starting another in 2 s");
      setTimeout(() => {
        if (!stopping) void fork().catch((error) => log.error({ err: error }, "API process failed to start"));
      }, 2_000);
    });
    return new Promise((resolve, reject) => {
      onListening = resolve;
      worker.once("exit", (code, signal) => reject(new Error(`API process exited (${signal ?? code}) before it listened`)));
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

export const isApiWorker = () => process.env[API_WORKER_ENV] === "1" && cluster.isWorker;

/** In a worker: tells the primary it listens. */
export function reportListening(port: number): void {
  process.send?.({ type: LISTENING, port });
}

/**
 * In a worker: `announce(keyId)` tells the sibling API processes that a key was revoked through
 * this one; `onRevoked` is called when a sibling announces one. Outside a cluster both do nothing.
 */
export function apiKeyRevocations(onRevoked: (keyId: string) => void): { announce(keyId: string): void } {
  if (!isApiWorker()) return { announce: () => undefined };
  process.on("message", (m: Message) => {
    if (m?.type === KEY_REVOKED && typeof m.keyId === "string") onRevoked(m.keyId);
  });
  return { announce: (keyId) => process.send?.({ type: KEY_REVOKED, keyId }) };
}

/**
 * In a worker: the metrics of all API processes (summed by prom-client; `registry` is this
 * process's part), or undefined outside a cluster.
 */
export function clusterMetrics(registry: Registry): (() => Promise<string>) | undefined {
  if (!isApiWorker()) return undefined;
  new AggregatorRegistry(); // answers the primary's requests for this process's metrics
  AggregatorRegistry.setRegistries([registry]);
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  process.on("message", (m: Message) => {
    if (m?.type !== METRICS || m.id === undefined) return;
    const waiter = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) waiter?.reject(new Error(m.error));
    else waiter?.resolve(m.text ?? "");
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the primary did not answer for the cluster's metrics"));
      }, METRICS_TIMEOUT_MS);
      pending.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      process.send?.({ type: METRICS_REQUEST, id });
    });
}
