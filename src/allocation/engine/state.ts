// The working state one allocation run shares between its planners.
import type { SeatRef } from "./seats.ts";
import type { AllocationPolicy, EngineTraveler, GeoPoint, Mode, UnassignedReason } from "./types.ts";

/** How a party may travel: by road, by a station-based mode (rail, boat) or by air. */
export type Family = "BUS" | "STATION" | "AIR";

export interface Failure {
  reason: UnassignedReason;
  detail: string;
}

/** Travellers who must ride together (one org + group tag), or one traveller alone. */
export interface Party {
  members: EngineTraveler[];
  size: number;
  /** The window all members share. */
  earliest: string;
  latest: string;
  /** Farthest member's road km from the origin. */
  roadKm: number;
  preference: Mode | null;
  /** Families in the order they are tried; `tried` counts how many have been. */
  families: Family[];
  tried: number;
  assigned: boolean;
  failures: { family: Family; failure: Failure }[];
}

/** One traveller's seat in a capacity, before vehicles are built. */
export interface Placement {
  traveler: EngineTraveler;
  seat: SeatRef;
  /** Drop-off point of the traveller on this capacity. */
  drop: GeoPoint;
  onwardKm: number;
  kept: boolean;
}

export interface RunContext {
  origin: GeoPoint;
  policy: AllocationPolicy;
  progress: (percent: number) => void;
  /** Placements by capacity id. */
  placements: Map<string, Placement[]>;
}

export function windowContains(party: Party, date: string): boolean {
  return party.earliest <= date && date <= party.latest;
}

export function nextFamily(party: Party): Family | undefined {
  return party.assigned ? undefined : party.families[party.tried];
}
