import type { SqlClient } from './outbox/outbox-repository.ts';

/**
 * The table behind Idempotency-Key on an app's create route. Apps copy this into one of their own migrations
 * (a migration cannot import code); the db package tests apply it verbatim. Keys are scoped to the caller.
 */
export const IDEMPOTENCY_KEYS_SQL = `CREATE TABLE "idempotency_keys" (
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
`;

export interface IdempotencyClaim {
  callerId: string;
  key: string;
  requestHash: string;
  /** The id of what this request is about to create. */
  resourceId: string;
  /** The answer it will give, stored for replays. */
  response: unknown;
  ttlHours: number;
}

export type IdempotencyClaimResult = { claimed: true } | { claimed: false; requestHash: string; response: unknown };

/**
 * Claims (caller, key) for this request inside the caller's transaction, together with the answer it will
 * give. Call it before the create, in the same transaction: a concurrent request with the same key blocks on
 * the primary key until this transaction ends, then finds the committed row (replay) or, if this one rolled
 * back, claims the key itself. An expired row is taken over as if it were not there.
 */
export async function claimIdempotencyKey(tx: SqlClient, claim: IdempotencyClaim): Promise<IdempotencyClaimResult> {
  const response = JSON.stringify(claim.response);
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await tx.$queryRaw<Array<{ claimed: boolean }>>`
      INSERT INTO idempotency_keys (caller_id, key, request_hash, resource_id, response, created_at, expires_at)
      VALUES (${claim.callerId}, ${claim.key}, ${claim.requestHash}, ${claim.resourceId}::uuid, ${response}::jsonb,
              statement_timestamp(), statement_timestamp() + make_interval(hours => ${claim.ttlHours}::int))
      ON CONFLICT (caller_id, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, resource_id = EXCLUDED.resource_id, response = EXCLUDED.response,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= statement_timestamp()
      RETURNING true AS claimed`;
    if (inserted.length > 0) return { claimed: true };

    const [existing] = await tx.$queryRaw<Array<{ requestHash: string; response: unknown }>>`
      SELECT request_hash AS "requestHash", response FROM idempotency_keys
      WHERE caller_id = ${claim.callerId} AND key = ${claim.key} AND expires_at > statement_timestamp()`;
    // Gone between the two statements (expired and cleaned up): claim again.
    if (existing !== undefined) return { claimed: false, requestHash: existing.requestHash.trim(), response: existing.response };
  }
  throw new Error(`idempotency key could not be claimed or read for caller ${claim.callerId}`);
}

/** Deletes at most `limit` expired keys; returns how many went (a relay housekeeping job). */
export async function deleteExpiredIdempotencyKeys(db: SqlClient, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM idempotency_keys
    WHERE (caller_id, key) IN (
      SELECT caller_id, key FROM idempotency_keys WHERE expires_at <= statement_timestamp() ORDER BY expires_at LIMIT ${limit}
    )`;
}
