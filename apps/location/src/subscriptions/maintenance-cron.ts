import type { InputBinding } from '@lifeline/kit';
import type { Sql } from '../data/db.ts';
import { pruneClosedEmergencies } from '../data/live-emergency-repository.ts';
import { MaintenanceError, runStorageMaintenance } from '../domain/storage-maintenance.ts';

/** The Dapr cron binding (components/dapr/common/location-maintenance-cron.yaml); daprd calls POST /<name>. */
export const MAINTENANCE_BINDING = 'location-maintenance-cron';

/** Closed emergencies (and the inbox marks of their events) are kept this long, then forgotten. */
const CLOSED_EMERGENCY_DAYS = 30;

/**
 * Every tick: partitions ahead, the trail's new minutes, expired days dropped, long-closed emergencies forgotten. Ticks may overlap or reach
 * every replica: the database functions serialize themselves. A failure answers 500; the next tick redoes it.
 */
export function maintenanceCron(db: Sql, daysAhead: number): InputBinding {
  return {
    name: MAINTENANCE_BINDING,
    handler: async (_body, ctx) => {
      try {
        const report = await runStorageMaintenance(db, daysAhead);
        if (report.partitionsCreated + report.partitionsDropped + report.trailBuckets > 0) ctx.logger.info(report, 'location storage maintenance done');
        const forgotten = await pruneClosedEmergencies(db, CLOSED_EMERGENCY_DAYS);
        if (forgotten > 0) ctx.logger.info({ forgotten }, 'long-closed emergencies forgotten');
      } catch (err) {
        if (err instanceof MaintenanceError) {
          for (const cause of err.errors) ctx.logger.error({ err: cause, ...err.report }, 'location storage maintenance step failed');
        }
        throw err;
      }
    },
  };
}
