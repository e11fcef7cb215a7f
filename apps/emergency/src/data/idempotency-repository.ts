import type { Db, Tx } from './db.ts';

export type IdempotencyClaim = { claimed: true } | { claimed: false; requestHash: string; emergencyId: string; statusCode: number };

/**
 * Claims (caller, key) inside the raise's transaction, first. A concurrent request with the same key blocks
 * on the primary key until this transaction ends, then finds the committed row (replay) or, if this one
 * rolled back, claims the key itself. An expired row is taken over as if it were not there. The answer
 * (emergency id and status code) is written once the raise knows it, in the same transaction.
 */
export async function claimIdempotencyKey(tx: Tx, callerId: string, key: string, requestHash: string, ttlHours: number): Promise<IdempotencyClaim> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await tx.$executeRaw`
      INSERT INTO idempotency_keys (caller_id, key, request_hash, emergency_id, status_code, created_at, expires_at)
      VALUES (${callerId}, ${key}, ${requestHash}, '00000000-0000-0000-0000-000000000000', 0, statement_timestamp(),
              statement_timestamp() + make_interval(hours => ${ttlHours}::int))
      ON CONFLICT (caller_id, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, emergency_id = EXCLUDED.emergency_id, status_code = EXCLUDED.status_code,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= statement_timestamp()`;
    if (inserted === 1) return { claimed: true };
    const [row] = await tx.$queryRaw<Array<{ requestHash: string; emergencyId: string; statusCode: number }>>`
      SELECT request_hash AS "requestHash", emergency_id::text AS "emergencyId", status_code AS "statusCode"
      FROM idempotency_keys WHERE caller_id = ${callerId} AND key = ${key} AND expires_at > statement_timestamp()`;
    if (row !== undefined) return { claimed: false, ...row, requestHash: row.requestHash.trim() };
  }
  throw new Error(`idempotency key could not be claimed or read for caller ${callerId}`);
}

export async function recordIdempotentAnswer(tx: Tx, callerId: string, key: string, emergencyId: string, statusCode: number): Promise<void> {
  await tx.$executeRaw`
    UPDATE idempotency_keys SET emergency_id = ${emergencyId}::uuid, status_code = ${statusCode}
    WHERE caller_id = ${callerId} AND key = ${key}`;
}

export async function deleteExpiredIdempotencyKeys(db: Db, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM idempotency_keys
    WHERE (caller_id, key) IN (
      SELECT caller_id, key FROM idempotency_keys WHERE expires_at <= statement_timestamp() ORDER BY expires_at LIMIT ${limit}
    )`;
}

/** Marks an acknowledgement link used; false when it was used before. */
export async function useAckLink(tx: Tx, nonce: string, emergencyId: string): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO used_ack_links (nonce, emergency_id) VALUES (${nonce}, ${emergencyId}::uuid) ON CONFLICT DO NOTHING`;
  return inserted === 1;
}
