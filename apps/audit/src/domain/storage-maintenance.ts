import type { Db } from '../data/db.ts';
import { dropExpiredAuditPartitions, ensureAuditPartitions, setAuditCompressionAfter } from '../data/storage-maintenance.ts';

export interface MaintenanceSettings {
  partitionMonthsAhead: number;
  retentionDays: number;
  compressionDays: number;
}

export interface MaintenanceReport {
  partitionsCreated: number;
  partitionsDropped: number;
  compressionPolicyChanged: boolean;
}

export class MaintenanceError extends AggregateError {
  constructor(
    errors: unknown[],
    readonly report: Partial<MaintenanceReport>,
  ) {
    super(errors, `audit maintenance: ${errors.length} step(s) failed`);
    this.name = 'MaintenanceError';
  }
}

/**
 * The periodic storage job: partitions ahead first (what keeps ingestion cheap), then retention, then the
 * compression age. Each step runs even when an earlier one failed (a refused retention must not stop new
 * partitions from being made); the failures are reported together at the end.
 */
export async function runStorageMaintenance(db: Db, settings: MaintenanceSettings): Promise<MaintenanceReport> {
  const report: Partial<MaintenanceReport> = {};
  const errors: unknown[] = [];
  const step = async <K extends keyof MaintenanceReport>(key: K, work: () => Promise<MaintenanceReport[K]>) => {
    try {
      report[key] = await work();
    } catch (err) {
      errors.push(err);
    }
  };
  await step('partitionsCreated', () => ensureAuditPartitions(db, settings.partitionMonthsAhead));
  await step('partitionsDropped', () => dropExpiredAuditPartitions(db, settings.retentionDays));
  await step('compressionPolicyChanged', () => setAuditCompressionAfter(db, settings.compressionDays));
  if (errors.length > 0) throw new MaintenanceError(errors, report);
  return report as MaintenanceReport;
}
