import { createSubscriptions, type DaprClient, type Logger, type Metrics, type Subscriptions } from '@lifeline/kit';
import type { LiveHub } from '../live/live-hub.ts';
import type { NotifyDeps } from '../domain/notify-deps.ts';
import { subscribeDomainEvents, type DomainEventSettings } from './domain-events.ts';
import { subscribeEmergencyPositions } from './emergency-positions.ts';
import { subscribeLiveFanout, type LiveFanoutSettings } from './live-fanout.ts';

export interface NotificationSubscriptionDeps {
  pubsubName: string;
  logger: Logger;
  metrics: Metrics;
  /** Hands live positions to the fan-out. */
  dapr: Pick<DaprClient, 'publish'>;
  notify: NotifyDeps;
  hub: LiveHub;
  domain: DomainEventSettings;
  live: LiveFanoutSettings;
}

/** Everything the sidecar delivers to notification: the domain topics, live emergency positions and the live fan-out. */
export function notificationSubscriptions(deps: NotificationSubscriptionDeps): Subscriptions {
  const subs = createSubscriptions({ pubsubName: deps.pubsubName, logger: deps.logger, metrics: deps.metrics });
  subscribeDomainEvents(subs, deps.notify, deps.domain);
  subscribeLiveFanout(subs, deps.hub, deps.notify.metrics, deps.live);
  subscribeEmergencyPositions(subs, { dapr: deps.dapr, hub: deps.hub, metrics: deps.metrics, logger: deps.logger }, { fanoutPubsub: deps.live.pubsubName, maxAgeMs: deps.live.maxAgeMs });
  return subs;
}
