import { CvrpError } from "./cvrp-error.ts";

/** A CVRP instance as written in a TSPLIB `.vrp` file; node 0 is the depot. */
export interface TsplibVrp {
  name: string;
  n: number;
  capacity: number;
  edgeWeightType: string;
  x: Float64Array;
  y: Float64Array;
  demand: Int32Array;
}

/** A CVRPLIB `.sol` file: routes as node indices (depot 0), and the stated cost. */
export interface TsplibSolution {
  routes: number[][];
  cost: number | null;
}

/** Parses a TSPLIB CVRP file with EUC_2D coordinates and a single depot. */
export function parseVrp(text: string): TsplibVrp {
  const lines = text.split(/\r?\n/);
  const header = new Map<string, string>();
  let section: string | null = null;
  let n = 0;
  let x = new Float64Array(0);
  let y = new Float64Array(0);
  let demand = new Int32Array(0);
  let depot = 1;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line === "EOF") continue;
    const colon = line.indexOf(":");
    if (colon > 0 && /^[A-Z_]+\s*:/.test(line)) {
      const key = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      header.set(key, value);
      if (key === "DIMENSION") {
        n = Number(value);
        x = new Float64Array(n);
        y = new Float64Array(n);
        demand = new Int32Array(n);
      }
      section = null;
      continue;
    }
    if (/^[A-Z_]+$/.test(line)) {
      section = line;
      continue;
    }
    const fields = line.split(/\s+/).map(Number);
    if (section === "NODE_COORD_SECTION") {
      const index = checkedIndex(fields[0], n, line);
      x[index] = fields[1]!;
      y[index] = fields[2]!;
    } else if (section === "DEMAND_SECTION") {
      demand[checkedIndex(fields[0], n, line)] = fields[1]!;
    } else if (section === "DEPOT_SECTION") {
      if (fields[0] !== -1) depot = fields[0]!;
    }
  }
  const capacity = Number(header.get("CAPACITY"));
  if (!(n > 1) || !(capacity > 0)) {
    throw new CvrpError("CVRP_PARSE_ERROR", "VRP 文件缺少 DIMENSION 或 CAPACITY", "VRP file lacks DIMENSION or CAPACITY");
  }
  if (depot !== 1) {
    throw new CvrpError("CVRP_PARSE_ERROR", "仅支持车场为 1 号节点的 VRP 文件", "only VRP files whose depot is node 1 are supported");
  }
  return {
    name: stripQuotes(header.get("NAME") ?? ""),
    n,
    capacity,
    edgeWeightType: header.get("EDGE_WEIGHT_TYPE") ?? "",
    x,
    y,
    demand,
  };
}

/** Parses a CVRPLIB solution; its customer ids count from 1 (= node 1), so they map to node indices as is. */
export function parseSol(text: string): TsplibSolution {
  const routes: number[][] = [];
  let cost: number | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const route = /^Route\s*#\d+\s*:(.*)$/i.exec(line);
    if (route) {
      const body = route[1]!.trim();
      routes.push(body === "" ? [] : body.split(/\s+/).map(Number));
      continue;
    }
    const stated = /^Cost\s+([-+0-9.eE]+)$/i.exec(line);
    if (stated) cost = Number(stated[1]);
  }
  if (routes.some((r) => r.some((c) => !Number.isInteger(c) || c < 1))) {
    throw new CvrpError("CVRP_PARSE_ERROR", "解文件中含有无效的客户编号", "solution file holds an invalid customer id");
  }
  return { routes, cost };
}

function checkedIndex(id: number | undefined, n: number, line: string): number {
  if (id === undefined || !Number.isInteger(id) || id < 1 || id > n) {
    throw new CvrpError("CVRP_PARSE_ERROR", `VRP 文件中的节点编号无效：${line}`, `invalid node id in VRP file: ${line}`);
  }
  return id - 1;
}

function stripQuotes(value: string): string {
  return value.replace(/^"(.*)"$/, "$1");
}
