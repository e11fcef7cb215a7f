import { NOTIFICATION_LIVE_TOPIC, type NotificationLiveMessage } from '@lifeline/contracts';
import type { DaprClient } from '@lifeline/kit';
import type { Delivery, SendResult } from '../../domain/delivery.ts';
import type { Channel } from '../../domain/notify-deps.ts';

export function liveMessage(d: Delivery): NotificationLiveMessage {
  return {
    id: d.id,
    userId: d.userId,
    channel: 'websocket',
    publishedAt: new Date().toISOString(),
    notification: {
      id: d.id,
      kind: d.content.kind,
      category: d.category,
      priority: d.priority,
      title: d.content.title,
      body: d.content.body,
      data: d.content.data,
      createdAt: d.createdAt,
    },
  };
}

/**
 * WebSocket delivery hands the message to the fan-out pub/sub component; every replica receives it and the
 * one(s) holding the user's sockets write it (see live/). "Sent" therefore means the broker took it: a user
 * with no open socket finds it later in GET /notifications. The sidecar's refusal is transient.
 */
export function websocketChannel(dapr: Pick<DaprClient, 'publish'>, fanoutPubsub: string): Channel {
  return {
    async send(d: Delivery): Promise<SendResult> {
      try {
        await dapr.publish(NOTIFICATION_LIVE_TOPIC, liveMessage(d), { pubsubName: fanoutPubsub, id: d.id, type: 'notification.live' });
        return { ok: true, providerMessageId: d.id };
      } catch (err) {
        return { ok: false, transient: true, error: `fan-out publish: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}
