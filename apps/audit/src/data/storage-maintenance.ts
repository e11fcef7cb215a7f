import type { Db } from './db.ts';

/**
 * Creates the monthly partitions for the current month and `monthsAhead` more (a no-op on TimescaleDB).
 * Runs through a SECURITY DEFINER function: the app role itself may not create tables.
 */
export async function ensureAuditPartitions(db: Db, monthsAhead: number): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ created: number }>>`SELECT ensure_audit_partitions(${monthsAhead}::int) AS created`;
  return row?.created ?? 0;
}
