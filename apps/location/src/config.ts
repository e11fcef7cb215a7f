import { z } from 'zod';
import { envInt, loadConfig } from '@lifeline/kit';
import { databaseConfigShape, outboxConfigShape } from '@lifeline/db';

export const locationConfigShape = {
  ...databaseConfigShape('location'),
  ...outboxConfigShape,
  /** Latest positions and the GEO set (ioredis, a data structure only; never a bus). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'),
  /** Prefix of every key, so several deployments (or test runs) can share one Redis database. */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('location:'),
  /** Daily partitions kept ready ahead of today (native storage; TimescaleDB makes chunks itself). */
  PARTITION_DAYS_AHEAD: envInt(1, 60).default(3),
  /** Active fences one person may have: every point is checked against each. */
  MAX_FENCES_PER_PERSON: envInt(1, 1000).default(50),
  /** A person with an open emergency: at most one live position per emergency in this many ms (0: every request's newest fix). */
  LIVE_POSITION_INTERVAL_MS: envInt(0, 60_000).default(1000),
  /** Group commits of positions in flight at once, each on one pooled connection (the rest of the pool serves reads, fences, the relay). */
  INGEST_CONCURRENCY: envInt(1, 100).default(4),
  /** Positions one group commit takes at most (requests waiting beyond it go into the next group). */
  INGEST_GROUP_MAX_POSITIONS: envInt(1, 100_000).default(2000),
};

export type LocationConfig = ReturnType<typeof loadLocationConfig>;

export function loadLocationConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(locationConfigShape, env);
}
