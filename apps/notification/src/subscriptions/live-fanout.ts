import { NOTIFICATION_LIVE_TOPIC, notificationLiveMessageSchema } from '@lifeline/contracts';
import type { Subscriptions } from '@lifeline/kit';
import type { LiveHub } from '../live/live-hub.ts';
import { RecentIds } from '../live/recent-ids.ts';
import type { NotificationMetrics } from '../notification-metrics.ts';

export interface LiveFanoutSettings {
  pubsubName: string;
  /** Older messages are ignored: a new consumer group may start with what the stream still holds. */
  maxAgeMs: number;
}

/**
 * Every replica receives every live message (the fan-out component's consumer group is per replica); only
 * the replica holding the user's sockets writes it. A repeat of a message id within the window is ignored,
 * so a redelivery never shows a notification twice. Always SUCCESS: nothing here gets better by retrying.
 */
export function subscribeLiveFanout(subs: Subscriptions, hub: LiveHub, metrics: NotificationMetrics, settings: LiveFanoutSettings): void {
  const seen = new RecentIds(settings.maxAgeMs * 2);
  subs.on({
    topic: NOTIFICATION_LIVE_TOPIC,
    pubsubName: settings.pubsubName,
    schema: notificationLiveMessageSchema,
    handler: async (message, ctx) => {
      const age = Date.now() - Date.parse(message.publishedAt);
      let outcome: 'stale' | 'duplicate' | 'delivered' | 'no-socket';
      if (age > settings.maxAgeMs) outcome = 'stale';
      else if (!seen.firstTime(message.id)) outcome = 'duplicate';
      else outcome = hub.deliver(message.userId, message.notification) > 0 ? 'delivered' : 'no-socket';
      metrics.liveMessages.inc({ outcome });
      if (outcome === 'stale') ctx.logger.info({ notificationId: message.id, ageMs: age }, 'stale live message ignored');
      else ctx.logger.debug({ notificationId: message.id, outcome }, 'live message');
      return 'SUCCESS';
    },
  });
}
