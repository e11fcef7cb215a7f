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

GRANT SELECT, INSERT, UPDATE, DELETE ON "set_aside" TO notification_app;
