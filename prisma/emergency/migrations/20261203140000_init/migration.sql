-- The emergency app's tables. Unqualified names on purpose: the runner sets search_path to the target
-- schema (emergency, or a test schema). States and kinds are checked varchar columns, not enums: adding a
-- value later is a constraint swap inside a transaction.

-- A person's ordered contacts: a Lifeline user (user_id) or an outside person (name + email, phone kept for
-- later SMS/voice). Position orders the list; the API bounds how many a person keeps.
CREATE TABLE "contacts" (
    "id" UUID NOT NULL,
    "person_id" VARCHAR(128) NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "user_id" VARCHAR(128),
    "name" VARCHAR(200) NOT NULL,
    "email" VARCHAR(254),
    "phone" VARCHAR(32),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "contacts_kind_check" CHECK ("kind" IN ('user', 'contact')),
    CONSTRAINT "contacts_user_check" CHECK (("kind" = 'user') = ("user_id" IS NOT NULL)),
    CONSTRAINT "contacts_email_check" CHECK ("kind" = 'user' OR "email" IS NOT NULL)
);
CREATE INDEX "contacts_person_id_position_idx" ON "contacts" ("person_id", "position", "id");
-- One entry per Lifeline user in a person's list.
CREATE UNIQUE INDEX "contacts_person_id_user_id_key" ON "contacts" ("person_id", "user_id") WHERE "user_id" IS NOT NULL;

-- A person's escalation policy: tiers of contact ids with a wait and a repeat count. No row: the default
-- (every contact in one tier).
CREATE TABLE "policies" (
    "person_id" VARCHAR(128) NOT NULL,
    "id" UUID NOT NULL,
    "tiers" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" VARCHAR(128) NOT NULL,

    CONSTRAINT "policies_pkey" PRIMARY KEY ("person_id"),
    CONSTRAINT "policies_id_key" UNIQUE ("id")
);

-- One row per emergency. `plan` is the policy resolved into recipients when it was raised: later edits of
-- contacts or policy never change an escalation that is already running.
CREATE TABLE "emergencies" (
    "id" UUID NOT NULL,
    "person_id" VARCHAR(128) NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'open',
    "message" VARCHAR(1000),
    "location" JSONB,
    "policy_id" UUID,
    "plan" JSONB NOT NULL,
    "raised_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" VARCHAR(128),
    "exhausted_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "closed_by" VARCHAR(128),
    "close_note" VARCHAR(1000),
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "emergencies_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "emergencies_kind_check" CHECK ("kind" IN ('sos', 'fall', 'medical', 'geofence', 'missed_check_in', 'other')),
    CONSTRAINT "emergencies_status_check" CHECK ("status" IN ('open', 'acknowledged', 'resolved', 'cancelled')),
    CONSTRAINT "emergencies_acknowledged_check" CHECK (("acknowledged_at" IS NULL) = ("acknowledged_by" IS NULL)),
    CONSTRAINT "emergencies_closed_check" CHECK (("status" IN ('resolved', 'cancelled')) = ("closed_at" IS NOT NULL))
);
-- At most one active (open or acknowledged) emergency per person: the dedup of repeated raises, held by the
-- database even when two raises race on two replicas.
CREATE UNIQUE INDEX "emergencies_one_active_per_person" ON "emergencies" ("person_id") WHERE "status" IN ('open', 'acknowledged');
-- GET /emergencies: newest first per person; keyset on (created_at, id).
CREATE INDEX "emergencies_person_id_created_at_id_idx" ON "emergencies" ("person_id", "created_at" DESC, "id" DESC);

-- The escalation's timers: one row per (emergency, tier, round) page and one exhaustion row. The tick claims
-- due pending rows FOR UPDATE SKIP LOCKED; the primary key makes a page exist once whatever races.
CREATE TABLE "escalation_steps" (
    "emergency_id" UUID NOT NULL,
    "tier" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "done_at" TIMESTAMPTZ(3),
    "event_id" UUID,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" VARCHAR(1000),

    CONSTRAINT "escalation_steps_pkey" PRIMARY KEY ("emergency_id", "tier", "round"),
    CONSTRAINT "escalation_steps_emergency_fkey" FOREIGN KEY ("emergency_id") REFERENCES "emergencies" ("id") ON DELETE CASCADE,
    CONSTRAINT "escalation_steps_kind_check" CHECK ("kind" IN ('page', 'exhaust')),
    CONSTRAINT "escalation_steps_status_check" CHECK ("status" IN ('pending', 'done', 'cancelled', 'failed')),
    CONSTRAINT "escalation_steps_tier_check" CHECK ("tier" >= 1 AND "round" >= 1)
);
-- The tick reads only pending steps; its WHERE repeats this predicate so the planner uses the index.
CREATE INDEX "escalation_steps_due_idx" ON "escalation_steps" ("due_at") WHERE "status" = 'pending';

-- Who was paged for an emergency: read access for paged users, and the "notified" list of later events.
CREATE TABLE "paged_recipients" (
    "emergency_id" UUID NOT NULL,
    -- user:<user id> or contact:<contact id>
    "recipient_key" VARCHAR(140) NOT NULL,
    "recipient" JSONB NOT NULL,
    "first_paged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "paged_recipients_pkey" PRIMARY KEY ("emergency_id", "recipient_key"),
    CONSTRAINT "paged_recipients_emergency_fkey" FOREIGN KEY ("emergency_id") REFERENCES "emergencies" ("id") ON DELETE CASCADE
);
CREATE INDEX "paged_recipients_user_idx" ON "paged_recipients" ("recipient_key");

-- The history of an emergency as GET /emergencies/{id} shows it: raised, raised again, paged, acknowledged...
CREATE TABLE "timeline" (
    "seq" BIGSERIAL NOT NULL,
    "emergency_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" VARCHAR(32) NOT NULL,
    "actor" VARCHAR(128),
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "timeline_pkey" PRIMARY KEY ("seq"),
    CONSTRAINT "timeline_emergency_fkey" FOREIGN KEY ("emergency_id") REFERENCES "emergencies" ("id") ON DELETE CASCADE
);
CREATE INDEX "timeline_emergency_id_seq_idx" ON "timeline" ("emergency_id", "seq");

-- Acknowledgement links already used (their nonce): a link acknowledges once.
CREATE TABLE "used_ack_links" (
    "nonce" VARCHAR(64) NOT NULL,
    "emergency_id" UUID NOT NULL,
    "used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "used_ack_links_pkey" PRIMARY KEY ("nonce")
);

-- Idempotency-Key of POST /emergencies, with the answer the first request gave.
CREATE TABLE "idempotency_keys" (
    "caller_id" VARCHAR(128) NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "emergency_id" UUID NOT NULL,
    "status_code" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("caller_id", "key")
);
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" ("expires_at");

-- Transactional outbox, the same table as every app's.
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

-- The app connects as emergency_app (created by the migrate CLI before any migration runs) and gets only
-- row access.
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO emergency_app', current_schema());
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON "contacts", "policies", "emergencies", "escalation_steps", "paged_recipients",
    "timeline", "used_ack_links", "idempotency_keys", "outbox" TO emergency_app;
GRANT USAGE, SELECT ON SEQUENCE "outbox_seq_seq", "timeline_seq_seq" TO emergency_app;
