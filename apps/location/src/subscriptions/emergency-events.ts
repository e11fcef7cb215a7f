import { topicSchemas, type TopicEvent } from '@lifeline/contracts';
import { runOnce } from '@lifeline/db';
import type { Subscriptions } from '@lifeline/kit';
import type { Pool } from '../data/db.ts';
import { applyLiveChange, liveChangeOf } from '../domain/live-emergencies.ts';

const CONSUMER = 'location:live-emergencies';

/**
 * emergency-events -> the open emergencies and their viewers (nearby, live positions). Batched: every event
 * of every emergency passes here and each is one short transaction. Each event is applied once (inbox in the
 * same transaction); the changes commute (opening never reopens, viewers only join open emergencies), so the
 * order events arrive in, also within a batch, cannot reopen a closed emergency. A thrown error is RETRY.
 */
export function subscribeEmergencyEvents(subs: Subscriptions, sql: Pool): void {
  subs.on({
    topic: 'emergency-events',
    schema: topicSchemas['emergency-events'],
    batched: { maxMessagesCount: 100, maxAwaitDurationMs: 50, concurrency: 4 },
    handler: async (event: TopicEvent<'emergency-events'>, ctx) => {
      const change = liveChangeOf(event);
      await sql.$transaction(async (tx) => {
        if (!(await runOnce(tx, { consumer: CONSUMER, eventId: event.id }))) return;
        await applyLiveChange(tx, change);
      });
      ctx.logger.debug({ emergencyId: change.emergencyId, change: change.kind }, 'emergency event applied');
      return 'SUCCESS';
    },
  });
}
