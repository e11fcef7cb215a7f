import { z } from 'zod';
import { defineEvent } from '../envelope.ts';
import { isoDateTime, shortText, timezone, userId, uuid } from '../primitives.ts';

export const seriesStateSchema = z.strictObject({
  id: uuid,
  ownerId: userId,
  sourceTaskId: uuid,
  title: shortText,
  rrule: z.string().min(1).max(2000),
  timezone,
  startsAt: isoDateTime,
  status: z.enum(['active', 'ended']),
  generatedUntil: isoDateTime.nullable(),
  version: z.int().min(0),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type SeriesState = z.infer<typeof seriesStateSchema>;

export const seriesCreatedEventSchema = defineEvent('series.created', z.strictObject({ after: seriesStateSchema }));

export const seriesUpdatedEventSchema = defineEvent(
  'series.updated',
  z.strictObject({ before: seriesStateSchema, after: seriesStateSchema }),
);

export const seriesEndedEventSchema = defineEvent(
  'series.ended',
  z.strictObject({
    seriesId: uuid,
    ownerId: userId,
    reason: z.enum(['rule-exhausted', 'recurrence-removed', 'task-completed', 'task-deleted']),
    endedAt: isoDateTime,
  }),
);

// DESIGN.md caps one generation at 12 instances.
export const generatedInstanceSchema = z.strictObject({ taskId: uuid, dueAt: isoDateTime });

export const instancesGeneratedEventSchema = defineEvent(
  'instances.generated',
  z.strictObject({
    seriesId: uuid,
    ownerId: userId,
    instances: z.array(generatedInstanceSchema).min(1).max(12),
    horizonEnd: isoDateTime,
  }),
);

export const recurringTaskEventSchema = z.discriminatedUnion('type', [
  seriesCreatedEventSchema,
  seriesUpdatedEventSchema,
  seriesEndedEventSchema,
  instancesGeneratedEventSchema,
]);
