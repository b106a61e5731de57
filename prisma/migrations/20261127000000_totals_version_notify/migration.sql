-- Issue 7: announce every totals version bump with NOTIFY, so that the Node API can keep each
-- campaign's current version in memory (src/services/totals/version-feed.ts) instead of reading it
-- from totals_cache.versions on every request.
--
-- The payload is '<campaign id>:<new version>' on the channel totals_version. PostgreSQL delivers a
-- notification only when (and if) the transaction commits, after the version row it describes is
-- visible, so a listener never learns of a version it could not read. Versions only grow, so a
-- listener keeps the highest one it heard per campaign; several bumps of one campaign in one
-- transaction send several notifications (the last one carries the committed version).
-- A notifying transaction takes PostgreSQL's notification-queue lock for its commit; writers of one
-- campaign already commit one after the other on its version row, so that adds little.
CREATE OR REPLACE FUNCTION totals_bump_versions(p_campaigns uuid[]) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  bumped record;
BEGIN
  FOR bumped IN
    INSERT INTO totals_cache.versions AS v (campaign_id, version)
    SELECT DISTINCT c, 1 FROM unnest(p_campaigns) c WHERE c IS NOT NULL ORDER BY 1
    ON CONFLICT (campaign_id) DO UPDATE SET version = v.version + 1
    RETURNING v.campaign_id, v.version
  LOOP
    PERFORM pg_notify('totals_version', bumped.campaign_id::text || ':' || bumped.version::text);
  END LOOP;
END $fn$;
