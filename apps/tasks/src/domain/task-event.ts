import type { AuthContext } from '@lifeline/kit';
import { currentTraceparent } from '@lifeline/kit';
import { makeEvent, topicOf, type DataOf, type TopicTypes } from '@lifeline/contracts';
import type { OutboxEntry } from '@lifeline/db';

export const EVENT_SOURCE = 'tasks';

type TaskEventType = TopicTypes<'task-events'>;

/**
 * Builds the contract event for a task change as an outbox row. makeEvent validates it, so a change whose
 * event consumers would reject fails before anything is written.
 */
export function taskEvent<T extends TaskEventType>(type: T, taskId: string, caller: AuthContext, data: DataOf<T>): OutboxEntry {
  const event = makeEvent(type, {
    source: EVENT_SOURCE,
    subject: taskId,
    actor: { id: caller.userId, kind: caller.service === true ? 'system' : 'user' },
    data,
    traceparent: currentTraceparent(),
  });
  return { id: event.id, topic: topicOf(type), type, payload: event };
}
