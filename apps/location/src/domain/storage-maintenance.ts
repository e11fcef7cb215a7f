import type { Sql } from '../data/db.ts';
import { dropExpiredPartitions, ensurePartitions, refreshTrail } from '../data/storage-maintenance.ts';
import { HISTORY_DAYS, TRAIL_DAYS } from './position.ts';

export interface MaintenanceReport {
  partitionsCreated: number;
  partitionsDropped: number;
  trailBuckets: number;
}

export class MaintenanceError extends AggregateError {
  constructor(
    errors: unknown[],
    readonly report: Partial<MaintenanceReport>,
  ) {
    super(errors, `location maintenance: ${errors.length} step(s) failed`);
    this.name = 'MaintenanceError';
  }
}

/**
 * The periodic storage job (native storage; on TimescaleDB each step is a no-op, its policies do the work):
 * partitions ahead first (what keeps ingestion from landing in the default partition), the trail, then
 * retention. Each step runs even when an earlier one failed; the failures are reported together.
 */
export async function runStorageMaintenance(db: Sql, daysAhead: number): Promise<MaintenanceReport> {
  const report: Partial<MaintenanceReport> = {};
  const errors: unknown[] = [];
  const step = async <K extends keyof MaintenanceReport>(key: K, work: () => Promise<number>) => {
    try {
      report[key] = await work();
    } catch (err) {
      errors.push(err);
    }
  };
  await step('partitionsCreated', () => ensurePartitions(db, HISTORY_DAYS + 1, daysAhead));
  await step('trailBuckets', () => refreshTrail(db));
  await step('partitionsDropped', () => dropExpiredPartitions(db, HISTORY_DAYS, TRAIL_DAYS));
  if (errors.length > 0) throw new MaintenanceError(errors, report);
  return report as MaintenanceReport;
}
