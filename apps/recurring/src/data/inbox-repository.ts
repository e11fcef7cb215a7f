import type { Db } from './db.ts';

/** Deletes at most `limit` consumed-event marks older than the retention window; returns how many went. */
export async function deleteProcessedEventsBefore(db: Db, retentionHours: number, limit: number): Promise<number> {
  return db.$executeRaw`
    DELETE FROM processed_events
    WHERE (consumer, event_id) IN (
      SELECT consumer, event_id FROM processed_events
      WHERE processed_at < statement_timestamp() - make_interval(hours => ${retentionHours}::int)
      LIMIT ${limit}
    )`;
}
