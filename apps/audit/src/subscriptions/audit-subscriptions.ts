import { createSubscriptions, type Logger, type Metrics, type Subscriptions } from '@lifeline/kit';
import type { PrismaClient } from '../data/db.ts';
import type { MaintenanceSettings } from '../domain/storage-maintenance.ts';
import { subscribeDeadLetters } from './dead-letters.ts';
import { subscribeDomainEvents, type BulkSettings } from './domain-events.ts';
import { subscribeMaintenance } from './maintenance.ts';

export interface AuditSubscriptionDeps {
  db: PrismaClient;
  pubsubName: string;
  logger: Logger;
  metrics: Metrics;
  bulk: BulkSettings;
  maintenance: MaintenanceSettings;
}

/** Everything the sidecar delivers to audit: each domain topic, each of their dead-letter topics, the maintenance cron. */
export function auditSubscriptions(deps: AuditSubscriptionDeps): Subscriptions {
  const subs = createSubscriptions({ pubsubName: deps.pubsubName, logger: deps.logger, metrics: deps.metrics });
  subscribeDomainEvents(subs, deps.db, deps.bulk);
  subscribeDeadLetters(subs, deps.db);
  subscribeMaintenance(subs, deps.db, deps.maintenance);
  return subs;
}
