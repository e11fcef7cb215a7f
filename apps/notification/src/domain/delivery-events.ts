import { makeEvent, type AnyEvent } from '@lifeline/contracts';
import type { Emit } from '@lifeline/db';
import { currentTraceparent } from '@lifeline/kit';
import type { Delivery } from './delivery.ts';

export const EVENT_SOURCE = 'notification';
const SYSTEM = { id: EVENT_SOURCE, kind: 'system' } as const;
const ERROR_MAX = 1000;

/** The contract event announcing a delivery's final state, or undefined while it is still queued. */
export function deliveryEvent(d: Delivery): AnyEvent | undefined {
  const common = {
    source: EVENT_SOURCE,
    subject: d.id,
    actor: SYSTEM,
    traceparent: currentTraceparent(),
  };
  const fields = { notificationId: d.id, userId: d.userId, channel: d.channel, causeEventId: d.causeEventId, causeEventType: d.causeEventType };
  switch (d.status) {
    case 'sent':
      return makeEvent('notification.sent', { ...common, data: { ...fields, attempt: d.attempts, sentAt: d.sentAt ?? d.updatedAt } });
    case 'failed':
      return makeEvent('notification.failed', {
        ...common,
        data: { ...fields, attempt: Math.max(1, d.attempts), error: (d.lastError ?? 'unknown error').slice(0, ERROR_MAX) || 'unknown error', willRetry: false, failedAt: d.updatedAt },
      });
    case 'suppressed':
      return makeEvent('notification.suppressed', { ...common, data: { ...fields, reason: d.reason ?? 'preference-disabled', suppressedAt: d.updatedAt } });
    case 'queued':
      return undefined;
  }
}

/** Emit in the transaction that made the delivery final, so the event is published if and only if it committed. */
export function emitDeliveryEvent(emit: Emit, d: Delivery): void {
  const event = deliveryEvent(d);
  if (event) emit({ id: event.id, topic: 'notification-events', type: event.type, payload: event });
}
