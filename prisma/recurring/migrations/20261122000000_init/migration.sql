-- The recurring app's tables. Unqualified names on purpose: the runner sets search_path to the target schema
-- (recurring, or a test schema).

-- A series is the template of its instances; the rule, the template fields and the generation cursor live here.
CREATE TABLE "series" (
    "id" UUID NOT NULL,
    "owner_id" VARCHAR(128) NOT NULL,
    -- The task that carried the recurrence; NULL for a series made with POST /series.
    "source_task_id" UUID,
    -- The source task's version the series last followed: an older task event that arrives late is ignored.
    "source_task_version" INTEGER,
    "title" VARCHAR(200) NOT NULL,
    "notes" VARCHAR(5000),
    "priority" VARCHAR(16) NOT NULL DEFAULT 'normal',
    "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "recurrence" VARCHAR(2000) NOT NULL,
    "timezone" VARCHAR(64) NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "remind_before_minutes" INTEGER,
    "status" VARCHAR(16) NOT NULL DEFAULT 'active',
    "end_reason" VARCHAR(32),
    "ended_at" TIMESTAMPTZ(3),
    -- Bumped when the template changes; part of every instance's idempotency key, so a replacement is a new task.
    "revision" INTEGER NOT NULL DEFAULT 1,
    -- Every occurrence before this instant has its instance row: the next generation starts here.
    "generated_until" TIMESTAMPTZ(3) NOT NULL,
    -- When a horizon-cron tick last claimed the series; replicas and overlapping ticks skip recent claims.
    "refilled_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by" VARCHAR(128) NOT NULL,

    CONSTRAINT "series_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "series_priority_check" CHECK ("priority" IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT "series_status_check" CHECK ("status" IN ('active', 'ended')),
    CONSTRAINT "series_end_reason_check" CHECK ("end_reason" IN ('rule-exhausted', 'recurrence-removed', 'task-deleted', 'series-deleted')),
    CONSTRAINT "series_ended_check" CHECK (("status" = 'ended') = ("ended_at" IS NOT NULL AND "end_reason" IS NOT NULL)),
    CONSTRAINT "series_remind_check" CHECK ("remind_before_minutes" BETWEEN 0 AND 10080),
    CONSTRAINT "series_revision_check" CHECK ("revision" >= 1),
    CONSTRAINT "series_version_check" CHECK ("version" >= 1)
);

-- One series per source task: a redelivered or raced task.created cannot make a second one.
CREATE UNIQUE INDEX "series_source_task_id_key" ON "series" ("source_task_id");
CREATE INDEX "series_owner_id_created_at_idx" ON "series" ("owner_id", "created_at");
-- The horizon cron walks active series by their last claim.
CREATE INDEX "series_refill_idx" ON "series" ("refilled_at" NULLS FIRST, "id") WHERE "status" = 'active';

-- One row per occurrence that has (or is getting) a task. The row is written BEFORE the task is created in the
-- tasks app: its id is the Idempotency-Key of that call, so a retry, a redelivery or a racing replica replays
-- the same creation instead of making a second task.
CREATE TABLE "instances" (
    -- uuid v5 of (series, revision, due instant): the Idempotency-Key sent to the tasks app.
    "id" UUID NOT NULL,
    "series_id" UUID NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "revision" INTEGER NOT NULL,
    -- 'generated' by this app, or the 'source' task itself (never cancelled by the series).
    "origin" VARCHAR(16) NOT NULL,
    -- pending: claimed, task not confirmed yet; open: task exists, untouched; done: completed;
    -- detached: the user changed or deleted the task, so the series leaves it alone;
    -- superseded: replaced by a newer revision or ended, its task still to be cancelled;
    -- cancelled: its task was cancelled (or was gone); released: superseded but the user had changed it.
    "state" VARCHAR(16) NOT NULL,
    "task_id" UUID,
    -- The version this app last saw; a cancel is sent with If-Match on it, so a task changed meanwhile is kept.
    "task_version" INTEGER,
    -- The exact POST /tasks body: a retry must repeat it byte for byte or the tasks app refuses the key.
    "request" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "instances_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "instances_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "series" ("id") ON DELETE CASCADE,
    CONSTRAINT "instances_origin_check" CHECK ("origin" IN ('generated', 'source')),
    CONSTRAINT "instances_state_check" CHECK ("state" IN ('pending', 'open', 'done', 'detached', 'superseded', 'cancelled', 'released')),
    -- Only a row whose creation is unconfirmed (or was refused before it was replaced) lacks a task.
    CONSTRAINT "instances_task_check" CHECK ("state" IN ('pending', 'superseded', 'cancelled') OR "task_id" IS NOT NULL),
    CONSTRAINT "instances_request_check" CHECK (("origin" = 'generated') = ("request" IS NOT NULL))
);

-- At most one live instance per (series, due time). Replaced rows leave the slot, so the newer revision can
-- take the same instant; done and user-changed instances keep it, so that occurrence is never made twice.
CREATE UNIQUE INDEX "instances_live_slot_key" ON "instances" ("series_id", "due_at")
    WHERE "state" IN ('pending', 'open', 'done', 'detached');
-- Task events find their instance by task id.
CREATE UNIQUE INDEX "instances_task_id_key" ON "instances" ("task_id");
-- Generation reads a series' pending and superseded rows; PATCH/DELETE supersede its open future rows.
CREATE INDEX "instances_series_id_state_due_at_idx" ON "instances" ("series_id", "state", "due_at");

-- Inbox: one row per consumed event and handler (@lifeline/db runOnce), so a redelivery changes nothing twice.
CREATE TABLE "processed_events" (
    "consumer" VARCHAR(200) NOT NULL,
    "event_id" VARCHAR(200) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id")
);

-- Transactional outbox (@lifeline/db OUTBOX_SQL): series events commit with the change they announce.
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

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "outbox_seq_key" ON "outbox"("seq");

-- The relay's poll reads only pending rows, so it stays cheap however many published rows are retained.
CREATE INDEX "outbox_pending_idx" ON "outbox"("seq") WHERE "published_at" IS NULL;

-- Retention cleanup deletes published rows by age.
CREATE INDEX "outbox_published_at_idx" ON "outbox"("published_at") WHERE "published_at" IS NOT NULL;

-- The app connects as recurring_app (created by the migrate CLI before any migration runs) and gets only row access.
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO recurring_app', current_schema());
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON "series", "instances", "processed_events", "outbox" TO recurring_app;
GRANT USAGE, SELECT ON SEQUENCE "outbox_seq_seq" TO recurring_app;
