-- The audit trail: an append-only record of every domain event, plus the poison messages that reached a
-- dead-letter topic. Names are unqualified and grants use current_schema(): the runner sets search_path to
-- the target schema, so the same file serves "audit" in production and a throwaway schema in tests.

-- The app logs in as audit_app; scripts/migrate.ts creates it before any migration runs.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'audit_app') THEN
    RAISE EXCEPTION 'role "audit_app" does not exist'
      USING HINT = 'Create the LOGIN role audit_app before migrating the audit schema (scripts/migrate.ts does).';
  END IF;
END
$$;

-- Defence in depth behind the grants below: even the owner cannot rewrite history by accident.
-- Retention drops whole partitions (or chunks), which fires no row trigger.
CREATE FUNCTION "reject_audit_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation', HINT = 'Expired data leaves by dropping whole partitions.';
END
$$;

-- Storage engine. On a hypertable (and on a natively partitioned table) every unique key must contain the
-- time column, so the idempotency key is (event_id, occurred_at), not event_id alone.
-- occurred_at keeps milliseconds only: JS Dates carry no more, and the keyset cursor must round-trip exactly.
DO $$
DECLARE
  columns CONSTANT text := $cols$(
    "event_id"       UUID           NOT NULL,
    "occurred_at"    TIMESTAMPTZ(3) NOT NULL,
    "recorded_at"    TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source_app"     VARCHAR(63)    NOT NULL,
    "event_type"     VARCHAR(100)   NOT NULL,
    "action"         VARCHAR(100)   NOT NULL,
    "entity_type"    VARCHAR(63)    NOT NULL,
    "entity_id"      VARCHAR(200)   NOT NULL,
    "actor_id"       VARCHAR(128)   NOT NULL,
    "actor_kind"     VARCHAR(16)    NOT NULL,
    "before"         JSONB,
    "after"          JSONB,
    "changed_fields" TEXT[]         NOT NULL DEFAULT '{}',
    "metadata"       JSONB          NOT NULL DEFAULT '{}',
    "trace_id"       VARCHAR(32),

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("event_id", "occurred_at")
  )$cols$;
  ts text;
  -- The per-database switch (the location migration reads the same one): ALTER DATABASE ... SET
  -- lifeline.storage = 'native' takes the native path even where TimescaleDB is preloaded, so one cluster
  -- serves both paths; 'timescaledb' insists on it; unset (or 'auto') takes it where it loads.
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
  -- Listed is not enough: the extension only loads when preloaded, and a failed CREATE EXTENSION would
  -- leave the schema unmigrated where plain partitioning works fine.
  IF loadable AND wanted <> 'native' THEN
    -- One install per database, shared with other apps (location): put it in public, not in this schema.
    CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public;
    SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';

    EXECUTE 'CREATE TABLE "audit_events" ' || columns;
    EXECUTE format(
      'SELECT %I.create_hypertable(%L::regclass, %L::name, chunk_time_interval => interval %L, create_default_indexes => false)',
      ts, 'audit_events', 'occurred_at', '7 days');
    -- Unique-key columns must be segment-by or order-by columns of a compressed hypertable.
    EXECUTE $sql$ALTER TABLE "audit_events" SET (
      timescaledb.compress,
      timescaledb.compress_segmentby = 'entity_type',
      timescaledb.compress_orderby = 'occurred_at DESC, event_id'
    )$sql$;
    EXECUTE format('SELECT %I.add_compression_policy(%L::regclass, interval %L)', ts, 'audit_events', '30 days');
    EXECUTE format('SELECT %I.add_retention_policy(%L::regclass, interval %L)', ts, 'audit_events', '2555 days');
    RAISE NOTICE 'audit_events: TimescaleDB hypertable (7-day chunks, compression after 30 days, retention 2555 days)';
  ELSE
    EXECUTE 'CREATE TABLE "audit_events" ' || columns || ' PARTITION BY RANGE ("occurred_at")';
    -- Statement-level TRUNCATE triggers are not cloned onto partitions: each partition gets its own
    -- (see ensure_audit_partitions). The hypertable and its chunks get theirs in 20261203190000.
    CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "reject_audit_change"();
    -- Catches whatever falls outside the monthly partitions (late, far-past or far-future events): never lost.
    CREATE TABLE "audit_events_default" PARTITION OF "audit_events" DEFAULT;
    CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events_default"
      FOR EACH STATEMENT EXECUTE FUNCTION "reject_audit_change"();
    RAISE NOTICE 'audit_events: native monthly range partitions (%)', CASE WHEN loadable THEN 'lifeline.storage = native' ELSE 'TimescaleDB not available' END;
  END IF;
END
$$;

-- Row triggers are cloned onto every partition (and chunk).
CREATE TRIGGER "audit_events_append_only"
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "reject_audit_change"();

-- GET /audit: one entity's history, oldest first, keyset-paged on (occurred_at, event_id).
CREATE INDEX "audit_events_entity_idx" ON "audit_events" ("entity_type", "entity_id", "occurred_at", "event_id");
-- The same listing without an entity filter.
CREATE INDEX "audit_events_occurred_idx" ON "audit_events" ("occurred_at", "event_id");

-- Creates the monthly partitions for the current month and months_ahead more (UTC months). Where the
-- default partition already holds rows of a month being created (the app ran past the created range),
-- Postgres refuses the new partition; those rows are re-homed instead of failing the maintenance run.
-- On a hypertable there is nothing to do: TimescaleDB creates chunks as rows arrive.
CREATE FUNCTION "ensure_audit_partitions"(months_ahead INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  first_month CONSTANT timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
  lo timestamptz;
  hi timestamptz;
  part text;
  created integer := 0;
  stray boolean;
BEGIN
  IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 36 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 36, got %', months_ahead USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) <> 'p' THEN
    RETURN 0;
  END IF;
  -- Every replica ensures at start: one at a time, so they do not race to create the same partition.
  PERFORM pg_advisory_xact_lock(hashtext('ensure_audit_partitions:' || current_schema()));

  FOR i IN 0..months_ahead LOOP
    lo := (first_month + make_interval(months => i)) AT TIME ZONE 'UTC';
    hi := (first_month + make_interval(months => i + 1)) AT TIME ZONE 'UTC';
    part := 'audit_events_p' || to_char(first_month + make_interval(months => i), 'YYYYMM');
    CONTINUE WHEN to_regclass(format('%I', part)) IS NOT NULL;

    EXECUTE 'SELECT EXISTS (SELECT 1 FROM "audit_events_default" WHERE "occurred_at" >= $1 AND "occurred_at" < $2)'
      INTO stray USING lo, hi;
    IF stray THEN
      -- Swap in an empty default, then route every stray row through the parent again (INSERT only,
      -- so the append-only trigger stays untouched). All of it commits or none of it does.
      ALTER TABLE "audit_events" DETACH PARTITION "audit_events_default";
      ALTER TABLE "audit_events_default" RENAME TO "audit_events_default_rehoming";
      EXECUTE format('CREATE TABLE %I PARTITION OF "audit_events" FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
      CREATE TABLE "audit_events_default" PARTITION OF "audit_events" DEFAULT;
      CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events_default"
        FOR EACH STATEMENT EXECUTE FUNCTION "reject_audit_change"();
      INSERT INTO "audit_events" SELECT * FROM "audit_events_default_rehoming";
      DROP TABLE "audit_events_default_rehoming";
    ELSE
      EXECUTE format('CREATE TABLE %I PARTITION OF "audit_events" FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    END IF;
    EXECUTE format('CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "reject_audit_change"()', part);
    created := created + 1;
  END LOOP;
  RETURN created;
END
$$;

-- Drops the monthly partitions whose whole month ended more than retention_days ago (the hypertable's
-- equivalent is drop_chunks). Rows in the default partition are kept: they are the exceptions worth a look.
CREATE FUNCTION "drop_expired_audit_partitions"(retention_days INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  cutoff timestamptz;
  ts text;
  part record;
  dropped integer := 0;
BEGIN
  IF retention_days IS NULL OR retention_days < 1 THEN
    RAISE EXCEPTION 'retention_days must be at least 1, got %', retention_days USING ERRCODE = 'invalid_parameter_value';
  END IF;
  cutoff := now() - make_interval(days => retention_days);

  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) <> 'p' THEN
    SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
    EXECUTE format('SELECT count(*)::integer FROM %I.drop_chunks(%L::regclass, older_than => $1)', ts, 'audit_events')
      INTO dropped USING cutoff;
    RETURN dropped;
  END IF;

  FOR part IN
    SELECT c.relname
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'audit_events'::regclass AND c.relname ~ '^audit_events_p[0-9]{6}$'
  LOOP
    IF ((to_date(substr(part.relname, 15), 'YYYYMM') + interval '1 month') AT TIME ZONE 'UTC') <= cutoff THEN
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  RETURN dropped;
END
$$;

-- SECURITY DEFINER functions run with their owner's rights: pin every name they resolve to this schema
-- (pg_temp last, so a caller's temporary table cannot stand in for ours) and nobody calls them by default.
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION "ensure_audit_partitions"(INTEGER) SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "drop_expired_audit_partitions"(INTEGER) SET search_path = %I, pg_catalog, pg_temp', current_schema());
END
$$;
REVOKE ALL ON FUNCTION "ensure_audit_partitions"(INTEGER) FROM PUBLIC;
REVOKE ALL ON FUNCTION "drop_expired_audit_partitions"(INTEGER) FROM PUBLIC;

SELECT "ensure_audit_partitions"(3);

-- Poison messages as they reached a dead-letter topic. The key is the dead-letter topic plus the
-- CloudEvent id (the sidecar forwards the original envelope), so a redelivery is recorded once.
CREATE TABLE "dead_letters" (
    "id"                UUID           NOT NULL DEFAULT gen_random_uuid(),
    "topic"             VARCHAR(200)   NOT NULL,
    "dead_letter_topic" VARCHAR(200)   NOT NULL,
    "received_at"       TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cloud_event_id"    VARCHAR(200)   NOT NULL,
    "cloud_event_type"  VARCHAR(200),
    "cloud_event_source" VARCHAR(200),
    "payload"           JSONB,
    "reason"            TEXT,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "dead_letters_delivery_key" UNIQUE ("dead_letter_topic", "cloud_event_id")
);
CREATE INDEX "dead_letters_received_idx" ON "dead_letters" ("received_at", "id");
CREATE INDEX "dead_letters_topic_received_idx" ON "dead_letters" ("topic", "received_at", "id");

-- The app only ever appends and reads; maintenance (partitions ahead) goes through the definer function.
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO audit_app', current_schema());
  EXECUTE format('GRANT SELECT, INSERT ON TABLE %I.audit_events, %I.dead_letters TO audit_app', current_schema(), current_schema());
  EXECUTE format('GRANT EXECUTE ON FUNCTION %I.ensure_audit_partitions(INTEGER) TO audit_app', current_schema());
END
$$;
