-- Issue 7: a version per campaign for the totals response cache (src/services/totals/cache.ts).
--
-- Every transaction that changes something getHomewardTotals reads (counted seats of a published
-- run, vehicles' departures, runs published or superseded, wage cases and payments, manual figures,
-- the campaign, the organisation tree) increments totals_cache.versions.version of the campaigns
-- it touches, in the same transaction. A reader that reads the version and the totals document in
-- one statement (one snapshot) can therefore keep the document keyed by that version: the version it
-- reads later equals the cached one only if no such transaction committed in between.
--
-- Its own schema: it is cache bookkeeping, not part of the Prisma data model (prisma/schema.prisma
-- describes the public schema only). IF NOT EXISTS: dropping the public schema leaves it in place.
CREATE SCHEMA IF NOT EXISTS totals_cache;
CREATE TABLE IF NOT EXISTS totals_cache.versions (
  campaign_id uuid PRIMARY KEY,
  version bigint NOT NULL
);

-- Rows are never deleted, so a campaign's version only grows (a missing row is version 0).
CREATE FUNCTION totals_bump_versions(p_campaigns uuid[]) RETURNS void LANGUAGE sql AS $fn$
  INSERT INTO totals_cache.versions AS v (campaign_id, version)
  SELECT DISTINCT c, 1 FROM unnest(p_campaigns) c WHERE c IS NOT NULL ORDER BY 1
  ON CONFLICT (campaign_id) DO UPDATE SET version = v.version + 1
$fn$;

-- The triggers are named bump_* so that they fire before the totals_* triggers of the same event
-- (PostgreSQL fires triggers of one event in name order): the version row is locked after the
-- statement's own rows but before the counter rows, so a writer waiting for another writer's version
-- row holds no counter row that one could need.

-- ── assignments: rows of a published run whose counted inputs changed ──────────────────────────
CREATE FUNCTION totals_version_on_assignments() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM totals_bump_versions(ARRAY(
      SELECT DISTINCT n.campaign_id FROM new_rows n JOIN allocation_runs r ON r.id = n.run_id WHERE r.status = 'PUBLISHED'));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM totals_bump_versions(ARRAY(
      SELECT DISTINCT o.campaign_id FROM old_rows o JOIN allocation_runs r ON r.id = o.run_id WHERE r.status = 'PUBLISHED'));
  ELSE
    PERFORM totals_bump_versions(ARRAY(
      SELECT DISTINCT x.campaign_id
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES (n.campaign_id, n.run_id), (o.campaign_id, o.run_id)) x(campaign_id, run_id)
        JOIN allocation_runs r ON r.id = x.run_id
       WHERE r.status = 'PUBLISHED'
         AND (n.status, n.run_id, n.vehicle_id, n.car, n.org_id, n.campaign_id, n.boarded_at IS NULL)
             IS DISTINCT FROM (o.status, o.run_id, o.vehicle_id, o.car, o.org_id, o.campaign_id, o.boarded_at IS NULL)));
  END IF;
  RETURN NULL;
END $fn$;

CREATE TRIGGER bump_totals_version_assignments_insert AFTER INSERT ON assignments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_assignments();
CREATE TRIGGER bump_totals_version_assignments_update AFTER UPDATE ON assignments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_assignments();
CREATE TRIGGER bump_totals_version_assignments_delete AFTER DELETE ON assignments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_assignments();

-- ── vehicles of a published run: departure day, departure report, mode, campaign, run; delete ────
CREATE FUNCTION totals_version_on_vehicles() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM totals_bump_versions(ARRAY(
      SELECT DISTINCT o.campaign_id FROM old_rows o JOIN allocation_runs r ON r.id = o.run_id WHERE r.status = 'PUBLISHED'));
  ELSE
    PERFORM totals_bump_versions(ARRAY(
      SELECT DISTINCT x.campaign_id
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES (n.campaign_id, n.run_id), (o.campaign_id, o.run_id)) x(campaign_id, run_id)
        JOIN allocation_runs r ON r.id = x.run_id
       WHERE r.status = 'PUBLISHED'
         AND (n.mode, n.campaign_id, n.run_id, (n.departure_at AT TIME ZONE 'Asia/Shanghai')::date, n.departed_at IS NULL)
             IS DISTINCT FROM (o.mode, o.campaign_id, o.run_id, (o.departure_at AT TIME ZONE 'Asia/Shanghai')::date, o.departed_at IS NULL)));
  END IF;
  RETURN NULL;
END $fn$;

CREATE TRIGGER bump_totals_version_vehicles_update AFTER UPDATE ON vehicles
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_vehicles();
-- A vehicle's seats leave the counters in its BEFORE DELETE trigger; this bump comes after them.
CREATE TRIGGER bump_totals_version_vehicles_delete AFTER DELETE ON vehicles
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_vehicles();

-- ── allocation runs: to or from PUBLISHED, or a published run deleted ────────────────────────────
CREATE FUNCTION totals_version_on_runs() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM totals_bump_versions(ARRAY(SELECT campaign_id FROM old_rows WHERE status = 'PUBLISHED'));
  ELSE
    PERFORM totals_bump_versions(ARRAY(
      SELECT n.campaign_id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.status = 'PUBLISHED') <> (o.status = 'PUBLISHED')
      UNION ALL
      SELECT o.campaign_id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE n.campaign_id <> o.campaign_id AND (n.status = 'PUBLISHED' OR o.status = 'PUBLISHED')));
  END IF;
  RETURN NULL;
END $fn$;

CREATE TRIGGER bump_totals_version_runs_update AFTER UPDATE ON allocation_runs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_runs();
CREATE TRIGGER bump_totals_version_runs_delete AFTER DELETE ON allocation_runs
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_runs();

-- ── tables read as they are: any change of their campaign(s) ─────────────────────────────────────
-- TG_ARGV[0]: how a row names its campaign — 'campaign_id' (the column), 'id' (campaigns),
-- 'case' (wage_payments: through the case), 'city' (organisations: every campaign of the city).
CREATE FUNCTION totals_version_on_rows() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  rows_json jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(to_jsonb(n)) INTO rows_json FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT jsonb_agg(to_jsonb(o)) INTO rows_json FROM old_rows o;
  ELSE
    SELECT jsonb_agg(r) INTO rows_json FROM (SELECT to_jsonb(n) AS r FROM new_rows n UNION ALL SELECT to_jsonb(o) FROM old_rows o) x;
  END IF;
  IF rows_json IS NULL THEN RETURN NULL; END IF;
  IF TG_ARGV[0] = 'case' THEN
    PERFORM totals_bump_versions(ARRAY(
      SELECT c.campaign_id FROM wage_cases c WHERE c.id IN (SELECT (e->>'case_id')::uuid FROM jsonb_array_elements(rows_json) e)));
  ELSIF TG_ARGV[0] = 'city' THEN
    PERFORM totals_bump_versions(ARRAY(
      SELECT c.id FROM campaigns c
       WHERE c.city_org_id IN (SELECT split_part(e->>'path', '/', 2)::uuid FROM jsonb_array_elements(rows_json) e)));
  ELSE
    PERFORM totals_bump_versions(ARRAY(SELECT (e->>TG_ARGV[0])::uuid FROM jsonb_array_elements(rows_json) e));
  END IF;
  RETURN NULL;
END $fn$;

CREATE TRIGGER bump_totals_version_wage_cases_insert AFTER INSERT ON wage_cases
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('campaign_id');
CREATE TRIGGER bump_totals_version_wage_cases_update AFTER UPDATE ON wage_cases
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('campaign_id');
CREATE TRIGGER bump_totals_version_wage_cases_delete AFTER DELETE ON wage_cases
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('campaign_id');

CREATE TRIGGER bump_totals_version_wage_payments_insert AFTER INSERT ON wage_payments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('case');
CREATE TRIGGER bump_totals_version_wage_payments_update AFTER UPDATE ON wage_payments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('case');
CREATE TRIGGER bump_totals_version_wage_payments_delete AFTER DELETE ON wage_payments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('case');

CREATE TRIGGER bump_totals_version_manual_figures_insert AFTER INSERT ON manual_figures
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('campaign_id');
CREATE TRIGGER bump_totals_version_manual_figures_update AFTER UPDATE ON manual_figures
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('campaign_id');
CREATE TRIGGER bump_totals_version_manual_figures_delete AFTER DELETE ON manual_figures
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('campaign_id');

CREATE TRIGGER bump_totals_version_campaigns_update AFTER UPDATE ON campaigns
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('id');

CREATE TRIGGER bump_totals_version_organisations_insert AFTER INSERT ON organisations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('city');
CREATE TRIGGER bump_totals_version_organisations_update AFTER UPDATE ON organisations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('city');
CREATE TRIGGER bump_totals_version_organisations_delete AFTER DELETE ON organisations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_version_on_rows('city');

-- The counters of the organisation and of its children by one index range each (the earlier
-- "org_id = p OR org_id IN (children)" was read with a scan of the campaign's counters).
CREATE OR REPLACE FUNCTION totals_document(p_campaign uuid, p_org uuid, p_from date, p_to date, p_mode text) RETURNS text
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  doc text;
  orgs uuid[];
BEGIN
  orgs := p_org || ARRAY(SELECT id FROM organisations WHERE parent_id = p_org AND kind <> 'TRANSPORT_OPERATOR');
  WITH root AS (SELECT id, name, kind::text AS kind, path FROM organisations WHERE id = p_org),
  camp AS (SELECT id::text, name, year, city_org_id::text AS "cityOrgId",
                  to_char(departure_start, 'YYYY-MM-DD') AS "departureStart", to_char(departure_end, 'YYYY-MM-DD') AS "departureEnd"
             FROM campaigns WHERE id = p_campaign),
  children AS (SELECT id, name, kind::text AS kind, path FROM organisations
                WHERE parent_id = p_org AND kind <> 'TRANSPORT_OPERATOR'),
  counters AS (
    SELECT org_id = p_org AS is_root, org_id::text AS org_id,
           CASE WHEN org_id = p_org THEN mode::text END AS mode,
           CASE WHEN org_id = p_org THEN to_char(day, 'YYYY-MM-DD') END AS day,
           sum(allocated_persons)::int AS ap, sum(departed_persons)::int AS dp, sum(boarded_persons)::int AS bp,
           sum(allocated_vehicles)::int AS av, sum(departed_vehicles)::int AS dv, sum(boarded_vehicles)::int AS bv
      FROM totals_counters
     WHERE campaign_id = p_campaign AND org_id = ANY (orgs)
       AND (p_from IS NULL OR day >= p_from) AND (p_to IS NULL OR day <= p_to)
       AND (p_mode IS NULL OR mode::text = p_mode)
     GROUP BY 1, 2, 3, 4),
  payments AS (
    SELECT c.id AS case_id,
           CASE WHEN c.org_id = p_org THEN NULL ELSE split_part(substr(o.path, length(root.path) + 1), '/', 1) END AS child,
           p.workers_paid, p.migrant_workers_paid, p.amount_fen, p.migrant_amount_fen
      FROM root
      JOIN organisations o ON o.path LIKE root.path || '%'
      JOIN wage_cases c ON c.org_id = o.id AND c.campaign_id = p_campaign
      JOIN wage_payments p ON p.case_id = c.id
     WHERE (p_from IS NULL OR p.paid_on >= p_from) AND (p_to IS NULL OR p.paid_on <= p_to)),
  wages AS (
    SELECT child, count(DISTINCT case_id)::int AS cases, sum(workers_paid)::int AS workers, sum(migrant_workers_paid)::int AS migrant_workers,
           sum(amount_fen)::text AS amount_fen, sum(migrant_amount_fen)::text AS migrant_amount_fen
      FROM payments GROUP BY child),
  manual AS (
    SELECT m.figure,
           CASE WHEN m.org_id = p_org THEN NULL ELSE split_part(substr(o.path, length(root.path) + 1), '/', 1) END AS child,
           sum(m.value)::text AS value
      FROM root
      JOIN organisations o ON o.path LIKE root.path || '%'
      JOIN manual_figures m ON m.org_id = o.id AND m.campaign_id = p_campaign
     GROUP BY 1, 2)
  SELECT json_build_object(
           'campaign', (SELECT row_to_json(camp) FROM camp),
           'org', (SELECT row_to_json(root) FROM root),
           'children', (SELECT coalesce(json_agg(children ORDER BY name), '[]') FROM children),
           'counters', (SELECT coalesce(json_agg(counters), '[]') FROM counters),
           'wages', (SELECT coalesce(json_agg(wages), '[]') FROM wages),
           'manual', (SELECT coalesce(json_agg(manual), '[]') FROM manual))::text
    INTO doc;
  RETURN doc;
END $fn$;
