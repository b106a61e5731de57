// One submitted group ticket list per enterprise union, of synthetic travellers (seeded, so every
// run generates the same people), through submitTicketList as the enterprise's own login.
import { generateTravelerRows } from "../../src/intake/synthetic.ts";
import { submitTicketList, type TravelerInput } from "../../src/services/intake/ticket-lists.ts";
import { mapLimit } from "./concurrency.ts";
import { contextOf, type DemoEnv } from "./context.ts";

/** The six departure days of the demo (the run-up to 除夕 2027-02-05). */
export const DEPARTURE_DAYS = ["2027-01-27", "2027-01-28", "2027-01-29", "2027-01-30", "2027-01-31", "2027-02-01"] as const;
export const DEFAULT_TRAVELERS = 2000;
const IDEMPOTENCY_KEY = "seed-demo-2027";

/** Splits `total` over the enterprises: big factories send more, service firms fewer; sums exactly. */
export function travellersPerEnterprise(total: number, enterprises: number): number[] {
  const weights = Array.from({ length: enterprises }, (_, i) => 1 + ((i * 7) % 5));
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((total * w) / sum));
  for (let i = 0, left = total - counts.reduce((a, b) => a + b, 0); left > 0; i = (i + 1) % enterprises, left--) counts[i]!++;
  return counts;
}

export interface ListsSummary {
  submitted: number;
  existing: number;
}

/**
 * Submits each enterprise's list unless it already has one in the campaign (a second run adds
 * nothing, whatever --travelers says). Enterprise i always gets the rows of seed 2027_000 + i.
 */
export async function submitDemoLists(env: DemoEnv, campaignId: string, enterprises: { id: string; username: string }[], total: number): Promise<ListsSummary> {
  const counts = travellersPerEnterprise(total, enterprises.length);
  const summary: ListsSummary = { submitted: 0, existing: 0 };
  // Enterprises submit independently: a few at a time.
  await mapLimit(enterprises, 4, async (enterprise, i) => {
    const existing = await env.db.ticketList.count({ where: { campaignId, orgId: enterprise.id, status: { not: "WITHDRAWN" } } });
    if (existing > 0) {
      summary.existing++;
      return;
    }
    const count = counts[i]!;
    if (count === 0) return;
    const rows: TravelerInput[] = generateTravelerRows(count, 2027_000 + i, { window: { start: DEPARTURE_DAYS[0], end: DEPARTURE_DAYS.at(-1)! } }).map(
      ({ fault: _fault, ...row }) => row,
    );
    const ctx = await contextOf(env, enterprise.username);
    await submitTicketList(ctx, campaignId, { title: `${ctx.principal.orgName} 2027年春节返乡名单`, mode: "ALL_OR_NOTHING", rows }, IDEMPOTENCY_KEY);
    summary.submitted++;
  });
  return summary;
}
