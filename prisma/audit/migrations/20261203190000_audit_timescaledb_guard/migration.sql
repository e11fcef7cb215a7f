-- The append-only guard on a TimescaleDB hypertable. TimescaleDB does not protect what it creates: a chunk,
-- and a compressed chunk, is an ordinary table to its owner. It clones the hypertable's row triggers onto
-- its chunks, but neither statement triggers nor onto compressed chunks, so until here the owner could
-- TRUNCATE audit_events or any one chunk, and UPDATE or DELETE a compressed chunk's rows directly. Now:
--  - the hypertable refuses TRUNCATE itself (TimescaleDB fires its statement trigger before emptying chunks);
--  - every chunk gets the TRUNCATE trigger, every compressed chunk that and the row trigger, by
--    guard_audit_chunks(): the inserting statement that created a chunk runs it (AFTER INSERT, once per
--    statement), and so does every maintenance run (the compression policy makes compressed chunks
--    outside any insert). Compression, decompression and retention's drop_chunks do not go through TRUNCATE
--    or row deletes, so they still work. What a gap could let through (a chunk removed before it was
--    guarded), verify reports: the chain misses its rows.
-- On native partitions nothing changes (each partition gets its TRUNCATE trigger when it is made).
--
-- Compression is the one place a chunk changes outside an insert: TRUNCATE of a compressed chunk's parent goes
-- to its compressed chunk (TimescaleDB skips the parent's own trigger), and a fresh compressed chunk has no
-- trigger. So the built-in compression policy is replaced by a job of ours, compress_audit_chunks, which
-- compresses and guards in one transaction: no compressed chunk is ever visible unguarded. Its age is still
-- COMPRESSION_DAYS (set_audit_compression_after); tests run it with CALL run_job(id), like a policy.

-- Guards the chunks that are not guarded yet and returns how many it guarded. Creating a trigger must wait
-- for the chunk's other writers; rather than stall an insert (or deadlock two of them), a chunk that is busy
-- right now is left for the next statement or maintenance run.
CREATE FUNCTION "guard_audit_chunks"() RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  chunk record;
  guarded integer := 0;
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
    RETURN 0;
  END IF;
  FOR chunk IN
    SELECT c.oid::regclass AS rel, ch.hypertable_id = h.compressed_hypertable_id AS compressed
    FROM "_timescaledb_catalog"."hypertable" h
    JOIN "_timescaledb_catalog"."chunk" ch ON ch.hypertable_id IN (h.id, h.compressed_hypertable_id)
    JOIN pg_namespace n ON n.nspname = ch.schema_name
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = ch.table_name
    WHERE h.schema_name = current_schema() AND h.table_name = 'audit_events'
      AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'audit_events_no_truncate')
  LOOP
    BEGIN
      EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE NOWAIT', chunk.rel);
      EXECUTE format('CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION "reject_audit_change"()', chunk.rel);
      IF chunk.compressed THEN
        EXECUTE format('CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION "reject_audit_change"()', chunk.rel);
      END IF;
      guarded := guarded + 1;
    EXCEPTION WHEN lock_not_available THEN
      NULL; -- busy: the next statement or maintenance run guards it
    END;
  END LOOP;
  RETURN guarded;
END
$$;

CREATE FUNCTION "audit_events_guard_new_chunks"() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  PERFORM "guard_audit_chunks"();
  RETURN NULL;
END
$$;

DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION "guard_audit_chunks"() SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "audit_events_guard_new_chunks"() SET search_path = %I, pg_catalog, pg_temp', current_schema());
  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
    RETURN;
  END IF;
  CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_audit_change"();
  CREATE TRIGGER "audit_events_guard_new_chunks" AFTER INSERT ON "audit_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_guard_new_chunks"();
  PERFORM "guard_audit_chunks"();
END
$$;
-- The compression job: chunks whose whole range is older than config.compress_after are compressed, then
-- guarded, in the job's one transaction.
CREATE PROCEDURE "compress_audit_chunks"(job_id INTEGER, config JSONB)
LANGUAGE plpgsql AS $$
DECLARE
  ts text;
  compress_after CONSTANT interval := (config ->> 'compress_after')::interval;
  chunk regclass;
BEGIN
  IF compress_after IS NULL THEN
    RAISE EXCEPTION 'compress_audit_chunks: config needs compress_after, got %', config USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
  FOR chunk IN EXECUTE format('SELECT c FROM %I.show_chunks(%L::regclass, older_than => $1) c', ts, 'audit_events') USING compress_after LOOP
    EXECUTE format('SELECT %I.compress_chunk($1, if_not_compressed => true)', ts) USING chunk;
  END LOOP;
  PERFORM "guard_audit_chunks"();
END
$$;

-- The app passes COMPRESSION_DAYS on every maintenance run; the job changes only when the age did.
CREATE OR REPLACE FUNCTION "set_audit_compression_after"(compress_after_days INTEGER) RETURNS BOOLEAN
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  ts text;
  job record;
BEGIN
  IF compress_after_days IS NULL OR compress_after_days < 1 OR compress_after_days > 3650 THEN
    RAISE EXCEPTION 'compress_after_days must be between 1 and 3650, got %', compress_after_days USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
    RETURN false;
  END IF;
  SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
  SELECT j."job_id", j."config" INTO job FROM "timescaledb_information"."jobs" j
  WHERE j."proc_schema" = current_schema() AND j."proc_name" = 'compress_audit_chunks';
  IF (job."config" ->> 'compress_after')::interval IS NOT DISTINCT FROM make_interval(days => compress_after_days) THEN
    RETURN false;
  END IF;
  EXECUTE format('SELECT %I.alter_job($1, config => $2)', ts)
    USING job."job_id", jsonb_build_object('compress_after', make_interval(days => compress_after_days)::text);
  RETURN true;
END
$$;

DO $$
DECLARE
  ts text;
  compress_after interval;
BEGIN
  EXECUTE format('ALTER PROCEDURE "compress_audit_chunks"(INTEGER, JSONB) SET search_path = %I, pg_catalog, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION "set_audit_compression_after"(INTEGER) SET search_path = %I, pg_catalog, pg_temp', current_schema());
  IF (SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass) = 'p' THEN
    RETURN;
  END IF;
  SELECT n.nspname INTO ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb';
  SELECT (j."config" ->> 'compress_after')::interval INTO compress_after FROM "timescaledb_information"."jobs" j
  WHERE j."proc_name" = 'policy_compression' AND j."hypertable_schema" = current_schema() AND j."hypertable_name" = 'audit_events';
  EXECUTE format('SELECT %I.remove_compression_policy(%L::regclass, if_exists => true)', ts, 'audit_events');
  EXECUTE format('SELECT %I.add_job(%L::regproc, interval %L, config => $1)', ts, format('%I.compress_audit_chunks', current_schema()), '1 hour')
    USING jsonb_build_object('compress_after', coalesce(compress_after, interval '30 days')::text);
END
$$;
REVOKE ALL ON PROCEDURE "compress_audit_chunks"(INTEGER, JSONB) FROM PUBLIC;
REVOKE ALL ON FUNCTION "guard_audit_chunks"() FROM PUBLIC;
REVOKE ALL ON FUNCTION "audit_events_guard_new_chunks"() FROM PUBLIC;

-- Maintenance (the app role) guards what the compression policy made since the last run.
DO $$
BEGIN
  EXECUTE format('GRANT EXECUTE ON FUNCTION %I.guard_audit_chunks() TO audit_app', current_schema());
END
$$;
