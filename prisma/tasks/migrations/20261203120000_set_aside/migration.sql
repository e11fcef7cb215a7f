-- Background work (reminder scan, outbox relay, refills, deliveries) sets aside what it cannot process
-- instead of retrying it forever in front of everyone else; operators read this table (and the set_aside_*
-- metrics). Copy of @lifeline/db SET_ASIDE_SQL.
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

-- An outbox event the sidecar kept refusing is set aside so the events behind it can go.
ALTER TABLE "outbox" ADD COLUMN "set_aside_at" TIMESTAMPTZ(3);

-- The platform's instant window (1900-01-01 to 9999-12-31, UTC): outside it Postgres stores what JavaScript
-- cannot print back as RFC 3339, and one such remind_at stopped every reminder. Values written before the
-- API enforced the window are moved to set_aside (so nothing is lost) and cleared, then the table refuses them.
INSERT INTO "set_aside" ("work", "item_key", "reason", "detail")
SELECT 'task-instant-window', "id"::text, 'an instant outside 1900-01-01..9999-12-31 was cleared by migration',
       jsonb_build_object('dueAt', "due_at"::text, 'remindAt', "remind_at"::text, 'completedAt', "completed_at"::text, 'remindedFor', "reminded_for"::text)
FROM "tasks"
WHERE "due_at" NOT BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00'
   OR "remind_at" NOT BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00'
   OR "completed_at" NOT BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00'
   OR "reminded_for" NOT BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00';

UPDATE "tasks" SET
    "due_at" = CASE WHEN "due_at" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00' THEN "due_at" END,
    "remind_at" = CASE WHEN "remind_at" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00' THEN "remind_at" END,
    "reminded_for" = CASE WHEN "reminded_for" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00' THEN "reminded_for" END,
    "completed_at" = CASE WHEN "completed_at" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00' THEN "completed_at" ELSE "created_at" END
WHERE "due_at" NOT BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00'
   OR "remind_at" NOT BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00'
   OR "completed_at" NOT BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00'
   OR "reminded_for" NOT BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00';

ALTER TABLE "tasks" ADD CONSTRAINT "tasks_instants_window_check" CHECK (
    ("due_at" IS NULL OR "due_at" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00')
    AND ("remind_at" IS NULL OR "remind_at" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00')
    AND ("reminded_for" IS NULL OR "reminded_for" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00')
    AND ("completed_at" IS NULL OR "completed_at" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00')
);

GRANT SELECT, INSERT, UPDATE, DELETE ON "set_aside" TO tasks_app;
