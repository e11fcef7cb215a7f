import { createSubscriptions, type Logger, type Metrics, type Subscriptions } from '@lifeline/kit';
import type { Db } from '../data/db.ts';
import { subscribeDeadLetters } from './dead-letters.ts';
import { subscribeDomainEvents } from './domain-events.ts';

export interface AuditSubscriptionDeps {
  db: Db;
  pubsubName: string;
  logger: Logger;
  metrics: Metrics;
}

/** Everything audit consumes: each domain topic and each of their dead-letter topics. */
export function auditSubscriptions(deps: AuditSubscriptionDeps): Subscriptions {
  const subs = createSubscriptions({ pubsubName: deps.pubsubName, logger: deps.logger, metrics: deps.metrics });
  subscribeDomainEvents(subs, deps.db);
  subscribeDeadLetters(subs, deps.db);
  return subs;
}
