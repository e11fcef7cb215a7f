-- Unqualified names on purpose: the runner sets search_path to the target schema (tasks, or a test schema).

-- CreateTable
CREATE TABLE "tasks" (
    "id" UUID NOT NULL,
    "owner_id" VARCHAR(128) NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "notes" VARCHAR(5000),
    "priority" VARCHAR(16) NOT NULL DEFAULT 'normal',
    "tags" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "due_at" TIMESTAMPTZ(3),
    "remind_at" TIMESTAMPTZ(3),
    "timezone" VARCHAR(64) NOT NULL DEFAULT 'UTC',
    "status" VARCHAR(16) NOT NULL DEFAULT 'open',
    "completed_at" TIMESTAMPTZ(3),
    "recurrence" VARCHAR(2000),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by" VARCHAR(128) NOT NULL,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id"),
    -- The API validates these too; the constraints keep a buggy or hand-written write from storing what no reader expects.
    CONSTRAINT "tasks_priority_check" CHECK ("priority" IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT "tasks_status_check" CHECK ("status" IN ('open', 'done', 'cancelled')),
    CONSTRAINT "tasks_title_check" CHECK (char_length("title") >= 1),
    CONSTRAINT "tasks_version_check" CHECK ("version" >= 1),
    CONSTRAINT "tasks_completed_check" CHECK (("status" = 'done') = ("completed_at" IS NOT NULL))
);

-- CreateIndex
CREATE INDEX "tasks_owner_id_due_at_idx" ON "tasks"("owner_id", "due_at");

-- CreateTable
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

-- CreateIndex
CREATE UNIQUE INDEX "outbox_seq_key" ON "outbox"("seq");

-- The relay's poll reads only pending rows, so it stays cheap however many published rows are retained.
CREATE INDEX "outbox_pending_idx" ON "outbox"("seq") WHERE "published_at" IS NULL;

-- Retention cleanup deletes published rows by age.
CREATE INDEX "outbox_published_at_idx" ON "outbox"("published_at") WHERE "published_at" IS NOT NULL;

-- The app connects as tasks_app (created by scripts/migrate.ts before any migration runs) and gets only row access.
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO tasks_app', current_schema());
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON "tasks", "outbox" TO tasks_app;
GRANT USAGE, SELECT ON SEQUENCE "outbox_seq_seq" TO tasks_app;
