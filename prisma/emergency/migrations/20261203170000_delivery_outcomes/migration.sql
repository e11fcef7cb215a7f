-- Delivery outcomes of pages (notification-events) on the emergency's timeline.

-- Notification events already recorded (copy of @lifeline/db PROCESSED_EVENTS_SQL): a redelivered outcome is
-- one timeline entry.
CREATE TABLE "processed_events" (
    "consumer" VARCHAR(200) NOT NULL,
    "event_id" VARCHAR(200) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id")
);

-- An outcome names the page it delivered by that page's event id.
CREATE INDEX "escalation_steps_event_id_idx" ON "escalation_steps" ("event_id") WHERE "event_id" IS NOT NULL;

GRANT SELECT, INSERT, UPDATE, DELETE ON "processed_events" TO emergency_app;
