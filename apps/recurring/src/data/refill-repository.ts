import type { Db } from './db.ts';

/** The database's clock: claims compare against it, so app clocks that disagree cannot skip or repeat series. */
export async function databaseNow(db: Db): Promise<Date> {
  const [row] = await db.$queryRaw<Array<{ now: Date }>>`SELECT statement_timestamp() AS now`;
  if (row === undefined) throw new Error('statement_timestamp() returned no row');
  return row.now;
}

/**
 * Claims up to `limit` active series for a horizon refill: those not claimed since the tick started, nor
 * within the last `minIntervalMinutes` (another replica's tick of the same cron). Rows another transaction
 * is claiming are skipped, never waited for, so concurrent ticks share the work instead of repeating it.
 */
export async function claimRefillBatch(db: Db, tickStart: Date, minIntervalMinutes: number, limit: number): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    UPDATE series SET refilled_at = statement_timestamp()
    WHERE id IN (
      SELECT id FROM series
      WHERE status = 'active'
        AND (refilled_at IS NULL
             OR refilled_at < LEAST(${tickStart}::timestamptz, statement_timestamp() - make_interval(mins => ${minIntervalMinutes}::int)))
      ORDER BY refilled_at NULLS FIRST, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id::text AS id`;
  return rows.map((r) => r.id);
}
