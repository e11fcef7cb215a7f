-- Check-in timers, the acknowledgement timeout that re-opens an escalation, and escalation cycles.

-- A dead man's switch: "walking home, expect me in 30 min". Missed once due + grace has passed, and then an
-- emergency of kind missed_check_in is raised by the escalation tick.
CREATE TABLE "check_ins" (
    "id" UUID NOT NULL,
    "person_id" VARCHAR(128) NOT NULL,
    "note" VARCHAR(1000),
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "created_by" VARCHAR(128) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    "emergency_id" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "check_ins_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "check_ins_status_check" CHECK ("status" IN ('pending', 'completed', 'missed', 'cancelled')),
    CONSTRAINT "check_ins_closed_check" CHECK (("status" = 'pending') = ("closed_at" IS NULL)),
    CONSTRAINT "check_ins_due_window_check" CHECK ("due_at" BETWEEN '1900-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00')
);
-- The tick reads only pending check-ins by due time; the person's list reads theirs newest first.
CREATE INDEX "check_ins_due_idx" ON "check_ins" ("due_at") WHERE "status" = 'pending';
CREATE INDEX "check_ins_person_id_created_at_idx" ON "check_ins" ("person_id", "created_at" DESC, "id" DESC);

-- Minutes an acknowledgement may stay unresolved before the escalation starts again (null: never).
ALTER TABLE "policies" ADD COLUMN "ack_timeout_minutes" INTEGER;

-- An escalation that re-opens after an acknowledgement timed out pages again from tier 1: a new cycle,
-- so its steps (and their event ids) are distinct from the first cycle's.
ALTER TABLE "emergencies" ADD COLUMN "cycle" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "escalation_steps" ADD COLUMN "cycle" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "escalation_steps" DROP CONSTRAINT "escalation_steps_pkey";
ALTER TABLE "escalation_steps" ADD CONSTRAINT "escalation_steps_pkey" PRIMARY KEY ("emergency_id", "cycle", "tier", "round");
ALTER TABLE "escalation_steps" DROP CONSTRAINT "escalation_steps_kind_check";
ALTER TABLE "escalation_steps" ADD CONSTRAINT "escalation_steps_kind_check" CHECK ("kind" IN ('page', 'exhaust', 'reopen'));

GRANT SELECT, INSERT, UPDATE, DELETE ON "check_ins" TO emergency_app;
