import type { Sql } from './db.ts';

// SECURITY DEFINER functions in the database: the app role may not create or drop tables itself.

/** Daily partitions from daysBack before today to daysAhead after it (0 on TimescaleDB). */
export async function ensurePartitions(db: Sql, daysBack: number, daysAhead: number): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`SELECT ensure_location_partitions(${daysBack}::int, ${daysAhead}::int) AS n`;
  return row?.n ?? 0;
}

export async function dropExpiredPartitions(db: Sql, positionDays: number, trailDays: number): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`SELECT drop_expired_location_partitions(${positionDays}::int, ${trailDays}::int) AS n`;
  return row?.n ?? 0;
}

/** The native downsampling step; TimescaleDB's continuous aggregate policy does it there (0). */
export async function refreshTrail(db: Sql): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`SELECT refresh_location_trail() AS n`;
  return row?.n ?? 0;
}

export async function storageEngine(db: Sql): Promise<'timescaledb' | 'native'> {
  const [row] = await db.$queryRaw<Array<{ engine: 'timescaledb' | 'native' }>>`SELECT engine FROM location_storage`;
  return row?.engine ?? 'native';
}
