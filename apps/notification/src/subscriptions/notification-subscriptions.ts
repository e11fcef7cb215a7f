import { createSubscriptions, type Logger, type Metrics, type Subscriptions } from '@lifeline/kit';
import type { LiveHub } from '../live/live-hub.ts';
import type { NotifyDeps } from '../domain/notify-deps.ts';
import { subscribeDomainEvents, type DomainEventSettings } from './domain-events.ts';
import { subscribeLiveFanout, type LiveFanoutSettings } from './live-fanout.ts';

export interface NotificationSubscriptionDeps {
  pubsubName: string;
  logger: Logger;
  metrics: Metrics;
  notify: NotifyDeps;
  hub: LiveHub;
  domain: DomainEventSettings;
  live: LiveFanoutSettings;
}

/** Everything the sidecar delivers to notification: the four domain topics and the live fan-out. */
export function notificationSubscriptions(deps: NotificationSubscriptionDeps): Subscriptions {
  const subs = createSubscriptions({ pubsubName: deps.pubsubName, logger: deps.logger, metrics: deps.metrics });
  subscribeDomainEvents(subs, deps.notify, deps.domain);
  subscribeLiveFanout(subs, deps.hub, deps.notify.metrics, deps.live);
  return subs;
}
