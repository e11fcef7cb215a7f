-- The notification app's tables. Unqualified names on purpose: the runner sets search_path to the target
-- schema (notification, or a test schema).

-- One row per user who changed anything; a user without a row gets the defaults (everything on, UTC, no
-- quiet hours, no addresses). Opt-outs are stored as lists of what is OFF, so a channel or category added
-- later is on for everyone without a data migration.
CREATE TABLE "preferences" (
    "user_id" VARCHAR(128) NOT NULL,
    "email" VARCHAR(254),
    "push_tokens" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "disabled_channels" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "disabled_categories" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "timezone" VARCHAR(64) NOT NULL DEFAULT 'UTC',
    -- Local wall-clock times "HH:MM"; the window may cross midnight (22:00-07:00).
    "quiet_start" CHAR(5),
    "quiet_end" CHAR(5),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "preferences_pkey" PRIMARY KEY ("user_id"),
    CONSTRAINT "preferences_quiet_hours_check" CHECK (("quiet_start" IS NULL) = ("quiet_end" IS NULL)),
    CONSTRAINT "preferences_push_tokens_check" CHECK (cardinality("push_tokens") <= 10)
);

-- One row per (cause event, user, channel): the unique key makes a redelivered or duplicated event one
-- delivery. The id is derived from that key (UUIDv5), so the same delivery has the same id everywhere
-- (events, rate-limit entries, Message-ID).
CREATE TABLE "deliveries" (
    "id" UUID NOT NULL,
    "cause_event_id" UUID NOT NULL,
    "cause_event_type" VARCHAR(100) NOT NULL,
    -- What the notification is about (task id, emergency id): later events about it find who was told.
    "subject" VARCHAR(200) NOT NULL,
    "user_id" VARCHAR(128) NOT NULL,
    "channel" VARCHAR(16) NOT NULL,
    "category" VARCHAR(16) NOT NULL,
    "priority" VARCHAR(16) NOT NULL,
    -- Channel-neutral content (kind, title, body, data); each channel renders it at send time.
    "content" JSONB NOT NULL,
    -- Set on an emergency fallback: the channel whose failure it replaces.
    "fallback_for" VARCHAR(16),
    "status" VARCHAR(16) NOT NULL DEFAULT 'queued',
    "reason" VARCHAR(32),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    -- An attempt in flight or a backoff running: nobody else sends this delivery before then.
    "lease_until" TIMESTAMPTZ(3),
    "provider_message_id" VARCHAR(500),
    "last_error" VARCHAR(1000),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "deliveries_cause_user_channel_key" UNIQUE ("cause_event_id", "user_id", "channel"),
    CONSTRAINT "deliveries_channel_check" CHECK ("channel" IN ('email', 'websocket', 'push')),
    CONSTRAINT "deliveries_fallback_check" CHECK ("fallback_for" IS NULL OR "fallback_for" IN ('email', 'websocket', 'push')),
    CONSTRAINT "deliveries_category_check" CHECK ("category" IN ('reminders', 'tasks', 'emergency', 'geofence')),
    CONSTRAINT "deliveries_priority_check" CHECK ("priority" IN ('normal', 'emergency')),
    CONSTRAINT "deliveries_status_check" CHECK ("status" IN ('queued', 'sent', 'failed', 'suppressed')),
    CONSTRAINT "deliveries_reason_check" CHECK (("status" = 'suppressed') = ("reason" IS NOT NULL)),
    CONSTRAINT "deliveries_sent_check" CHECK (("status" = 'sent') = ("sent_at" IS NOT NULL)),
    CONSTRAINT "deliveries_attempts_check" CHECK ("attempts" >= 0)
);

-- GET /notifications: newest first per user, and across users for admins; keyset on (created_at, id).
CREATE INDEX "deliveries_user_id_created_at_id_idx" ON "deliveries" ("user_id", "created_at" DESC, "id" DESC);
CREATE INDEX "deliveries_created_at_id_idx" ON "deliveries" ("created_at" DESC, "id" DESC);
-- "Who was told about this emergency" when it is acknowledged, resolved or cancelled.
CREATE INDEX "deliveries_subject_idx" ON "deliveries" ("subject", "category");

-- Transactional outbox, the same table as every app's: notification events are written in the same
-- transaction as the delivery status they announce.
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

-- The app connects as notification_app (created by the migrate CLI before any migration runs) and gets
-- only row access.
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO notification_app', current_schema());
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON "preferences", "deliveries", "outbox" TO notification_app;
GRANT USAGE, SELECT ON SEQUENCE "outbox_seq_seq" TO notification_app;
