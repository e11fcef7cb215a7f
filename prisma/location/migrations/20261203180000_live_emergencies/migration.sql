-- Open emergencies (from emergency-events) and who may see the person while one is open: the nearby search
-- shows them the person, and each accepted position of the person goes out live for them.

-- One row per emergency, kept after it closes: a late escalated or acknowledged event of a closed emergency
-- finds it closed and cannot reopen it. last_published_* throttle the live positions per emergency.
CREATE TABLE "live_emergencies" (
    "emergency_id" UUID NOT NULL,
    "person_id" VARCHAR(128) NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    "last_published_at" TIMESTAMPTZ(3),
    "last_published_recorded_at" TIMESTAMPTZ(3),

    CONSTRAINT "live_emergencies_pkey" PRIMARY KEY ("emergency_id")
);

-- Every accepted position asks whether its person has an open emergency: a small partial index answers it.
CREATE INDEX "live_emergencies_open_person_idx" ON "live_emergencies" ("person_id") WHERE "closed_at" IS NULL;

-- Who may see the person of an emergency; the nearby search reads it by viewer.
CREATE TABLE "live_emergency_viewers" (
    "emergency_id" UUID NOT NULL,
    "user_id" VARCHAR(128) NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_emergency_viewers_pkey" PRIMARY KEY ("emergency_id", "user_id"),
    CONSTRAINT "live_emergency_viewers_emergency_fkey" FOREIGN KEY ("emergency_id") REFERENCES "live_emergencies" ("emergency_id") ON DELETE CASCADE
);

CREATE INDEX "live_emergency_viewers_user_idx" ON "live_emergency_viewers" ("user_id");

-- Emergency events already applied (copy of @lifeline/db PROCESSED_EVENTS_SQL): a redelivery changes nothing.
CREATE TABLE "processed_events" (
    "consumer" VARCHAR(200) NOT NULL,
    "event_id" VARCHAR(200) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id")
);

GRANT SELECT, INSERT, UPDATE, DELETE ON "live_emergencies", "live_emergency_viewers", "processed_events" TO location_app;
