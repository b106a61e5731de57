-- Issue 7: the document getHomewardTotals reads, in one call. A PL/pgSQL function so that its plan is
-- cached per connection (the statement is large: planning it on every request cost more than
-- running it), and so that the client receives one short text value.
CREATE FUNCTION totals_document(p_campaign uuid, p_org uuid, p_from date, p_to date, p_mode text) RETURNS text
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  doc text;
BEGIN

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
     WHERE campaign_id = p_campaign AND (org_id = p_org OR org_id IN (SELECT id FROM children))
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
