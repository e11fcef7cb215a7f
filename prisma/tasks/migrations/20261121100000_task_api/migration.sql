-- The task API: reminders, list indexes, idempotency keys. Unqualified names: the runner sets search_path.

-- The remindAt value whose reminder.due is already in the outbox. A reminder is due while it differs from
-- remind_at, so a changed remindAt re-arms the task and the same (task, remindAt) is never sent twice.
ALTER TABLE "tasks" ADD COLUMN "reminded_for" TIMESTAMPTZ(3);

-- The reminder tick reads only armed reminders: cheap however many tasks were reminded or closed.
-- The tick's WHERE repeats this predicate word for word so the planner can use the index.
CREATE INDEX "tasks_reminder_due_idx" ON "tasks" ("remind_at")
    WHERE "status" = 'open' AND "remind_at" IS NOT NULL AND "reminded_for" IS DISTINCT FROM "remind_at";

-- Keyset pages: owner filter, then the sort key, then id as the tie-breaker.
DROP INDEX "tasks_owner_id_due_at_idx";
CREATE INDEX "tasks_owner_id_due_at_id_idx" ON "tasks" ("owner_id", "due_at", "id");
CREATE INDEX "tasks_owner_id_created_at_id_idx" ON "tasks" ("owner_id", "created_at", "id");

-- ?tag= uses array containment (tags @> ARRAY[tag]).
CREATE INDEX "tasks_tags_idx" ON "tasks" USING GIN ("tags");

-- ?q= is title ILIKE '%text%'; a trigram index serves that where the pg_trgm extension exists (contrib).
-- The extension is database-wide, so it goes to public (never a per-app or per-test schema that may be
-- dropped); parallel migrations may race to create it, which is harmless.
DO $$
DECLARE
    trgm_schema text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
       AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
        EXCEPTION WHEN unique_violation OR duplicate_object THEN
            NULL;
        END;
    END IF;
    SELECT extnamespace::regnamespace::text INTO trgm_schema FROM pg_extension WHERE extname = 'pg_trgm';
    IF trgm_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX "tasks_title_trgm_idx" ON "tasks" USING GIN ("title" %s.gin_trgm_ops)', trgm_schema);
    ELSE
        RAISE NOTICE 'pg_trgm is not available: title search (?q=) works without an index';
    END IF;
END
$$;

-- Idempotency-Key on POST /tasks: one row per (caller, key), written in the same transaction as the task it
-- created, so a replay finds either nothing (the first attempt rolled back) or the complete answer.
CREATE TABLE "idempotency_keys" (
    "caller_id" VARCHAR(128) NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    -- SHA-256 of the canonical JSON request: the same key with another body is refused, never replayed.
    "request_hash" CHAR(64) NOT NULL,
    "task_id" UUID NOT NULL,
    -- The task as the first response carried it: replays answer with exactly that, even after later edits.
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("caller_id", "key"),
    CONSTRAINT "idempotency_keys_key_check" CHECK (char_length("key") >= 1)
);

-- Housekeeping deletes expired keys by age.
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" ("expires_at");

GRANT SELECT, INSERT, UPDATE, DELETE ON "idempotency_keys" TO tasks_app;
