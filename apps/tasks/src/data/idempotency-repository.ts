import { taskStateSchema, type TaskState } from '@lifeline/contracts';
import { claimIdempotencyKey as claimKey } from '@lifeline/db';
import type { Prisma } from '../generated/prisma/client.ts';

// Expired keys go with the relay's housekeeping, as in every app with an Idempotency-Key.
export { deleteExpiredIdempotencyKeys } from '@lifeline/db';

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
 * Claims (caller, key) for this request inside the caller's transaction, together with the task it will
 * answer with (@lifeline/db's shared key table and claim); a replay reads that task back as it was.
 */
export async function claimIdempotencyKey(tx: Prisma.TransactionClient, claim: IdempotencyClaim): Promise<ClaimResult> {
  const result = await claimKey(tx, { callerId: claim.callerId, key: claim.key, requestHash: claim.requestHash, resourceId: claim.task.id, response: claim.task, ttlHours: claim.ttlHours });
  return result.claimed ? result : { claimed: false, requestHash: result.requestHash, task: taskStateSchema.parse(result.response) };
}
