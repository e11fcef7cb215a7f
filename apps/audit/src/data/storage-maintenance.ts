import type { Db } from './db.ts';

// Every function here is SECURITY DEFINER in the database: the app role itself may not create or drop
// tables, and the definer functions decide what it may ask for.

/**
 * Creates the monthly partitions for the current month and `monthsAhead` more (none on TimescaleDB, which
 * makes chunks itself). On TimescaleDB it guards the chunks not guarded yet against TRUNCATE (and compressed
 * chunks against UPDATE and DELETE): the compression policy makes those outside any insert.
 */
export async function ensureAuditPartitions(db: Db, monthsAhead: number): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ created: number }>>`SELECT ensure_audit_partitions(${monthsAhead}::int) AS created, guard_audit_chunks() AS guarded`;
  return row?.created ?? 0;
}

/**
 * Drops the partitions (or chunks) that ended more than `retentionDays` ago, writing chain receipts first.
 * The database refuses (SQLSTATE 42501) a retention below the floor in audit_settings.
 */
export async function dropExpiredAuditPartitions(db: Db, retentionDays: number): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ dropped: number }>>`SELECT drop_expired_audit_partitions(${retentionDays}::int) AS dropped`;
  return row?.dropped ?? 0;
}

/** TimescaleDB: compress chunks older than `days`; true when the policy changed. Always false on plain Postgres. */
export async function setAuditCompressionAfter(db: Db, days: number): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ changed: boolean }>>`SELECT set_audit_compression_after(${days}::int) AS changed`;
  return row?.changed ?? false;
}

/** The smallest retention the database will apply; only the schema owner can change it. */
export async function retentionFloorDays(db: Db): Promise<number> {
  const setting = await db.auditSetting.findUnique({ where: { singleton: true } });
  return setting?.minRetentionDays ?? 2555;
}
