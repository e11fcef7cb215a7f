import { z } from 'zod';
import { text } from '../text.ts';
import { defineEvent } from '../envelope.ts';
import { isoDateTime, longText, shortText, timezone, userId, uuid } from '../primitives.ts';
import { taskPrioritySchema, taskStateSchema } from './task-events.ts';

/** Why a series stopped producing instances. */
export const seriesEndReasonSchema = z.enum([
  /** COUNT or UNTIL is used up: no occurrence is left. */
  'rule-exhausted',
  /** The source task's recurrence was removed. */
  'recurrence-removed',
  /** The source task was deleted. */
  'task-deleted',
  /** DELETE /series/{id}. */
  'series-deleted',
]);
export type SeriesEndReason = z.infer<typeof seriesEndReasonSchema>;

/** A recurring series as the recurring app stores it: the template every instance task is made from. */
export const seriesStateSchema = z.strictObject({
  id: uuid,
  ownerId: userId,
  /** The task the series was born from (it carries the recurrence); null for a series made with POST /series. */
  sourceTaskId: uuid.nullable(),
  title: shortText,
  notes: longText.nullable(),
  priority: taskPrioritySchema,
  tags: taskStateSchema.shape.tags,
  /** RFC 5545 text: DTSTART;TZID=...:... plus RRULE (and optional EXDATE/RDATE) lines. */
  recurrence: text().min(1).max(2000),
  /** The recurrence's TZID: instances keep their local time across DST changes in this zone. */
  timezone,
  /** DTSTART as an instant. */
  startsAt: isoDateTime,
  /** Instances get remindAt = dueAt minus this many minutes; null: no reminder. */
  remindBeforeMinutes: z.int().min(0).max(10_080).nullable(),
  status: z.enum(['active', 'ended']),
  endReason: seriesEndReasonSchema.nullable(),
  endedAt: isoDateTime.nullable(),
  /** Bumped whenever the template changes; instances of an older revision that nobody started are replaced. */
  revision: z.int().min(1),
  /** Every occurrence before this instant has its instance (or lay in the past when generation reached it). */
  generatedUntil: isoDateTime,
  version: z.int().min(1),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  createdBy: userId,
});
export type SeriesState = z.infer<typeof seriesStateSchema>;

export const seriesFieldSchema = z.enum(seriesStateSchema.keyof().options);

export const seriesCreatedEventSchema = defineEvent('series.created', z.strictObject({ after: seriesStateSchema }));

export const seriesUpdatedEventSchema = defineEvent(
  'series.updated',
  z.strictObject({
    before: seriesStateSchema,
    after: seriesStateSchema,
    changedFields: z.array(seriesFieldSchema).min(1).max(seriesFieldSchema.options.length),
  }),
);

export const seriesEndedEventSchema = defineEvent(
  'series.ended',
  z.strictObject({
    seriesId: uuid,
    ownerId: userId,
    reason: seriesEndReasonSchema,
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
