import { CvrpError } from "./cvrp-error.ts";
import { roundedEuclideanMatrix } from "./distance.ts";
import type { CvrpInstance } from "./types.ts";

/** Limits above any real value so that "no limit" needs no branch in the hot loops. */
export const NO_LIMIT = 1e30;

/** Validated instance in the flat form the search works on. */
export interface Problem {
  n: number;
  customers: number;
  capacity: number;
  demand: Float64Array;
  service: Float64Array;
  /** Row-major n×n; with open routes the return legs (column 0) cost nothing. */
  dist: Float64Array;
  maxStops: number;
  maxLength: number;
  /** Polar angle of each node around the depot in [0, 65536), or null without coordinates. */
  polarAngle: Int32Array | null;
  x: Float64Array | null;
  y: Float64Array | null;
  /** Granular neighbourhoods in CSR form: neighbours of i are neighbourList[neighbourStart[i] .. neighbourStart[i+1]). */
  neighbourStart: Int32Array;
  neighbourList: Int32Array;
  totalDemand: number;
  /** Largest distance / largest demand: the scale HGS starts its capacity penalty at. */
  distanceToDemandScale: number;
}

export function buildProblem(instance: CvrpInstance, granularity: number): Problem {
  const n = instance.n;
  if (!Number.isInteger(n) || n < 2) {
    throw new CvrpError("CVRP_INVALID_INSTANCE", "实例至少需要一个车场和一个客户点", "an instance needs a depot and at least one customer");
  }
  if (!(instance.capacity > 0)) {
    throw new CvrpError("CVRP_INVALID_INSTANCE", "车辆容量必须为正数", "vehicle capacity must be positive");
  }
  if (instance.demand.length !== n) {
    throw new CvrpError("CVRP_INVALID_INSTANCE", "需求数组长度与节点数不符", "demand length differs from the node count");
  }
  let dist: Float64Array;
  if (instance.dist) {
    if (instance.dist.length !== n * n) {
      throw new CvrpError("CVRP_INVALID_INSTANCE", "距离矩阵大小应为 n×n", "distance matrix must hold n×n entries");
    }
    dist = Float64Array.from(instance.dist);
  } else if (instance.coords) {
    dist = roundedEuclideanMatrix(instance.coords.x, instance.coords.y);
  } else {
    throw new CvrpError("CVRP_INVALID_INSTANCE", "需要距离矩阵或坐标", "either a distance matrix or coordinates is required");
  }
  if (instance.openRoutes) for (let i = 0; i < n; i++) dist[i * n] = 0;

  const demand = new Float64Array(n);
  const service = new Float64Array(n);
  let totalDemand = 0;
  let maxDemand = 0;
  for (let i = 1; i < n; i++) {
    const d = instance.demand[i]!;
    if (!(d >= 0)) {
      throw new CvrpError("CVRP_INVALID_INSTANCE", `客户 ${i} 的需求无效`, `customer ${i} has an invalid demand`);
    }
    if (d > instance.capacity) {
      throw new CvrpError(
        "CVRP_DEMAND_EXCEEDS_CAPACITY",
        `客户 ${i} 的需求 ${d} 超过车辆容量 ${instance.capacity}，应先派整车直达`,
        `customer ${i} demands ${d}, more than the vehicle capacity ${instance.capacity}; send full vehicles direct first`,
      );
    }
    demand[i] = d;
    service[i] = instance.serviceTime ? instance.serviceTime[i]! : 0;
    totalDemand += d;
    if (d > maxDemand) maxDemand = d;
  }

  const maxStops = instance.maxStopsPerRoute ?? NO_LIMIT;
  if (!(maxStops >= 1)) {
    throw new CvrpError("CVRP_INVALID_INSTANCE", "每车最多停靠点数至少为 1", "the stop limit per route must be at least 1");
  }
  const maxLength = instance.maxRouteLength ?? NO_LIMIT;
  for (let i = 1; i < n; i++) {
    const alone = dist[i]! + service[i]! + dist[i * n]!;
    if (alone > maxLength + 1e-9) {
      throw new CvrpError(
        "CVRP_CUSTOMER_BEYOND_ROUTE_LENGTH",
        `客户 ${i} 单独成线的里程 ${alone} 已超过最大线路长度 ${maxLength}`,
        `customer ${i} alone needs a route of ${alone}, beyond the maximum route length ${maxLength}`,
      );
    }
  }

  let maxDist = 0;
  for (let k = 0; k < n * n; k++) if (dist[k]! > maxDist) maxDist = dist[k]!;

  let x: Float64Array | null = null;
  let y: Float64Array | null = null;
  let polarAngle: Int32Array | null = null;
  if (instance.coords) {
    x = Float64Array.from(instance.coords.x);
    y = Float64Array.from(instance.coords.y);
    polarAngle = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const angle = Math.atan2(y[i]! - y[0]!, x[i]! - x[0]!);
      polarAngle[i] = positiveMod16(Math.trunc((32768 * angle) / Math.PI));
    }
  }

  const { neighbourStart, neighbourList } = granularNeighbours(dist, n, granularity);
  return {
    n,
    customers: n - 1,
    capacity: instance.capacity,
    demand,
    service,
    dist,
    maxStops,
    maxLength,
    polarAngle,
    x,
    y,
    neighbourStart,
    neighbourList,
    totalDemand,
    distanceToDemandScale: maxDemand > 0 ? maxDist / maxDemand : 1,
  };
}

export function positiveMod16(value: number): number {
  return ((value % 65536) + 65536) % 65536;
}

/** The `granularity` nearest customers of each customer, made symmetric (if j is near i, i is near j). */
function granularNeighbours(dist: Float64Array, n: number, granularity: number) {
  const sets: Set<number>[] = [];
  for (let i = 0; i < n; i++) sets.push(new Set());
  const count = Math.min(granularity, n - 2);
  // Kept sorted by closeness, ties by index, with a bounded insertion: O(n · count) per customer.
  const nearest = new Int32Array(count);
  const nearestKey = new Float64Array(count);
  for (let i = 1; i < n && count > 0; i++) {
    let size = 0;
    for (let j = 1; j < n; j++) {
      if (j === i) continue;
      // Symmetrised closeness, so asymmetric road matrices still give mutual neighbours.
      const key = dist[i * n + j]! + dist[j * n + i]!;
      if (size === count && key >= nearestKey[count - 1]!) continue;
      let place = size < count ? size++ : count - 1;
      while (place > 0 && nearestKey[place - 1]! > key) {
        nearestKey[place] = nearestKey[place - 1]!;
        nearest[place] = nearest[place - 1]!;
        place--;
      }
      nearestKey[place] = key;
      nearest[place] = j;
    }
    for (let m = 0; m < size; m++) {
      const j = nearest[m]!;
      sets[i]!.add(j);
      sets[j]!.add(i);
    }
  }
  const neighbourStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) neighbourStart[i + 1] = neighbourStart[i]! + sets[i]!.size;
  const neighbourList = new Int32Array(neighbourStart[n]!);
  for (let i = 0; i < n; i++) {
    let k = neighbourStart[i]!;
    for (const j of sets[i]!) neighbourList[k++] = j;
  }
  return { neighbourStart, neighbourList };
}
