import type { Problem } from "./problem.ts";
import { IMPROVEMENT_EPSILON, RouteState } from "./route-state.ts";


/**
 * The classical moves of HGS-CVRP between a customer U and a neighbour V, each priced in O(1)
 * from the route caches and applied only when it lowers distance plus penalties: relocations of
 * one or two customers, swaps of one or two, 2-opt within a route and both 2-opt* variants.
 * Distances may be asymmetric: reversed stretches are priced through the accumulated reversal cost.
 */
export class RouteMoves extends RouteState {
  // Move under evaluation: U (then X = next of U) in route rU, V (then Y = next of V) in route rV.
  protected nodeU = 0;
  protected nodeX = 0;
  protected nodeV = 0;
  protected nodeY = 0;
  protected routeU = 0;
  protected routeV = 0;
  protected uPrevLoc = 0;
  protected uLoc = 0;
  protected xLoc = 0;
  protected xNextLoc = 0;
  protected vPrevLoc = 0;
  protected vLoc = 0;
  protected yLoc = 0;
  protected yNextLoc = 0;
  protected loadU = 0;
  protected loadX = 0;
  protected loadV = 0;
  protected loadY = 0;
  protected serviceU = 0;
  protected serviceX = 0;
  protected serviceV = 0;
  protected serviceY = 0;
  protected intraRoute = false;
  protected searchCompleted = false;

  constructor(
    problem: Problem,
    routeSlots: number,
    /** Called after each applied move with the change in penalised cost it was priced at. */
    protected readonly onMove?: (pricedDelta: number) => void,
  ) {
    super(problem, routeSlots);
  }

  protected setU(u: number): void {
    this.nodeU = u;
    const x = this.next[u]!;
    this.nodeX = x;
    this.routeU = this.routeOf[u]!;
    this.uPrevLoc = this.location[this.prev[u]!]!;
    this.uLoc = this.location[u]!;
    this.xLoc = this.location[x]!;
    this.xNextLoc = this.location[this.next[x]!]!;
    this.loadU = this.demand[this.uLoc]!;
    this.loadX = this.demand[this.xLoc]!;
    this.serviceU = this.service[this.uLoc]!;
    this.serviceX = this.service[this.xLoc]!;
  }

  protected setV(v: number): void {
    this.nodeV = v;
    const y = this.next[v]!;
    this.nodeY = y;
    this.routeV = this.routeOf[v]!;
    this.vPrevLoc = this.location[this.prev[v]!]!;
    this.vLoc = this.location[v]!;
    this.yLoc = this.location[y]!;
    this.yNextLoc = this.location[this.next[y]!]!;
    this.loadV = this.demand[this.vLoc]!;
    this.loadY = this.demand[this.yLoc]!;
    this.serviceV = this.service[this.vLoc]!;
    this.serviceY = this.service[this.yLoc]!;
    this.intraRoute = this.routeU === this.routeV;
  }

  /** Move U after V. */
  protected relocate(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { uPrevLoc, uLoc, xLoc, vLoc, yLoc, routeU, routeV } = this;
    let costU = dist[uPrevLoc * n + xLoc]! - dist[uPrevLoc * n + uLoc]! - dist[uLoc * n + xLoc]!;
    let costV = dist[vLoc * n + uLoc]! + dist[uLoc * n + yLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      costU += this.penalty(
        this.routeLoad[routeU]! - this.loadU,
        this.routeTime[routeU]! + costU - this.serviceU,
        this.routeStops[routeU]! - 1,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU,
        this.routeTime[routeV]! + costV + this.serviceU,
        this.routeStops[routeV]! + 1,
      );
      costU -= before;
    }
    if (costU + costV > -IMPROVEMENT_EPSILON) return false;
    if (this.nodeU === this.nodeY) return false;
    this.insertNode(this.nodeU, this.nodeV);
    this.finishMove(costU + costV);
    return true;
  }

  /** Move U and X (in this order) after V. */
  protected relocatePair(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, uPrevLoc, uLoc, xLoc, xNextLoc, vLoc, yLoc, routeU, routeV } = this;
    if (nodeU === this.nodeY || nodeV === nodeX || this.isDepot(nodeX)) return false;
    let costU = dist[uPrevLoc * n + xNextLoc]! - dist[uPrevLoc * n + uLoc]! - dist[xLoc * n + xNextLoc]!;
    let costV = dist[vLoc * n + uLoc]! + dist[xLoc * n + yLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      const inner = dist[uLoc * n + xLoc]!;
      costU += this.penalty(
        this.routeLoad[routeU]! - this.loadU - this.loadX,
        this.routeTime[routeU]! + costU - inner - this.serviceU - this.serviceX,
        this.routeStops[routeU]! - 2,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU + this.loadX,
        this.routeTime[routeV]! + costV + inner + this.serviceU + this.serviceX,
        this.routeStops[routeV]! + 2,
      );
      costU -= before;
    }
    if (costU + costV > -IMPROVEMENT_EPSILON) return false;
    this.insertNode(nodeU, nodeV);
    this.insertNode(nodeX, nodeU);
    this.finishMove(costU + costV);
    return true;
  }

  /** Move X then U after V (the pair reversed). */
  protected relocatePairReversed(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, uPrevLoc, uLoc, xLoc, xNextLoc, vLoc, yLoc, routeU, routeV } = this;
    if (nodeU === this.nodeY || nodeX === nodeV || this.isDepot(nodeX)) return false;
    let costU =
      dist[uPrevLoc * n + xNextLoc]! - dist[uPrevLoc * n + uLoc]! - dist[uLoc * n + xLoc]! - dist[xLoc * n + xNextLoc]!;
    let costV = dist[vLoc * n + xLoc]! + dist[xLoc * n + uLoc]! + dist[uLoc * n + yLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      costU += this.penalty(
        this.routeLoad[routeU]! - this.loadU - this.loadX,
        this.routeTime[routeU]! + costU - this.serviceU - this.serviceX,
        this.routeStops[routeU]! - 2,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU + this.loadX,
        this.routeTime[routeV]! + costV + this.serviceU + this.serviceX,
        this.routeStops[routeV]! + 2,
      );
      costU -= before;
    }
    if (costU + costV > -IMPROVEMENT_EPSILON) return false;
    this.insertNode(nodeX, nodeV);
    this.insertNode(nodeU, nodeX);
    this.finishMove(costU + costV);
    return true;
  }

  /** Exchange U and V. */
  protected swap(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeV, uPrevLoc, uLoc, xLoc, vPrevLoc, vLoc, yLoc, routeU, routeV } = this;
    if (nodeU === this.prev[nodeV] || nodeU === this.nodeY) return false;
    let costU = dist[uPrevLoc * n + vLoc]! + dist[vLoc * n + xLoc]! - dist[uPrevLoc * n + uLoc]! - dist[uLoc * n + xLoc]!;
    let costV = dist[vPrevLoc * n + uLoc]! + dist[uLoc * n + yLoc]! - dist[vPrevLoc * n + vLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      costU += this.penalty(
        this.routeLoad[routeU]! + this.loadV - this.loadU,
        this.routeTime[routeU]! + costU + this.serviceV - this.serviceU,
        this.routeStops[routeU]!,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU - this.loadV,
        this.routeTime[routeV]! + costV - this.serviceV + this.serviceU,
        this.routeStops[routeV]!,
      );
      costU -= before;
    }
    if (costU + costV > -IMPROVEMENT_EPSILON) return false;
    this.swapNodes(nodeU, nodeV);
    this.finishMove(costU + costV);
    return true;
  }

  /** Exchange the pair (U, X) with V. */
  protected swapPairWithOne(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, uPrevLoc, uLoc, xLoc, xNextLoc, vPrevLoc, vLoc, yLoc, routeU, routeV } = this;
    const vPrev = this.prev[nodeV];
    if (nodeU === vPrev || nodeX === vPrev || nodeU === this.nodeY || this.isDepot(nodeX)) return false;
    let costU = dist[uPrevLoc * n + vLoc]! + dist[vLoc * n + xNextLoc]! - dist[uPrevLoc * n + uLoc]! - dist[xLoc * n + xNextLoc]!;
    let costV = dist[vPrevLoc * n + uLoc]! + dist[xLoc * n + yLoc]! - dist[vPrevLoc * n + vLoc]! - dist[vLoc * n + yLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      const inner = dist[uLoc * n + xLoc]!;
      costU += this.penalty(
        this.routeLoad[routeU]! + this.loadV - this.loadU - this.loadX,
        this.routeTime[routeU]! + costU - inner + this.serviceV - this.serviceU - this.serviceX,
        this.routeStops[routeU]! - 1,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! - this.loadV + this.loadU + this.loadX,
        this.routeTime[routeV]! + costV + inner - this.serviceV + this.serviceU + this.serviceX,
        this.routeStops[routeV]! + 1,
      );
      costU -= before;
    }
    if (costU + costV > -IMPROVEMENT_EPSILON) return false;
    this.swapNodes(nodeU, nodeV);
    this.insertNode(nodeX, nodeU);
    this.finishMove(costU + costV);
    return true;
  }

  /** Exchange the pairs (U, X) and (V, Y). */
  protected swapPairs(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, nodeY, uPrevLoc, uLoc, xLoc, xNextLoc, vPrevLoc, vLoc, yLoc, yNextLoc, routeU, routeV } =
      this;
    if (
      this.isDepot(nodeX) ||
      this.isDepot(nodeY) ||
      nodeY === this.prev[nodeU] ||
      nodeU === nodeY ||
      nodeX === nodeV ||
      nodeV === this.next[nodeX]
    ) {
      return false;
    }
    let costU = dist[uPrevLoc * n + vLoc]! + dist[yLoc * n + xNextLoc]! - dist[uPrevLoc * n + uLoc]! - dist[xLoc * n + xNextLoc]!;
    let costV = dist[vPrevLoc * n + uLoc]! + dist[xLoc * n + yNextLoc]! - dist[vPrevLoc * n + vLoc]! - dist[yLoc * n + yNextLoc]!;
    if (!this.intraRoute) {
      const before = this.routePenalty[routeU]! + this.routePenalty[routeV]!;
      if (costU + costV >= before) return false;
      const innerU = dist[uLoc * n + xLoc]!;
      const innerV = dist[vLoc * n + yLoc]!;
      costU += this.penalty(
        this.routeLoad[routeU]! + this.loadV + this.loadY - this.loadU - this.loadX,
        this.routeTime[routeU]! + costU - innerU + innerV + this.serviceV + this.serviceY - this.serviceU - this.serviceX,
        this.routeStops[routeU]!,
      );
      costV += this.penalty(
        this.routeLoad[routeV]! + this.loadU + this.loadX - this.loadV - this.loadY,
        this.routeTime[routeV]! + costV + innerU - innerV - this.serviceV - this.serviceY + this.serviceU + this.serviceX,
        this.routeStops[routeV]!,
      );
      costU -= before;
    }
    if (costU + costV > -IMPROVEMENT_EPSILON) return false;
    this.swapNodes(nodeU, nodeV);
    this.swapNodes(nodeX, nodeY);
    this.finishMove(costU + costV);
    return true;
  }

  /** Within one route: replace arcs U→X and V→Y by U→V and X→Y, reversing X..V. */
  protected twoOpt(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, nodeY, uLoc, xLoc, vLoc, yLoc } = this;
    if (this.position[nodeU]! > this.position[nodeV]!) return false;
    const cost =
      dist[uLoc * n + vLoc]! +
      dist[xLoc * n + yLoc]! -
      dist[uLoc * n + xLoc]! -
      dist[vLoc * n + yLoc]! +
      this.cumReversal[nodeV]! -
      this.cumReversal[nodeX]!;
    if (cost > -IMPROVEMENT_EPSILON) return false;
    if (this.next[nodeU] === nodeV) return false;
    const { next, prev } = this;
    let node = next[nodeX]!;
    prev[nodeX] = node;
    next[nodeX] = nodeY;
    while (node !== nodeV) {
      const following = next[node]!;
      next[node] = prev[node]!;
      prev[node] = following;
      node = following;
    }
    next[nodeV] = prev[nodeV]!;
    prev[nodeV] = nodeU;
    next[nodeU] = nodeV;
    prev[nodeY] = nodeX;
    this.finishMove(cost);
    return true;
  }

  /** Between routes: start..U + reversed(start..V) and reversed(X..end) + Y..end. */
  protected twoOptStarReversed(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, nodeY, uLoc, xLoc, vLoc, yLoc, routeU, routeV } = this;
    const { cumTime, cumReversal, cumLoad, position } = this;
    let cost =
      dist[uLoc * n + vLoc]! +
      dist[xLoc * n + yLoc]! -
      dist[uLoc * n + xLoc]! -
      dist[vLoc * n + yLoc]! +
      cumReversal[nodeV]! +
      this.routeReversal[routeU]! -
      cumReversal[nodeX]! -
      this.routePenalty[routeU]! -
      this.routePenalty[routeV]!;
    if (cost >= 0) return false;
    cost +=
      this.penalty(
        cumLoad[nodeU]! + cumLoad[nodeV]!,
        cumTime[nodeU]! + cumTime[nodeV]! + cumReversal[nodeV]! + dist[uLoc * n + vLoc]!,
        position[nodeU]! + position[nodeV]!,
      ) +
      this.penalty(
        this.routeLoad[routeU]! + this.routeLoad[routeV]! - cumLoad[nodeU]! - cumLoad[nodeV]!,
        this.routeTime[routeU]! -
          cumTime[nodeU]! -
          dist[uLoc * n + xLoc]! +
          this.routeReversal[routeU]! -
          cumReversal[nodeX]! +
          this.routeTime[routeV]! -
          cumTime[nodeV]! -
          dist[vLoc * n + yLoc]! +
          dist[xLoc * n + yLoc]!,
        this.routeStops[routeU]! + this.routeStops[routeV]! - position[nodeU]! - position[nodeV]!,
      );
    if (cost > -IMPROVEMENT_EPSILON) return false;

    const { next, prev } = this;
    const depotU = this.depotStart(routeU);
    const depotV = this.depotStart(routeV);
    const depotUEnd = this.depotEnd(routeU);
    const depotVEnd = this.depotEnd(routeV);
    const depotVFirst = next[depotV]!;

    let xx = nodeX;
    while (!this.isDepot(xx)) {
      const following = next[xx]!;
      next[xx] = prev[xx]!;
      prev[xx] = following;
      xx = following;
    }
    let vv = nodeV;
    while (!this.isDepot(vv)) {
      const preceding = prev[vv]!;
      prev[vv] = next[vv]!;
      next[vv] = preceding;
      vv = preceding;
    }
    next[nodeU] = nodeV;
    prev[nodeV] = nodeU;
    next[nodeX] = nodeY;
    prev[nodeY] = nodeX;
    if (this.isDepot(nodeX)) {
      next[depotUEnd] = depotU;
      prev[depotUEnd] = depotVFirst;
      next[depotVFirst] = depotUEnd;
      next[depotV] = nodeY;
      prev[nodeY] = depotV;
    } else if (this.isDepot(nodeV)) {
      next[depotV] = prev[depotUEnd]!;
      prev[next[depotV]!] = depotV;
      prev[depotV] = depotVEnd;
      prev[depotUEnd] = nodeU;
      next[nodeU] = depotUEnd;
    } else {
      next[depotV] = prev[depotUEnd]!;
      prev[next[depotV]!] = depotV;
      prev[depotUEnd] = depotVFirst;
      next[depotVFirst] = depotUEnd;
    }
    this.finishMove(cost);
    return true;
  }

  /** Between routes: start..U + Y..end and start..V + X..end. */
  protected twoOptStar(): boolean {
    const dist = this.dist;
    const n = this.n;
    const { nodeU, nodeX, nodeV, nodeY, uLoc, xLoc, vLoc, yLoc, routeU, routeV } = this;
    const { cumTime, cumLoad, position } = this;
    let cost =
      dist[uLoc * n + yLoc]! +
      dist[vLoc * n + xLoc]! -
      dist[uLoc * n + xLoc]! -
      dist[vLoc * n + yLoc]! -
      this.routePenalty[routeU]! -
      this.routePenalty[routeV]!;
    if (cost >= 0) return false;
    cost +=
      this.penalty(
        cumLoad[nodeU]! + this.routeLoad[routeV]! - cumLoad[nodeV]!,
        cumTime[nodeU]! + this.routeTime[routeV]! - cumTime[nodeV]! - dist[vLoc * n + yLoc]! + dist[uLoc * n + yLoc]!,
        position[nodeU]! + this.routeStops[routeV]! - position[nodeV]!,
      ) +
      this.penalty(
        cumLoad[nodeV]! + this.routeLoad[routeU]! - cumLoad[nodeU]!,
        cumTime[nodeV]! + this.routeTime[routeU]! - cumTime[nodeU]! - dist[uLoc * n + xLoc]! + dist[vLoc * n + xLoc]!,
        position[nodeV]! + this.routeStops[routeU]! - position[nodeU]!,
      );
    if (cost > -IMPROVEMENT_EPSILON) return false;

    const { next, prev } = this;
    const depotUEnd = this.depotEnd(routeU);
    const depotVEnd = this.depotEnd(routeV);
    const lastOfU = prev[depotUEnd]!;
    next[nodeU] = nodeY;
    prev[nodeY] = nodeU;
    next[nodeV] = nodeX;
    prev[nodeX] = nodeV;
    if (this.isDepot(nodeX)) {
      prev[depotUEnd] = prev[depotVEnd]!;
      next[prev[depotUEnd]!] = depotUEnd;
      next[nodeV] = depotVEnd;
      prev[depotVEnd] = nodeV;
    } else {
      prev[depotUEnd] = prev[depotVEnd]!;
      next[prev[depotUEnd]!] = depotUEnd;
      prev[depotVEnd] = lastOfU;
      next[lastOfU] = depotVEnd;
    }
    this.finishMove(cost);
    return true;
  }

  protected finishMove(pricedDelta: number): void {
    this.moves++;
    this.searchCompleted = false;
    this.updateRoute(this.routeU);
    if (!this.intraRoute) this.updateRoute(this.routeV);
    this.onMove?.(pricedDelta);
  }
}
