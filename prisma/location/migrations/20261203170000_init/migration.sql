-- The location app's tables: positions (7 days, raw), the per-minute trail (90 days), geofences and their
-- per-person state, the outbox and set_aside. Unqualified names: the runner sets search_path to the target
-- schema ("location", or a throwaway schema in tests).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'location_app') THEN
    RAISE EXCEPTION 'role "location_app" does not exist'
      USING HINT = 'Create the LOGIN role location_app before migrating the location schema (npm run migrate does).';
  END IF;
END
$$;

-- Which storage engine this schema got; the maintenance functions and the tests read it.
CREATE TABLE "location_storage" (
    "singleton" BOOLEAN NOT NULL DEFAULT true,
    "engine" VARCHAR(16) NOT NULL,
    CONSTRAINT "location_storage_pkey" PRIMARY KEY ("singleton"),
    CONSTRAINT "location_storage_singleton_check" CHECK ("singleton"),
    CONSTRAINT "location_storage_engine_check" CHECK ("engine" IN ('timescaledb', 'native'))
);

-- Positions and the trail. On a hypertable (and on a natively partitioned table) every unique key contains
-- the time column: the idempotency key (person_id, recorded_at) does. recorded_at keeps milliseconds, as
-- JavaScript does. received_at is the inserting transaction's start: the native trail job reads what
-- arrived since its last run by it.
DO $$
DECLARE
  position_columns CONSTANT text := $cols$(
    "person_id"   VARCHAR(128)   NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "lat"         DOUBLE PRECISION NOT NULL,
    "lon"         DOUBLE PRECISION NOT NULL,
    "accuracy_m"  REAL           NOT NULL,
    "altitude_m"  REAL,
    "speed_mps"   REAL,
    "heading_deg" REAL,
    "battery_pct" SMALLINT,
    "source"      VARCHAR(8),
    CONSTRAINT "positions_pkey" PRIMARY KEY ("person_id", "recorded_at"),
    CONSTRAINT "positions_lat_check" CHECK ("lat" BETWEEN -90 AND 90),
    CONSTRAINT "positions_lon_check" CHECK ("lon" BETWEEN -180 AND 180),
    CONSTRAINT "positions_accuracy_check" CHECK ("accuracy_m" >= 0),
    CONSTRAINT "positions_source_check" CHECK ("source" IN ('gps', 'wifi', 'cell', 'manual'))
  )$cols$;
  trail_columns CONSTANT text := $cols$(
    "person_id"  VARCHAR(128)   NOT NULL,
    "bucket"     TIMESTAMPTZ(3) NOT NULL,
    "lat"        DOUBLE PRECISION NOT NULL,
    "lon"        DOUBLE PRECISION NOT NULL,
    "accuracy_m" REAL           NOT NULL,
    "points"     INTEGER        NOT NULL,
    CONSTRAINT "trail_pkey" PRIMARY KEY ("person_id", "bucket")
  )$cols$;
  ts text;
  -- The per-database switch, as in the audit migration: ALTER DATABASE ... SET lifeline.storage = 'native'
  -- takes the native path even where TimescaleDB is preloaded; 'timescaledb' insists on it; unset or 'auto'
  -- takes it where it loads (listed is not enough: the extension only loads when preloaded).
  wanted CONSTANT text := coalesce(nullif(current_setting('lifeline.storage', true), ''), 'auto');
  loadable CONSTANT boolean := EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
    AND coalesce(current_setting('shared_preload_libraries', true), '') LIKE '%timescaledb%';
BEGIN
  IF wanted NOT IN ('auto', 'native', 'timescaledb') THEN
    RAISE EXCEPTION 'lifeline.storage is %, expected native, timescaledb or auto', quote_literal(wanted) USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF wanted = 'timescaledb' AND NOT loadable THEN
    RAISE EXCEPTION 'lifeline.storage = timescaledb, but TimescaleDB is not preloaded on this server'
      USING ERRCODE = 'feature_not_supported', HINT = 'Start it with shared_preload_libraries = timescaledb (scripts/stack.sh does where the build is installed).';
  END IF;
  IF loadable AND wanted <> 'native' THEN
    -- One install per database, shared with audit: in public, never in this (possibly throwaway) schema.
    CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public;
    SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';

    EXECUTE 'CREATE TABLE "positions" ' || position_columns;
    EXECUTE format(
      'SELECT %I.create_hypertable(%L::regclass, %L::name, chunk_time_interval => interval %L, create_default_indexes => false)',
      ts, 'positions', 'recorded_at', '1 day');
    EXECUTE format('SELECT %I.add_retention_policy(%L::regclass, interval %L)', ts, 'positions', '7 days');
    -- The trail is a continuous aggregate: the last point of every minute, kept 90 days (longer than the raw
    -- rows it came from). WITH NO DATA: the policy fills it, and the statement may run inside a transaction.
    EXECUTE format($sql$CREATE MATERIALIZED VIEW "trail" WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT "person_id",
             %1$I.time_bucket(interval '1 minute', "recorded_at") AS "bucket",
             %1$I.last("lat", "recorded_at") AS "lat",
             %1$I.last("lon", "recorded_at") AS "lon",
             %1$I.last("accuracy_m", "recorded_at") AS "accuracy_m",
             count(*) AS "points"
      FROM "positions"
      GROUP BY "person_id", %1$I.time_bucket(interval '1 minute', "recorded_at")
      WITH NO DATA$sql$, ts);
    EXECUTE format('SELECT %I.add_continuous_aggregate_policy(%L::regclass, start_offset => interval %L, end_offset => interval %L, schedule_interval => interval %L)',
      ts, 'trail', '6 days', '1 minute', '1 minute');
    EXECUTE format('SELECT %I.add_retention_policy(%L::regclass, interval %L)', ts, 'trail', '90 days');
    INSERT INTO "location_storage" ("engine") VALUES ('timescaledb');
    RAISE NOTICE 'positions: TimescaleDB hypertable (1-day chunks, 7-day retention); trail: continuous aggregate kept 90 days';
  ELSE
    EXECUTE 'CREATE TABLE "positions" ' || position_columns || ' PARTITION BY RANGE ("recorded_at")';
    EXECUTE 'CREATE TABLE "trail" ' || trail_columns || ' PARTITION BY RANGE ("bucket")';
    -- Safety nets: a row outside the daily partitions made so far is kept, never refused; the maintenance
    -- job re-homes it when its day's partition is created.
    CREATE TABLE "positions_default" PARTITION OF "positions" DEFAULT;
    CREATE TABLE "trail_default" PARTITION OF "trail" DEFAULT;
    INSERT INTO "location_storage" ("engine") VALUES ('native');
    RAISE NOTICE 'positions and trail: native daily range partitions (%)', CASE WHEN loadable THEN 'lifeline.storage = native' ELSE 'TimescaleDB not available' END;
  END IF;
END
$$;

-- The native trail job's progress: positions received up to here are in the trail.
CREATE TABLE "trail_progress" (
    "singleton" BOOLEAN NOT NULL DEFAULT true,
    "received_up_to" TIMESTAMPTZ(3) NOT NULL DEFAULT '1970-01-01 00:00:00+00',
    CONSTRAINT "trail_progress_pkey" PRIMARY KEY ("singleton"),
    CONSTRAINT "trail_progress_singleton_check" CHECK ("singleton")
);
INSERT INTO "trail_progress" DEFAULT VALUES;

-- What the trail job reads: positions by arrival.
CREATE INDEX "positions_received_idx" ON "positions" ("received_at");

-- Daily partitions (UTC days) of positions and the trail for days_back days before today through days_ahead
-- days after it. A day whose rows already sit in the default partition is built beside it, filled from it
-- and attached, so nothing is refused or lost. On TimescaleDB chunks appear on their own: nothing to do.
CREATE FUNCTION "ensure_location_partitions"(days_back INTEGER, days_ahead INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  today CONSTANT timestamp := date_trunc('day', now() AT TIME ZONE 'UTC');
  tbl text;
  lo timestamptz;
  hi timestamptz;
  part text;
  key text;
  created integer := 0;
BEGIN
  IF days_back IS NULL OR days_back < 0 OR days_back > 120 OR days_ahead IS NULL OR days_ahead < 0 OR days_ahead > 60 THEN
    RAISE EXCEPTION 'days_back must be 0-120 and days_ahead 0-60, got % and %', days_back, days_ahead USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (SELECT "engine" FROM "location_storage") <> 'native' THEN
    RETURN 0;
  END IF;
  -- Every replica's cron tick ensures: one at a time, so they never race to create the same partition.
  PERFORM pg_advisory_xact_lock(hashtext('ensure_location_partitions:' || current_schema()));
  FOREACH tbl IN ARRAY ARRAY['positions', 'trail'] LOOP
    key := CASE tbl WHEN 'positions' THEN 'recorded_at' ELSE 'bucket' END;
    FOR i IN -days_back..days_ahead LOOP
      lo := (today + make_interval(days => i)) AT TIME ZONE 'UTC';
      hi := (today + make_interval(days => i + 1)) AT TIME ZONE 'UTC';
      part := tbl || '_p' || to_char(today + make_interval(days => i), 'YYYYMMDD');
      CONTINUE WHEN to_regclass(format('%I', part)) IS NOT NULL;
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, tbl);
      EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
        tbl || '_default', key, key, part) USING lo, hi;
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', tbl, part, lo, hi);
      created := created + 1;
    END LOOP;
  END LOOP;
  RETURN created;
END
$$;

-- Retention by whole days: drops the daily partitions that ended more than position_days (positions) or
-- trail_days (trail) ago, and deletes the default partitions' rows that old. TimescaleDB's policies do the
-- same on their own schedule; here the job asks for it.
CREATE FUNCTION "drop_expired_location_partitions"(position_days INTEGER, trail_days INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  part record;
  cutoff timestamptz;
  dropped integer := 0;
BEGIN
  IF position_days IS NULL OR position_days < 1 OR trail_days IS NULL OR trail_days < position_days THEN
    RAISE EXCEPTION 'position_days must be at least 1 and trail_days at least position_days, got % and %', position_days, trail_days
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (SELECT "engine" FROM "location_storage") <> 'native' THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('ensure_location_partitions:' || current_schema()));
  FOR part IN
    SELECT c.relname, p.relname AS parent
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname IN ('positions', 'trail') AND p.relnamespace = current_schema()::regnamespace
      AND c.relname ~ '_p[0-9]{8}$'
  LOOP
    cutoff := now() - make_interval(days => CASE part.parent WHEN 'positions' THEN position_days ELSE trail_days END);
    IF ((to_date(right(part.relname, 8), 'YYYYMMDD') + interval '1 day') AT TIME ZONE 'UTC') <= cutoff THEN
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  DELETE FROM "positions_default" WHERE "recorded_at" < now() - make_interval(days => position_days);
  DELETE FROM "trail_default" WHERE "bucket" < now() - make_interval(days => trail_days);
  RETURN dropped;
END
$$;

-- The native downsampling job: every (person, minute) that received positions since the last run gets the
-- minute's last point (a real position, not an average that may lie inside a wall) and its point count.
-- Only arrivals older than 30 s are taken: an ingest transaction lasts at most 15 s, so none that started
-- before the cut can still commit after it, and a late commit is never skipped. Returns the buckets written.
CREATE FUNCTION "refresh_location_trail"() RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  since timestamptz;
  cut CONSTANT timestamptz := now() - interval '30 seconds';
  written integer := 0;
BEGIN
  IF (SELECT "engine" FROM "location_storage") <> 'native' THEN
    RETURN 0;
  END IF;
  SELECT "received_up_to" INTO since FROM "trail_progress" FOR UPDATE;
  IF since >= cut THEN
    RETURN 0;
  END IF;
  INSERT INTO "trail" ("person_id", "bucket", "lat", "lon", "accuracy_m", "points")
  SELECT t.person_id, t.bucket, l.lat, l.lon, l.accuracy_m, l.points
  FROM (
    SELECT DISTINCT "person_id", date_trunc('minute', "recorded_at") AS bucket
    FROM "positions"
    WHERE "received_at" > since AND "received_at" <= cut
  ) t
  CROSS JOIN LATERAL (
    SELECT p."lat", p."lon", p."accuracy_m", count(*) OVER ()::integer AS points
    FROM "positions" p
    WHERE p."person_id" = t.person_id AND p."recorded_at" >= t.bucket AND p."recorded_at" < t.bucket + interval '1 minute'
    ORDER BY p."recorded_at" DESC
    LIMIT 1
  ) l
  ON CONFLICT ("person_id", "bucket") DO UPDATE
    SET "lat" = EXCLUDED."lat", "lon" = EXCLUDED."lon", "accuracy_m" = EXCLUDED."accuracy_m", "points" = EXCLUDED."points";
  GET DIAGNOSTICS written = ROW_COUNT;
  UPDATE "trail_progress" SET "received_up_to" = cut;
  RETURN written;
END
$$;

DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION "ensure_location_partitions"(INTEGER, INTEGER) SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "drop_expired_location_partitions"(INTEGER, INTEGER) SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "refresh_location_trail"() SET search_path = %I, pg_catalog, pg_temp', current_schema());
END
$$;
REVOKE ALL ON FUNCTION "ensure_location_partitions"(INTEGER, INTEGER) FROM PUBLIC;
REVOKE ALL ON FUNCTION "drop_expired_location_partitions"(INTEGER, INTEGER) FROM PUBLIC;
REVOKE ALL ON FUNCTION "refresh_location_trail"() FROM PUBLIC;

-- A week back (what the API accepts) and three days ahead; the job keeps it so.
SELECT "ensure_location_partitions"(8, 3);

-- A person's fences, drawn by them or their caregiver. The shape is the validated API value (a circle or a
-- GeoJSON Polygon); the app evaluates it. notify: the users told on every crossing besides the person.
CREATE TABLE "geofences" (
    "id" UUID NOT NULL,
    "person_id" VARCHAR(128) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "shape" JSONB NOT NULL,
    "notify" TEXT[] NOT NULL DEFAULT '{}',
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "geofences_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "geofences_name_check" CHECK (char_length("name") >= 1)
);
CREATE INDEX "geofences_person_idx" ON "geofences" ("person_id", "created_at", "id");

-- Where the person stands for each fence, as of the last point evaluated for it (recorded_at order). A point
-- not newer than last_recorded_at changes nothing; the row is written in the ingest transaction.
CREATE TABLE "geofence_states" (
    "person_id" VARCHAR(128) NOT NULL,
    "geofence_id" UUID NOT NULL,
    "inside" BOOLEAN NOT NULL,
    "last_recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "geofence_states_pkey" PRIMARY KEY ("person_id", "geofence_id"),
    CONSTRAINT "geofence_states_fence_fkey" FOREIGN KEY ("geofence_id") REFERENCES "geofences" ("id") ON DELETE CASCADE
);
CREATE INDEX "geofence_states_fence_idx" ON "geofence_states" ("geofence_id");

CREATE TABLE "outbox" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "topic" VARCHAR(200) NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "set_aside_at" TIMESTAMPTZ(3),
    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "outbox_seq_key" ON "outbox"("seq");
CREATE INDEX "outbox_pending_idx" ON "outbox"("seq") WHERE "published_at" IS NULL;
CREATE INDEX "outbox_published_at_idx" ON "outbox"("published_at") WHERE "published_at" IS NOT NULL;

CREATE TABLE "set_aside" (
    "work" VARCHAR(100) NOT NULL,
    "item_key" VARCHAR(200) NOT NULL,
    "reason" TEXT NOT NULL,
    "detail" JSONB,
    "first_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "times" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "set_aside_pkey" PRIMARY KEY ("work", "item_key")
);

-- Positions are appended and read, never changed by the app; retention and the trail go through the
-- definer functions above.
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO location_app', current_schema());
END
$$;
GRANT SELECT, INSERT ON "positions" TO location_app;
GRANT SELECT ON "trail", "location_storage" TO location_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON "geofences", "geofence_states", "outbox", "set_aside" TO location_app;
GRANT USAGE, SELECT ON SEQUENCE "outbox_seq_seq" TO location_app;
GRANT EXECUTE ON FUNCTION "ensure_location_partitions"(INTEGER, INTEGER), "drop_expired_location_partitions"(INTEGER, INTEGER), "refresh_location_trail"() TO location_app;
