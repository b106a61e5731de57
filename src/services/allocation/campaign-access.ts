// The campaign an allocation or capacity call works on: it must belong to the caller's city.
import { rootOrgId, type Principal } from "../../auth/principal.ts";
import type { DbOrTx } from "../../db/types.ts";
import { AppError, notFound } from "../../errors.ts";

export async function campaignOfCity(db: DbOrTx, principal: Principal, campaignId: string) {
  const campaign = await db.campaign.findUnique({ where: { id: campaignId } });
  if (!campaign || campaign.cityOrgId !== rootOrgId(principal)) throw notFound();
  return campaign;
}

/**
 * Locks the campaign row (one start or publish at a time per campaign) and refuses a closed
 * campaign: once the city closes it, its seats and messages are history, not work to redo.
 */
export async function lockOpenCampaign(tx: DbOrTx, campaignId: string): Promise<void> {
  const [row] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text AS status FROM campaigns WHERE id = ${campaignId}::uuid FOR UPDATE`;
  if (row?.status === "CLOSED") {
    throw new AppError("CONFLICT", {
      code: "CAMPAIGN_CLOSED",
      message: { zh: "活动已结束，不能再分配或发布座位", en: "The campaign is closed: seats can no longer be allocated or published" },
    });
  }
}
