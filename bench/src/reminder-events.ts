import { randomUUID } from 'node:crypto';
import { makeEvent, type EventOf } from '@lifeline/contracts';

/**
 * A valid reminder.due for `ownerId`, shaped like the one the tasks app's reminder scan publishes (system
 * actor, due now, on UTC). Its `time` is the moment it is made: the start of the event-to-sent latency.
 */
export function benchReminder(ownerId: string): EventOf<'reminder.due'> {
  const taskId = randomUUID();
  const now = new Date().toISOString();
  return makeEvent('reminder.due', {
    source: 'tasks',
    subject: taskId,
    actor: { id: 'tasks', kind: 'system' },
    data: { taskId, ownerId, title: 'Take the blood pressure tablets', priority: 'normal', dueAt: now, remindAt: now, timezone: 'UTC' },
  });
}
