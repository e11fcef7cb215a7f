import { topicSchemas, type TopicEvent } from '@lifeline/contracts';
import { inOutboxTransaction, runOnce } from '@lifeline/db';
import type { TypedSubscription } from '@lifeline/kit';
import { followSourceTask } from '../domain/follow-source-task.ts';
import { generateInstances } from '../domain/generate-instances.ts';
import { nowOf, type RecurringDeps } from '../domain/recurring-deps.ts';
import { seriesToTopUp, trackInstance } from '../domain/track-instance.ts';

const CONSUMER = 'recurring:task-events';

/**
 * task-events: a task with a recurrence starts a series; changes of a source task end or revise it; changes
 * of an instance task are tracked; a completed instance tops its series up. The effects and the inbox mark
 * commit together, so a redelivery changes nothing twice. The top-up runs after the commit, on redeliveries
 * too: generation is idempotent, and a top-up that failed (tasks app down) is retried with the event.
 */
export function taskEventsSubscription(deps: RecurringDeps): TypedSubscription<TopicEvent<'task-events'>> {
  return {
    topic: 'task-events',
    schema: topicSchemas['task-events'],
    // Every task change of the platform passes here and most concern no series: batches cost one request
    // each instead of one per event. In delivery order, so a task's created is followed before its updated.
    batched: { maxMessagesCount: 100, maxAwaitDurationMs: 50 },
    handler: async (event, ctx) => {
      // Most tasks do not recur, and a creation is never an instance change: such an event concerns no series,
      // so it costs no transaction and no inbox row (the whole platform's task-create rate passes through here).
      if (event.type === 'task.created' && event.data.after.recurrence === null) return 'SUCCESS';
      await inOutboxTransaction(deps, async (tx, emit) => {
        if (!(await runOnce(tx, { consumer: CONSUMER, eventId: event.id }))) return;
        await followSourceTask({ tx, emit, now: nowOf(deps), logger: ctx.logger }, event);
        await trackInstance(tx, event, deps.serviceId);
      });
      const seriesId = await seriesToTopUp(deps.prisma, event);
      if (seriesId !== undefined) await generateInstances(deps, seriesId);
      return 'SUCCESS';
    },
  };
}
