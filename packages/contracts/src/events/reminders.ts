import { z } from 'zod';
import { defineEvent } from '../envelope.ts';
import { isoDateTime, shortText, timezone, userId, uuid } from '../primitives.ts';
import { taskPrioritySchema } from './task-events.ts';

// Carries what a notification needs to render, so the notification app never reads the tasks app's data.
export const reminderDueEventSchema = defineEvent(
  'reminder.due',
  z.strictObject({
    taskId: uuid,
    ownerId: userId,
    title: shortText,
    priority: taskPrioritySchema,
    dueAt: isoDateTime.nullable(),
    remindAt: isoDateTime,
    timezone,
  }),
);

export const reminderEventSchema = z.discriminatedUnion('type', [reminderDueEventSchema]);
