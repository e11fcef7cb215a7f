-- CreateTable (PROCESSED_EVENTS_SQL from @lifeline/db, verbatim)
CREATE TABLE "processed_events" (
    "consumer" VARCHAR(200) NOT NULL,
    "event_id" VARCHAR(200) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer", "event_id")
);
