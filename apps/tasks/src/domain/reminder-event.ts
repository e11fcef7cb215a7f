import { currentTraceparent, uuidV5 } from '@lifeline/kit';
import { makeEvent, taskPrioritySchema, topicOf } from '@lifeline/contracts';
import type { OutboxEntry } from '@lifeline/db';
import type { DueReminder } from '../data/reminder-repository.ts';
import { EVENT_SOURCE } from './task-event.ts';

// Fixed namespace of reminder event ids; changing it would make consumers see old reminders as new ones.
const REMINDER_NAMESPACE = '8d1f6c2e-3b4a-5c6d-8e7f-9a0b1c2d3e4f';

/** One id per (task, remindAt): a reminder written twice (or replayed from the outbox) is one event downstream. */
export function reminderEventId(taskId: string, remindAt: Date): string {
  return uuidV5(`reminder.due/${taskId}/${remindAt.toISOString()}`, REMINDER_NAMESPACE);
}

export function reminderEvent(reminder: DueReminder): OutboxEntry {
  const event = makeEvent('reminder.due', {
    id: reminderEventId(reminder.taskId, reminder.remindAt),
    source: EVENT_SOURCE,
    subject: reminder.taskId,
    // Nobody asked for this one: the clock did.
    actor: { id: EVENT_SOURCE, kind: 'system' },
    data: {
      taskId: reminder.taskId,
      ownerId: reminder.ownerId,
      title: reminder.title,
      priority: taskPrioritySchema.parse(reminder.priority),
      dueAt: reminder.dueAt === null ? null : reminder.dueAt.toISOString(),
      remindAt: reminder.remindAt.toISOString(),
      timezone: reminder.timezone,
    },
    traceparent: currentTraceparent(),
  });
  return { id: event.id, topic: topicOf('reminder.due'), type: 'reminder.due', payload: event };
}
