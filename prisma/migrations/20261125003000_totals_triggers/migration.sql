-- Issue 7: the 平安返乡 totals, maintained by triggers in the same transaction as the records they count.
--
-- A person-trip counts when its assignment is ASSIGNED in its campaign's PUBLISHED allocation run:
--   allocated = that; departed = that and the vehicle's departed_at is set; boarded = that and the
--   assignment's boarded_at is set. The day is the vehicle's departure day in Asia/Shanghai.
-- Every change is turned into signed "contributions" (+1 for a row that now counts, -1 for one that
-- counted before), grouped per (vehicle, car, enterprise), expanded to every ancestor organisation
-- (the organisation path), and applied to totals_vehicle_orgs (occupancy) and totals_counters
-- (persons, and vehicles whose occupancy for that organisation crossed zero).

-- The SQL of one contribution query. `assignments` and `vehicles` are relations (tables or the
-- trigger's transition tables), `runs` a relation of the run ids that count, `sign` +1 or -1.
CREATE FUNCTION totals_contrib_sql(assignments text, vehicles text, runs text, sign int) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    SELECT v.id AS vehicle_id,
           CASE WHEN v.mode = 'RESERVED_CARRIAGE' THEN a.car ELSE '' END AS car,
           a.org_id, v.campaign_id, v.mode,
           (v.departure_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
           %4$s AS da,
           %4$s * (v.departed_at IS NOT NULL)::int AS dd,
           %4$s * (a.boarded_at IS NOT NULL)::int AS db
      FROM %1$s a
      JOIN %2$s v ON v.id = a.vehicle_id
      JOIN %3$s r ON r.id = a.run_id
     WHERE a.status = 'ASSIGNED'
  $q$, assignments, vehicles, runs, sign)
$fn$;

-- The statement that applies a contribution query to both tables.
CREATE FUNCTION totals_apply_sql(contributions text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    WITH leaf AS (
      SELECT vehicle_id, car, org_id, campaign_id, mode, day, sum(da) AS da, sum(dd) AS dd, sum(db) AS db
        FROM (%s) c
       GROUP BY vehicle_id, car, org_id, campaign_id, mode, day
    ), expanded AS (
      SELECT l.vehicle_id, l.car, anc.org_id, l.campaign_id, l.mode, l.day,
             sum(l.da)::int AS da, sum(l.dd)::int AS dd, sum(l.db)::int AS db
        FROM leaf l
        JOIN organisations o ON o.id = l.org_id
        CROSS JOIN LATERAL unnest(string_to_array(btrim(o.path, '/'), '/')::uuid[]) AS anc(org_id)
       GROUP BY l.vehicle_id, l.car, anc.org_id, l.campaign_id, l.mode, l.day
      HAVING sum(l.da) <> 0 OR sum(l.dd) <> 0 OR sum(l.db) <> 0
    ), occupancy AS (
      INSERT INTO totals_vehicle_orgs AS t
             (vehicle_id, car, org_id, campaign_id, mode, day, allocated_persons, departed_persons, boarded_persons)
      SELECT vehicle_id, car, org_id, campaign_id, mode, day, da, dd, db
        FROM expanded ORDER BY vehicle_id, car, org_id, mode, day
      ON CONFLICT (vehicle_id, car, org_id, mode, day) DO UPDATE
         SET allocated_persons = t.allocated_persons + excluded.allocated_persons,
             departed_persons = t.departed_persons + excluded.departed_persons,
             boarded_persons = t.boarded_persons + excluded.boarded_persons
      RETURNING t.vehicle_id, t.car, t.org_id, t.campaign_id, t.mode, t.day,
                t.allocated_persons, t.departed_persons, t.boarded_persons
    )
    INSERT INTO totals_counters AS c
           (campaign_id, org_id, mode, day, allocated_persons, departed_persons, boarded_persons,
            allocated_vehicles, departed_vehicles, boarded_vehicles)
    SELECT o.campaign_id, o.org_id, o.mode, o.day,
           sum(e.da), sum(e.dd), sum(e.db),
           sum((o.allocated_persons > 0)::int - (o.allocated_persons - e.da > 0)::int),
           sum((o.departed_persons > 0)::int - (o.departed_persons - e.dd > 0)::int),
           sum((o.boarded_persons > 0)::int - (o.boarded_persons - e.db > 0)::int)
      FROM occupancy o
      JOIN expanded e USING (vehicle_id, car, org_id, mode, day)
     GROUP BY o.campaign_id, o.org_id, o.mode, o.day
     ORDER BY o.campaign_id, o.org_id, o.mode, o.day
    ON CONFLICT (campaign_id, org_id, mode, day) DO UPDATE
       SET allocated_persons = c.allocated_persons + excluded.allocated_persons,
           departed_persons = c.departed_persons + excluded.departed_persons,
           boarded_persons = c.boarded_persons + excluded.boarded_persons,
           allocated_vehicles = c.allocated_vehicles + excluded.allocated_vehicles,
           departed_vehicles = c.departed_vehicles + excluded.departed_vehicles,
           boarded_vehicles = c.boarded_vehicles + excluded.boarded_vehicles
  $q$, contributions)
$fn$;

-- Runs that count: the published ones.
CREATE FUNCTION totals_published_runs() RETURNS text LANGUAGE sql IMMUTABLE AS
$fn$ SELECT '(SELECT id FROM allocation_runs WHERE status = ''PUBLISHED'')' $fn$;

-- ── assignments ──────────────────────────────────────────────────────────────────────────────────
CREATE FUNCTION totals_on_assignments_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE totals_apply_sql(totals_contrib_sql('new_rows', 'vehicles', totals_published_runs(), 1));
  RETURN NULL;
END $fn$;

CREATE FUNCTION totals_on_assignments_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  -- Only rows whose counting inputs changed (an SMS confirmation touching many rows costs nothing).
  changed CONSTANT text := '(SELECT %s.* FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (n.status, n.run_id, n.vehicle_id, n.car, n.org_id, n.boarded_at IS NULL)
           IS DISTINCT FROM (o.status, o.run_id, o.vehicle_id, o.car, o.org_id, o.boarded_at IS NULL))';
BEGIN
  EXECUTE totals_apply_sql(
    totals_contrib_sql(format(changed, 'n'), 'vehicles', totals_published_runs(), 1)
    || ' UNION ALL ' ||
    totals_contrib_sql(format(changed, 'o'), 'vehicles', totals_published_runs(), -1));
  RETURN NULL;
END $fn$;

CREATE FUNCTION totals_on_assignments_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- Rows deleted with their vehicle or run were already subtracted by that row's BEFORE DELETE
  -- trigger; the vehicle or run is no longer visible here, so they do not join.
  EXECUTE totals_apply_sql(totals_contrib_sql('old_rows', 'vehicles', totals_published_runs(), -1));
  RETURN NULL;
END $fn$;

CREATE TRIGGER totals_assignments_insert AFTER INSERT ON assignments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_on_assignments_insert();
CREATE TRIGGER totals_assignments_update AFTER UPDATE ON assignments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_on_assignments_update();
CREATE TRIGGER totals_assignments_delete AFTER DELETE ON assignments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_on_assignments_delete();

-- ── vehicles ─────────────────────────────────────────────────────────────────────────────────────
CREATE FUNCTION totals_on_vehicles_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF EXISTS (
    SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE (n.mode, n.campaign_id, n.run_id, (n.departure_at AT TIME ZONE 'Asia/Shanghai')::date, n.departed_at IS NULL)
           IS DISTINCT FROM (o.mode, o.campaign_id, o.run_id, (o.departure_at AT TIME ZONE 'Asia/Shanghai')::date, o.departed_at IS NULL)
  ) THEN
    EXECUTE totals_apply_sql(
      totals_contrib_sql('assignments', 'new_rows', totals_published_runs(), 1)
      || ' UNION ALL ' ||
      totals_contrib_sql('assignments', 'old_rows', totals_published_runs(), -1));
  END IF;
  RETURN NULL;
END $fn$;

CREATE FUNCTION totals_on_vehicle_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE totals_apply_sql(totals_contrib_sql(
    '(SELECT * FROM assignments WHERE vehicle_id = $1)', 'vehicles', totals_published_runs(), -1)) USING OLD.id;
  RETURN OLD;
END $fn$;

CREATE TRIGGER totals_vehicles_update AFTER UPDATE ON vehicles
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_on_vehicles_update();
CREATE TRIGGER totals_vehicle_delete BEFORE DELETE ON vehicles
  FOR EACH ROW EXECUTE FUNCTION totals_on_vehicle_delete();

-- ── allocation runs: publishing adds a run's seats, superseding (or any status away from
-- PUBLISHED) subtracts them ────────────────────────────────────────────────────────────────────
CREATE FUNCTION totals_on_runs_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
              WHERE (n.status = 'PUBLISHED') <> (o.status = 'PUBLISHED')) THEN
    EXECUTE totals_apply_sql(
      totals_contrib_sql('assignments', 'vehicles',
        '(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.status = ''PUBLISHED'' AND o.status <> ''PUBLISHED'')', 1)
      || ' UNION ALL ' ||
      totals_contrib_sql('assignments', 'vehicles',
        '(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.status <> ''PUBLISHED'' AND o.status = ''PUBLISHED'')', -1));
  END IF;
  RETURN NULL;
END $fn$;

CREATE FUNCTION totals_on_run_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF OLD.status = 'PUBLISHED' THEN
    EXECUTE totals_apply_sql(totals_contrib_sql('assignments', 'vehicles', '(SELECT $1::uuid AS id)', -1)) USING OLD.id;
  END IF;
  RETURN OLD;
END $fn$;

CREATE TRIGGER totals_runs_update AFTER UPDATE ON allocation_runs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION totals_on_runs_update();
CREATE TRIGGER totals_run_delete BEFORE DELETE ON allocation_runs
  FOR EACH ROW EXECUTE FUNCTION totals_on_run_delete();
