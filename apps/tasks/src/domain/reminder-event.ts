import { createHash } from 'node:crypto';
import { currentTraceparent } from '@lifeline/kit';
import { makeEvent, taskPrioritySchema, topicOf } from '@lifeline/contracts';
import type { OutboxEntry } from '@lifeline/db';
import type { DueReminder } from '../data/reminder-repository.ts';
import { EVENT_SOURCE } from './task-event.ts';

// Fixed namespace of reminder event ids; changing it would make consumers see old reminders as new ones.
const REMINDER_NAMESPACE = '8d1f6c2e-3b4a-5c6d-8e7f-9a0b1c2d3e4f';

/** RFC 9562 name-based UUID (version 5, SHA-1): the same name always gives the same id. */
export function uuidV5(name: string, namespace: string): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

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
