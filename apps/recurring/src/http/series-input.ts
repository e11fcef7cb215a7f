import { z } from 'zod';
import { isoDateTime, seriesStateSchema, taskPrioritySchema } from '@lifeline/contracts';

// The schemas every route validates with: size and type here (400); the rule's grammar and whether it occurs
// are the domain's (422).

const fields = seriesStateSchema.shape;

const title = z.string().trim().min(1, 'must not be blank').max(200);

const tags = z
  .array(z.string().trim().min(1).max(50))
  .max(20)
  .transform((list) => [...new Set(list)]);

const recurrence = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .describe('RFC 5545: "DTSTART;TZID=Europe/Berlin:20261201T080000\\nRRULE:FREQ=DAILY", optionally with EXDATE/RDATE lines.');

const remindBeforeMinutes = fields.remindBeforeMinutes.describe('Instances remind this many minutes before they are due; null: no reminder.');

const instant = isoDateTime.transform((text) => new Date(text));

/** POST /series. Strict: a misspelt field is an error, not silently ignored. */
export const createSeriesBody = z.strictObject({
  ownerId: fields.ownerId.optional().describe('Whose series; the caller when absent.'),
  title,
  notes: fields.notes.default(null),
  priority: taskPrioritySchema.default('normal'),
  tags: tags.default([]),
  recurrence,
  remindBeforeMinutes: remindBeforeMinutes.default(null),
});

/** PATCH /series/{id}: absent keeps a field, null clears a clearable one; `version` may stand in for If-Match. */
export const patchSeriesBody = z
  .strictObject({
    title,
    notes: fields.notes,
    priority: taskPrioritySchema,
    tags,
    recurrence,
    remindBeforeMinutes,
    version: z.int().min(1).describe('The version the change is based on (alternative to If-Match).'),
  })
  .partial()
  .refine((body) => Object.keys(body).some((key) => key !== 'version'), { message: 'name at least one field to change' });

export const seriesIdParams = z.object({ id: z.uuid('expected a series id (UUID)') });

/** GET /series/{id}/occurrences. Unknown parameters are refused: a typo must not silently change the range. */
export const occurrencesQuery = z
  .strictObject({
    from: instant.optional().describe('Start of the range (inclusive); now when absent.'),
    to: instant.optional().describe('End of the range (exclusive); the horizon after `from` when absent.'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { path: ['to'], message: 'must be after from' });

export const listSeriesQuery = z.strictObject({
  ownerId: fields.ownerId.optional().describe('Whose series; the caller when absent.'),
  status: fields.status.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.uuid('expected the id of the last series of the previous page').optional(),
});
