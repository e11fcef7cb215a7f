import { z } from 'zod';
import { text } from '../text.ts';
import { defineEvent } from '../envelope.ts';
import { isoDateTime, longText, shortText, timezone, userId, uuid } from '../primitives.ts';

export const taskPrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export const taskStatusSchema = z.enum(['open', 'done', 'cancelled']);

/** The full task as the tasks app stores it; events carry it whole so consumers never call back for it. */
export const taskStateSchema = z.strictObject({
  id: uuid,
  ownerId: userId,
  title: shortText,
  notes: longText.nullable(),
  priority: taskPrioritySchema,
  tags: z.array(text().min(1).max(50)).max(20),
  dueAt: isoDateTime.nullable(),
  remindAt: isoDateTime.nullable(),
  timezone,
  status: taskStatusSchema,
  completedAt: isoDateTime.nullable(),
  recurrence: text().min(1).max(2000).nullable(),
  version: z.int().min(0),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  createdBy: userId,
});
export type TaskState = z.infer<typeof taskStateSchema>;

export const taskFieldSchema = z.enum(taskStateSchema.keyof().options);

export const taskCreatedEventSchema = defineEvent('task.created', z.strictObject({ after: taskStateSchema }));

export const taskUpdatedEventSchema = defineEvent(
  'task.updated',
  z.strictObject({
    before: taskStateSchema,
    after: taskStateSchema,
    changedFields: z.array(taskFieldSchema).min(1).max(taskFieldSchema.options.length),
  }),
);

export const taskCompletedEventSchema = defineEvent(
  'task.completed',
  z.strictObject({ before: taskStateSchema, after: taskStateSchema }),
);

export const taskDeletedEventSchema = defineEvent('task.deleted', z.strictObject({ before: taskStateSchema }));

export const taskEventSchema = z.discriminatedUnion('type', [
  taskCreatedEventSchema,
  taskUpdatedEventSchema,
  taskCompletedEventSchema,
  taskDeletedEventSchema,
]);
