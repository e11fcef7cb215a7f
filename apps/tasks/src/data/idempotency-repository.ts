import { taskStateSchema, type TaskState } from '@lifeline/contracts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

export interface IdempotencyClaim {
  callerId: string;
  key: string;
  requestHash: string;
  /** The task this request is about to create, as its response will carry it. */
  task: TaskState;
  ttlHours: number;
}

export type ClaimResult = { claimed: true } | { claimed: false; requestHash: string; task: TaskState };

/**
 * Claims (caller, key) for this request inside the caller's transaction, together with the answer it will
 * give. A concurrent request with the same key blocks on the unique key until this transaction ends, then
 * finds the committed row (replay) or, if this one rolled back, claims the key itself. An expired row is
 * taken over as if it were not there.
 */
export async function claimIdempotencyKey(tx: Prisma.TransactionClient, claim: IdempotencyClaim): Promise<ClaimResult> {
  const response = JSON.stringify(claim.task);
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await tx.$queryRaw<Array<{ claimed: boolean }>>`
      INSERT INTO idempotency_keys (caller_id, key, request_hash, task_id, response, created_at, expires_at)
      VALUES (${claim.callerId}, ${claim.key}, ${claim.requestHash}, ${claim.task.id}::uuid, ${response}::jsonb,
              statement_timestamp(), statement_timestamp() + make_interval(hours => ${claim.ttlHours}::int))
      ON CONFLICT (caller_id, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, task_id = EXCLUDED.task_id, response = EXCLUDED.response,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= statement_timestamp()
      RETURNING true AS claimed`;
    if (inserted.length > 0) return { claimed: true };

    const [existing] = await tx.$queryRaw<Array<{ requestHash: string; response: unknown }>>`
      SELECT request_hash AS "requestHash", response FROM idempotency_keys
      WHERE caller_id = ${claim.callerId} AND key = ${claim.key} AND expires_at > statement_timestamp()`;
    // Gone between the two statements (expired and cleaned up): claim again.
    if (existing !== undefined) return { claimed: false, requestHash: existing.requestHash.trim(), task: taskStateSchema.parse(existing.response) };
  }
  throw new Error(`idempotency key could not be claimed or read for caller ${claim.callerId}`);
}

/** Deletes at most `limit` expired keys; returns how many went. */
export async function deleteExpiredIdempotencyKeys(db: Db, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM idempotency_keys
    WHERE (caller_id, key) IN (
      SELECT caller_id, key FROM idempotency_keys WHERE expires_at <= statement_timestamp() ORDER BY expires_at LIMIT ${limit}
    )`;
}
