import type { Subscriptions } from '@lifeline/kit';
import type { Db } from '../data/db.ts';
import { MaintenanceError, runStorageMaintenance, type MaintenanceSettings } from '../domain/storage-maintenance.ts';

/** The Dapr cron binding (components/dapr/common/audit-maintenance-cron.yaml) that runs the storage job. */
export const MAINTENANCE_BINDING = 'audit-maintenance-cron';

export function subscribeMaintenance(subs: Subscriptions, db: Db, settings: MaintenanceSettings): void {
  subs.binding({
    name: MAINTENANCE_BINDING,
    handler: async (_body, ctx) => {
      try {
        const report = await runStorageMaintenance(db, settings);
        ctx.logger.info({ ...report, ...settings }, 'audit storage maintenance done');
      } catch (err) {
        if (err instanceof MaintenanceError) {
          for (const cause of err.errors) ctx.logger.error({ err: cause, ...err.report }, 'audit storage maintenance step failed');
        }
        throw err;
      }
    },
  });
}
