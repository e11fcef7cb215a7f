-- Tamper evidence and guarded retention for the audit trail.
--
-- 1. Every row joins a hash chain: chain_id, chain_seq, prev_hash and hash (sha256, lowercase hex, of the
--    canonical JSON of the row's content plus prev_hash; the app computes it, apps/audit/README.md has the
--    exact encoding). chain_heads holds each chain's tip; a writer takes the row lock of ONE free chain
--    (FOR UPDATE SKIP LOCKED), so concurrent writers spread over the chains instead of queueing on one.
-- 2. Retention drops whole partitions (or chunks) through a SECURITY DEFINER function the app role may
--    call, which refuses anything below a floor only the owner can change (audit_settings), and which
--    first writes a receipt per chain run it removes, so verification still links across the hole.
-- 3. On TimescaleDB the built-in retention policy is replaced by that function (a policy would drop
--    chunks without receipts and without the floor); the compression policy stays, its age set by the
--    app (COMPRESSION_DAYS) through set_audit_compression_after().

-- Rows recorded before this migration (development databases only: nothing was deployed without it)
-- cannot join a chain here, since the hash is computed by the app. They are marked as chain -1 and sealed
-- as a whole below (audit_legacy_seal), so verification still notices if any of them changes.

-- A hypertable with compression enabled refuses NOT NULL columns without a default: switch compression
-- off while the (empty) table changes shape, then back on below.
DO $$
DECLARE
  ts text;
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
    RETURN;
  END IF;
  SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
  EXECUTE format('SELECT %I.remove_retention_policy(%L::regclass, if_exists => true)', ts, 'audit_events');
  EXECUTE format('SELECT %I.remove_compression_policy(%L::regclass, if_exists => true)', ts, 'audit_events');
  EXECUTE format('SELECT count(%I.decompress_chunk(c, if_compressed => true)) FROM %I.show_chunks(%L::regclass) AS c', ts, ts, 'audit_events');
  ALTER TABLE "audit_events" SET (timescaledb.compress = false);
END
$$;

-- The defaults only mark the rows already there (a constant default rewrites nothing and fires no row
-- trigger); they are dropped at once, so every new row must bring its place in a chain.
ALTER TABLE "audit_events"
  ADD COLUMN "chain_id"  INTEGER  NOT NULL DEFAULT -1,
  ADD COLUMN "chain_seq" BIGINT   NOT NULL DEFAULT 0,
  ADD COLUMN "prev_hash" CHAR(64) NOT NULL DEFAULT repeat('0', 64),
  ADD COLUMN "hash"      CHAR(64) NOT NULL DEFAULT repeat('0', 64),
  ADD CONSTRAINT "audit_events_chain_check" CHECK (
    (("chain_id" >= 0 AND "chain_seq" >= 1) OR ("chain_id" = -1 AND "chain_seq" = 0))
    AND "prev_hash" ~ '^[0-9a-f]{64}$' AND "hash" ~ '^[0-9a-f]{64}$'
  );
ALTER TABLE "audit_events"
  ALTER COLUMN "chain_id" DROP DEFAULT,
  ALTER COLUMN "chain_seq" DROP DEFAULT,
  ALTER COLUMN "prev_hash" DROP DEFAULT,
  ALTER COLUMN "hash" DROP DEFAULT;

-- Verification walks each chain in order; retention receipts look runs up by (chain, seq).
CREATE INDEX "audit_events_chain_idx" ON "audit_events" ("chain_id", "chain_seq");
-- GET /audit/user/{userId}/activity and the actor filter.
CREATE INDEX "audit_events_actor_idx" ON "audit_events" ("actor_id", "occurred_at", "event_id");

DO $$
DECLARE
  ts text;
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
    RETURN;
  END IF;
  SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
  ALTER TABLE "audit_events" SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'entity_type',
    timescaledb.compress_orderby = 'occurred_at DESC, event_id'
  );
  -- The app's maintenance run moves this to COMPRESSION_DAYS (set_audit_compression_after).
  EXECUTE format('SELECT %I.add_compression_policy(%L::regclass, interval %L)', ts, 'audit_events', '30 days');
END
$$;

-- The tip of every chain. A writer locks one row here for the length of its insert transaction, so the
-- chain advances strictly in order; rows of other chains are free for other writers. More chains (more
-- concurrent writers) can be added by the owner at any time: INSERT INTO chain_heads (chain_id) VALUES (n).
CREATE TABLE "chain_heads" (
    "chain_id"   INTEGER        NOT NULL,
    "last_seq"   BIGINT         NOT NULL DEFAULT 0,
    "last_hash"  CHAR(64)       NOT NULL DEFAULT repeat('0', 64),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chain_heads_pkey" PRIMARY KEY ("chain_id"),
    CONSTRAINT "chain_heads_check" CHECK ("chain_id" >= 0 AND "last_seq" >= 0 AND "last_hash" ~ '^[0-9a-f]{64}$')
);
INSERT INTO "chain_heads" ("chain_id") SELECT generate_series(0, 31);

-- The app role must advance heads, so it may UPDATE them; it may not move one back (which would let the
-- next writer reuse sequence numbers) nor remove one.
CREATE FUNCTION "chain_heads_forward_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."chain_id" <> OLD."chain_id" OR NEW."last_seq" <= OLD."last_seq" THEN
    RAISE EXCEPTION 'chain heads only move forward: chain % from seq % to %', OLD."chain_id", OLD."last_seq", NEW."last_seq"
      USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "chain_heads_forward_only" BEFORE UPDATE ON "chain_heads"
  FOR EACH ROW EXECUTE FUNCTION "chain_heads_forward_only"();
CREATE TRIGGER "chain_heads_no_delete" BEFORE DELETE ON "chain_heads"
  FOR EACH ROW EXECUTE FUNCTION "reject_audit_change"();
CREATE TRIGGER "chain_heads_no_truncate" BEFORE TRUNCATE ON "chain_heads"
  FOR EACH STATEMENT EXECUTE FUNCTION "reject_audit_change"();

-- Settings only the owner may change. The retention floor is what keeps a compromised app (which may call
-- the retention function) from wiping the trail by asking for a retention of one day.
CREATE TABLE "audit_settings" (
    "singleton"          BOOLEAN        NOT NULL DEFAULT TRUE,
    "min_retention_days" INTEGER        NOT NULL DEFAULT 2555,
    "updated_at"         TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_settings_pkey" PRIMARY KEY ("singleton"),
    CONSTRAINT "audit_settings_check" CHECK ("singleton" AND "min_retention_days" >= 1)
);
INSERT INTO "audit_settings" DEFAULT VALUES;

-- What retention removed, per contiguous run of one chain: the first row's prev_hash and the last row's
-- hash, so the row after the run (and the chain head) still link to something verifiable. Append-only.
CREATE TABLE "audit_retention_receipts" (
    "chain_id"        INTEGER        NOT NULL,
    "first_seq"       BIGINT         NOT NULL,
    "last_seq"        BIGINT         NOT NULL,
    "first_prev_hash" CHAR(64)       NOT NULL,
    "last_hash"       CHAR(64)       NOT NULL,
    "row_count"       BIGINT         NOT NULL,
    "dropped_from"    TEXT           NOT NULL,
    "dropped_at"      TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_retention_receipts_pkey" PRIMARY KEY ("chain_id", "last_seq"),
    CONSTRAINT "audit_retention_receipts_check" CHECK ("first_seq" >= 1 AND "last_seq" >= "first_seq" AND "row_count" = "last_seq" - "first_seq" + 1)
);
CREATE TRIGGER "audit_retention_receipts_append_only" BEFORE UPDATE OR DELETE ON "audit_retention_receipts"
  FOR EACH ROW EXECUTE FUNCTION "reject_audit_change"();
CREATE TRIGGER "audit_retention_receipts_no_truncate" BEFORE TRUNCATE ON "audit_retention_receipts"
  FOR EACH STATEMENT EXECUTE FUNCTION "reject_audit_change"();

-- One digest over every pre-chain row (chain -1), computed by Postgres both when sealed and when verified,
-- so it only has to be deterministic on this server: epoch milliseconds instead of session-dependent
-- timestamp text, rows in key order. Adding, removing or changing any such row changes it.
CREATE FUNCTION "audit_legacy_digest"(OUT row_count BIGINT, OUT digest TEXT)
LANGUAGE sql STABLE AS $$
  SELECT count(*),
         encode(sha256(convert_to(coalesce(string_agg(jsonb_build_array(
           "event_id", (extract(epoch FROM "occurred_at") * 1000)::bigint, (extract(epoch FROM "recorded_at") * 1000)::bigint,
           "source_app", "event_type", "action", "entity_type", "entity_id", "actor_id", "actor_kind",
           "before", "after", "changed_fields", "metadata", "trace_id"
         )::text, E'\n' ORDER BY "occurred_at", "event_id"), ''), 'UTF8')), 'hex')
  FROM "audit_events" WHERE "chain_id" = -1
$$;

CREATE TABLE "audit_legacy_seal" (
    "singleton" BOOLEAN        NOT NULL DEFAULT TRUE,
    "row_count" BIGINT         NOT NULL,
    "digest"    CHAR(64)       NOT NULL,
    "sealed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_legacy_seal_pkey" PRIMARY KEY ("singleton"),
    CONSTRAINT "audit_legacy_seal_check" CHECK ("singleton")
);
INSERT INTO "audit_legacy_seal" ("row_count", "digest") SELECT row_count, digest FROM "audit_legacy_digest"();

-- Receipts for the rows of audit_events with occurred_at in [lo, hi), i.e. one partition or chunk about to
-- be dropped. Runs are found by the gaps-and-islands trick: within a run, chain_seq - row_number is constant.
-- A duplicated sequence number (tampering) breaks the receipt key and so stops retention loudly.
CREATE FUNCTION "write_audit_retention_receipts"(lo TIMESTAMPTZ, hi TIMESTAMPTZ, source_name TEXT) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  written integer;
BEGIN
  WITH "numbered" AS (
    SELECT "chain_id", "chain_seq",
           "chain_seq" - row_number() OVER (PARTITION BY "chain_id" ORDER BY "chain_seq") AS "run"
    FROM "audit_events" WHERE "occurred_at" >= lo AND "occurred_at" < hi AND "chain_id" >= 0
  ), "runs" AS (
    SELECT "chain_id", min("chain_seq") AS "first_seq", max("chain_seq") AS "last_seq", count(*) AS "row_count"
    FROM "numbered" GROUP BY "chain_id", "run"
  )
  INSERT INTO "audit_retention_receipts" ("chain_id", "first_seq", "last_seq", "first_prev_hash", "last_hash", "row_count", "dropped_from")
  SELECT r."chain_id", r."first_seq", r."last_seq", f."prev_hash", l."hash", r."row_count", source_name
  FROM "runs" r
  JOIN "audit_events" f ON f."chain_id" = r."chain_id" AND f."chain_seq" = r."first_seq" AND f."occurred_at" >= lo AND f."occurred_at" < hi
  JOIN "audit_events" l ON l."chain_id" = r."chain_id" AND l."chain_seq" = r."last_seq" AND l."occurred_at" >= lo AND l."occurred_at" < hi;
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$$;

-- Drops the monthly partitions (or TimescaleDB chunks) whose whole range ended more than retention_days
-- ago, never below the floor in audit_settings, writing receipts first. Rows in the default partition are
-- kept: they are the exceptions worth a look. Returns how many partitions or chunks were dropped.
CREATE OR REPLACE FUNCTION "drop_expired_audit_partitions"(retention_days INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  floor_days integer;
  cutoff timestamptz;
  ts text;
  part record;
  lo timestamptz;
  hi timestamptz;
  legacy record;
  dropped integer := 0;
BEGIN
  SELECT "min_retention_days" INTO floor_days FROM "audit_settings";
  floor_days := coalesce(floor_days, 2555);
  IF retention_days IS NULL OR retention_days < floor_days THEN
    RAISE EXCEPTION 'refusing a retention of % days: the floor is % days', coalesce(retention_days::text, 'NULL'), floor_days
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'The floor is audit_settings.min_retention_days; only the schema owner can lower it.';
  END IF;
  -- The same lock as ensure_audit_partitions: partition DDL from replicas runs one at a time.
  PERFORM pg_advisory_xact_lock(hashtext('ensure_audit_partitions:' || current_schema()));
  cutoff := now() - make_interval(days => retention_days);
  -- Pre-chain rows are resealed after a drop; never over rows that changed since the last seal.
  SELECT s."row_count", s."digest" INTO legacy FROM "audit_legacy_seal" s;
  IF legacy.row_count > 0 AND (SELECT d.digest FROM "audit_legacy_digest"() d) IS DISTINCT FROM legacy.digest THEN
    RAISE EXCEPTION 'refusing retention: the pre-chain audit rows changed since they were sealed'
      USING ERRCODE = 'restrict_violation', HINT = 'GET /audit/verify reports it as legacy-rows-changed; investigate before dropping anything.';
  END IF;

  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) <> 'p' THEN
    SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
    FOR part IN
      SELECT c."chunk_schema", c."chunk_name", c."range_start", c."range_end"
      FROM "timescaledb_information"."chunks" c
      WHERE c."hypertable_schema" = current_schema() AND c."hypertable_name" = 'audit_events' AND c."range_end" <= cutoff
      ORDER BY c."range_start"
    LOOP
      -- No insert may land in the chunk between its receipts and its drop.
      EXECUTE format('LOCK TABLE %I.%I IN ACCESS EXCLUSIVE MODE', part."chunk_schema", part."chunk_name");
      PERFORM "write_audit_retention_receipts"(part."range_start", part."range_end", format('%I.%I', part."chunk_schema", part."chunk_name"));
      EXECUTE format('SELECT count(*) FROM %I.drop_chunks(%L::regclass, older_than => $1, newer_than => $2)', ts, 'audit_events')
        USING part."range_end", part."range_start";
      dropped := dropped + 1;
    END LOOP;
    IF dropped > 0 AND legacy.row_count > 0 THEN
      UPDATE "audit_legacy_seal" SET ("row_count", "digest", "sealed_at") = (SELECT d.row_count, d.digest, now() FROM "audit_legacy_digest"() d);
    END IF;
    RETURN dropped;
  END IF;

  FOR part IN
    SELECT c.relname
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'audit_events'::regclass AND c.relname ~ '^audit_events_p[0-9]{6}$'
    ORDER BY c.relname
  LOOP
    lo := to_date(substr(part.relname, 15), 'YYYYMM')::timestamp AT TIME ZONE 'UTC';
    hi := (to_date(substr(part.relname, 15), 'YYYYMM') + interval '1 month') AT TIME ZONE 'UTC';
    IF hi <= cutoff THEN
      EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', part.relname);
      PERFORM "write_audit_retention_receipts"(lo, hi, part.relname);
      EXECUTE format('DROP TABLE %I', part.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  IF dropped > 0 AND legacy.row_count > 0 THEN
    UPDATE "audit_legacy_seal" SET ("row_count", "digest", "sealed_at") = (SELECT d.row_count, d.digest, now() FROM "audit_legacy_digest"() d);
  END IF;
  RETURN dropped;
END
$$;

-- TimescaleDB only: compress chunks older than compress_after_days (the app passes COMPRESSION_DAYS on
-- every maintenance run; the policy is replaced only when the age changed). False on plain Postgres.
CREATE FUNCTION "set_audit_compression_after"(compress_after_days INTEGER) RETURNS BOOLEAN
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ts text;
  current_after interval;
BEGIN
  IF compress_after_days IS NULL OR compress_after_days < 1 OR compress_after_days > 3650 THEN
    RAISE EXCEPTION 'compress_after_days must be between 1 and 3650, got %', compress_after_days USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
    RETURN false;
  END IF;
  SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
  SELECT (j."config" ->> 'compress_after')::interval INTO current_after
  FROM "timescaledb_information"."jobs" j
  WHERE j."proc_name" = 'policy_compression' AND j."hypertable_schema" = current_schema() AND j."hypertable_name" = 'audit_events';
  IF current_after IS NOT DISTINCT FROM make_interval(days => compress_after_days) THEN
    RETURN false;
  END IF;
  EXECUTE format('SELECT %I.remove_compression_policy(%L::regclass, if_exists => true)', ts, 'audit_events');
  EXECUTE format('SELECT %I.add_compression_policy(%L::regclass, $1)', ts, 'audit_events') USING make_interval(days => compress_after_days);
  RETURN true;
END
$$;

DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION "drop_expired_audit_partitions"(INTEGER) SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "write_audit_retention_receipts"(TIMESTAMPTZ, TIMESTAMPTZ, TEXT) SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "set_audit_compression_after"(INTEGER) SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "audit_legacy_digest"() SET search_path = %I, pg_catalog, pg_temp', current_schema());
END
$$;
REVOKE ALL ON FUNCTION "drop_expired_audit_partitions"(INTEGER) FROM PUBLIC;
REVOKE ALL ON FUNCTION "write_audit_retention_receipts"(TIMESTAMPTZ, TIMESTAMPTZ, TEXT) FROM PUBLIC;
REVOKE ALL ON FUNCTION "set_audit_compression_after"(INTEGER) FROM PUBLIC;
REVOKE ALL ON FUNCTION "audit_legacy_digest"() FROM PUBLIC;

-- The app appends rows, advances chain heads and runs maintenance through the definer functions; it reads
-- the settings and receipts (verification needs them) and can change neither.
DO $$
BEGIN
  EXECUTE format('GRANT SELECT, UPDATE ON TABLE %I.chain_heads TO audit_app', current_schema());
  EXECUTE format('GRANT SELECT ON TABLE %I.audit_settings, %I.audit_retention_receipts, %I.audit_legacy_seal TO audit_app', current_schema(), current_schema(), current_schema());
  EXECUTE format('GRANT EXECUTE ON FUNCTION %I.audit_legacy_digest() TO audit_app', current_schema());
  EXECUTE format('GRANT EXECUTE ON FUNCTION %I.drop_expired_audit_partitions(INTEGER) TO audit_app', current_schema());
  EXECUTE format('GRANT EXECUTE ON FUNCTION %I.set_audit_compression_after(INTEGER) TO audit_app', current_schema());
END
$$;
