import { envInt, loadConfig } from '@lifeline/kit';
import { databaseConfigShape } from '@lifeline/db';

export const auditConfigShape = {
  ...databaseConfigShape('audit'),
  /** Monthly partitions kept ready beyond the current month (plain-Postgres storage; ensured at start). */
  PARTITION_MONTHS_AHEAD: envInt(0, 36).default(3),
  /**
   * How long the trail is kept (2555 days is about seven years); applied by the storage maintenance job.
   * The database refuses anything below its own floor (audit_settings.min_retention_days, owner-only).
   */
  RETENTION_DAYS: envInt(1, 36_500).default(2555),
  /** Age after which TimescaleDB chunks are compressed; applied by the storage maintenance job. */
  COMPRESSION_DAYS: envInt(1, 3650).default(30),
  /** Bulk subscribe: daprd delivers up to this many events per request (one INSERT per batch)... */
  BULK_MAX_MESSAGES: envInt(1, 1000).default(100),
  /** ...or whatever arrived within this many milliseconds, whichever comes first. */
  BULK_MAX_AWAIT_MS: envInt(1, 60_000).default(100),
  /** Rows fetched per query when exporting or verifying; bounds the memory of one stream. */
  STREAM_BATCH_SIZE: envInt(1, 10_000).default(1000),
};

export type AuditConfig = ReturnType<typeof loadAuditConfig>;

export function loadAuditConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(auditConfigShape, env);
}
