import type { Sql } from './db.ts';

/** Classid of the per-person advisory locks: the location app's own, apart from any other lock in the database. */
export const PERSON_LOCK_CLASS = 1_819_239_275;

/**
 * Serializes the fence evaluations of one person across requests and replicas until the transaction ends,
 * including fences that have no state row yet (a row lock alone could not cover those).
 */
export async function lockPerson(tx: Sql, personId: string): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${PERSON_LOCK_CLASS}::int, hashtext(${personId}))`;
}
