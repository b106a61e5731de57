// The same person (same keyed hash of the ID number) on the active lists of two enterprises in one
// campaign (or on two active lists of one enterprise): a conflict. Both stay on their lists (never silently dropped, never silently doubled)
// until one enterprise amends; both enterprises, their districts and the city see it, masked.
import type { Principal } from "../../auth/principal.ts";
import type { DbOrTx } from "../../db/types.ts";

export interface TravelerConflict {
  idNumberMasked: string;
  sides: {
    orgId: string;
    orgName: string;
    /** Only for sides in the caller's subtree: the other enterprise's list and names stay hidden. */
    listId: string | null;
    travelerId: string | null;
    name: string | null;
    rowNumber: number | null;
  }[];
}

const ACTIVE_LIST = `('SUBMITTED','VALIDATED','ALLOCATED')`;

interface ConflictRow {
  id_masked: string;
  a_id: string;
  a_list: string;
  a_org: string;
  a_org_name: string;
  a_org_path: string;
  a_name: string;
  a_row: number;
  b_id: string;
  b_list: string;
  b_org: string;
  b_org_name: string;
  b_org_path: string;
  b_name: string;
  b_row: number;
}

/**
 * Conflicts in a campaign that involve the caller's subtree, optionally only those touching one
 * list. Each pair is reported once.
 */
export async function findConflicts(
  db: DbOrTx,
  principal: Pick<Principal, "orgPath">,
  campaignId: string,
  options: { listId?: string; limit?: number } = {},
): Promise<TravelerConflict[]> {
  const rows = await db.$queryRawUnsafe<ConflictRow[]>(
    `SELECT a.id_masked, a.id AS a_id, a.list_id AS a_list, a.org_id AS a_org, oa.name AS a_org_name, oa.path AS a_org_path,
            a.name AS a_name, a.row_number AS a_row,
            b.id AS b_id, b.list_id AS b_list, b.org_id AS b_org, ob.name AS b_org_name, ob.path AS b_org_path,
            b.name AS b_name, b.row_number AS b_row
       FROM travelers a
       JOIN ticket_lists la ON la.id = a.list_id AND la.status IN ${ACTIVE_LIST}
       JOIN travelers b ON b.campaign_id = a.campaign_id AND b.id_hash = a.id_hash AND b.status = 'ACTIVE'
                       AND (b.org_id > a.org_id OR (b.org_id = a.org_id AND b.list_id > a.list_id))
       JOIN ticket_lists lb ON lb.id = b.list_id AND lb.status IN ${ACTIVE_LIST}
       JOIN organisations oa ON oa.id = a.org_id
       JOIN organisations ob ON ob.id = b.org_id
      WHERE a.campaign_id = $1::uuid AND a.status = 'ACTIVE'
        AND (starts_with(oa.path, $2) OR starts_with(ob.path, $2))
        AND ($3::uuid IS NULL OR a.list_id = $3::uuid OR b.list_id = $3::uuid)
      ORDER BY a.id_hash, a.org_id, b.org_id
      LIMIT $4`,
    campaignId,
    principal.orgPath,
    options.listId ?? null,
    options.limit ?? 1000,
  );
  return rows.map((r) => ({
    idNumberMasked: r.id_masked,
    sides: (["a", "b"] as const).map((s) => {
      const visible = r[`${s}_org_path`].startsWith(principal.orgPath);
      return {
        orgId: r[`${s}_org`],
        orgName: r[`${s}_org_name`],
        listId: visible ? r[`${s}_list`] : null,
        travelerId: visible ? r[`${s}_id`] : null,
        name: visible ? r[`${s}_name`] : null,
        rowNumber: visible ? r[`${s}_row`] : null,
      };
    }),
  }));
}
