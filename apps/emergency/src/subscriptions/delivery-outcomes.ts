import { topicSchemas, type TopicEvent } from '@lifeline/contracts';
import type { Subscriptions } from '@lifeline/kit';
import type { SqlPool } from '../data/db.ts';
import { recordDeliveryOutcome } from '../data/delivery-outcome-repository.ts';

type Outcome = TopicEvent<'notification-events'>;

/** The pages this app sends; every other delivery outcome on the topic is none of its business. */
const PAGE_TYPES: ReadonlySet<string> = new Set(['emergency.escalated', 'emergency.exhausted']);

const CONSUMER = 'emergency:delivery-outcome';

function outcomeData(e: Outcome): Record<string, unknown> {
  const d = e.data;
  const base = { outcome: e.type.replace('notification.', ''), channel: d.channel, recipient: d.userId, notificationId: d.notificationId };
  switch (e.type) {
    case 'notification.sent':
      return { ...base, attempt: e.data.attempt, at: e.data.sentAt };
    case 'notification.failed':
      return { ...base, attempt: e.data.attempt, error: e.data.error, willRetry: e.data.willRetry, at: e.data.failedAt };
    case 'notification.suppressed':
      return { ...base, reason: e.data.reason, at: e.data.suppressedAt };
  }
}

/**
 * notification-events -> the timeline: how each page reached each recipient (sent, failed with the error,
 * suppressed with the reason), found by the page's event id. Recorded once per outcome event (inbox mark and
 * timeline entry in one statement), so a redelivery adds nothing. Outcomes of other notifications pass straight through;
 * the topic carries every delivery of the platform, so it comes in batches.
 */
export function subscribeDeliveryOutcomes(subs: Subscriptions, db: SqlPool): void {
  subs.on({
    topic: 'notification-events',
    schema: topicSchemas['notification-events'],
    batched: { maxMessagesCount: 100, maxAwaitDurationMs: 50, concurrency: 4 },
    handler: async (event: Outcome) => {
      if (!PAGE_TYPES.has(event.data.causeEventType)) return 'SUCCESS';
      await recordDeliveryOutcome(db, { consumer: CONSUMER, eventId: event.id }, event.data.causeEventId, outcomeData(event));
      return 'SUCCESS';
    },
  });
}
