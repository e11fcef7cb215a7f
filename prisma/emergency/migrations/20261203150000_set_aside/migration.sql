-- The platform's set-aside record (copy of @lifeline/db SET_ASIDE_SQL): the outbox relay sets aside an event
-- the sidecar kept refusing, so the events behind it can go, and operators read what was set aside here.
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

ALTER TABLE "outbox" ADD COLUMN "set_aside_at" TIMESTAMPTZ(3);

GRANT SELECT, INSERT, UPDATE, DELETE ON "set_aside" TO emergency_app;
