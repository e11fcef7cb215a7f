-- Idempotency-Key of POST /series (IDEMPOTENCY_KEYS_SQL of @lifeline/db, verbatim). Unqualified names: the runner
-- sets search_path.
CREATE TABLE "idempotency_keys" (
    "caller_id" VARCHAR(128) NOT NULL,
    "key" VARCHAR(200) NOT NULL,
    -- SHA-256 of the canonical JSON request: the same key with another body is refused, never replayed.
    "request_hash" CHAR(64) NOT NULL,
    -- What the first request created.
    "resource_id" UUID NOT NULL,
    -- The first response as it was sent: replays answer with exactly that, even after later edits.
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("caller_id", "key"),
    CONSTRAINT "idempotency_keys_key_check" CHECK (char_length("key") >= 1)
);

-- Housekeeping deletes expired keys by age.
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" ("expires_at");

GRANT SELECT, INSERT, UPDATE, DELETE ON "idempotency_keys" TO recurring_app;
