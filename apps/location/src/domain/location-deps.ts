import type { LatestStore } from '../data/latest-store.ts';
import type { Pool } from '../data/db.ts';
import type { GroupCommitter } from './group-commit.ts';
import type { IngestOutcome, IngestRequest } from './ingest-group.ts';

/** What the location use cases need; built once in createApp. */
export interface LocationDeps {
  /** Raw SQL on the app's pool, with transactions. */
  sql: Pool;
  latest: LatestStore;
  /** Position ingestion: requests joined into group commits (see ingest-group.ts). */
  ingest: GroupCommitter<IngestRequest, IngestOutcome>;
  /** Called after a commit that wrote outbox rows: the relay publishes without waiting for its poll. */
  outboxWritten: () => void;
  maxFencesPerPerson: number;
  /** At most one live position per emergency in this many ms (LIVE_POSITION_INTERVAL_MS). */
  livePositionIntervalMs: number;
  now?: () => Date;
}

export function nowOf(deps: Pick<LocationDeps, 'now'>): Date {
  return deps.now?.() ?? new Date();
}
