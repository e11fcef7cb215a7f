import { z } from 'zod';
import { taskPrioritySchema, taskStateSchema, taskStatusSchema } from '@lifeline/contracts';
import { TASK_SORT_FIELDS } from '../data/task-list-repository.ts';

// The schemas every route validates with; the OpenAPI document is generated from these same objects.

const fields = taskStateSchema.shape;

/** The contract's pattern, then the runtime's zone database; stored in its canonical spelling (europe/berlin -> Europe/Berlin). */
const ianaTimezone = fields.timezone
  .transform((zone, ctx) => {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      ctx.addIssue({ code: 'custom', message: `unknown time zone "${zone}"; expected an IANA name such as "Europe/Berlin"` });
      return z.NEVER;
    }
  })
  .describe('IANA time zone the task lives in, e.g. "Europe/Berlin".');

// Only size and type here (400); the grammar and whether it ever occurs are checked by the domain (422).
const recurrence = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .describe('RFC 5545 recurrence: a DTSTART line with TZID, one RRULE line, and optional EXDATE/RDATE lines (TZID of DTSTART or UTC values ending in Z), e.g. "DTSTART;TZID=Europe/Berlin:20261201T080000\\nRRULE:FREQ=DAILY;COUNT=10".');

const title = z.string().trim().min(1, 'must not be blank').max(200);

const tags = z
  .array(z.string().trim().min(1).max(50))
  .max(20)
  .transform((list) => [...new Set(list)])
  .describe('Labels; duplicates are dropped.');

const isoInstant = fields.dueAt
  .unwrap()
  .transform((text) => new Date(text).toISOString())
  .describe('RFC 3339 date-time with an offset; stored and returned in UTC.');

/** POST /tasks. Strict: a misspelt field is an error, not silently ignored. */
export const createTaskBody = z.strictObject({
  ownerId: fields.ownerId.optional().describe('Whose task; the caller when absent. A caregiver may name a person in their care claim.'),
  title,
  notes: fields.notes.optional(),
  priority: taskPrioritySchema.default('normal'),
  tags: tags.default([]),
  dueAt: isoInstant.nullable().optional(),
  remindAt: isoInstant.nullable().optional().describe('When reminder.due is published (once per value).'),
  timezone: ianaTimezone.optional().describe('IANA time zone; defaults to the recurrence TZID, else UTC.'),
  recurrence: recurrence.nullable().optional(),
});

/**
 * PATCH /tasks/{id}: JSON merge patch (RFC 7396). Absent keeps a field, null removes a removable one;
 * `version` may stand in for If-Match. Completing has its own endpoint, so status is only open or cancelled.
 */
export const patchTaskBody = z
  .strictObject({
    title,
    notes: fields.notes,
    priority: taskPrioritySchema,
    tags,
    dueAt: isoInstant.nullable(),
    remindAt: isoInstant.nullable(),
    timezone: ianaTimezone,
    recurrence: recurrence.nullable(),
    status: z.enum(['open', 'cancelled'], { error: 'expected "open" or "cancelled"; complete a task with POST /tasks/{id}/complete' }),
    version: z.int().min(1).describe('The version the change is based on (alternative to If-Match).'),
  })
  .partial();

export const taskIdParams = z.object({ id: z.uuid('expected a task id (UUID)') });

export const TASK_SORTS = TASK_SORT_FIELDS.flatMap((f) => [f, `-${f}`] as const);

/** GET /tasks. Unknown parameters are refused like unknown body fields: a typo must not silently widen a query. */
export const listTasksQuery = z
  .strictObject({
    ownerId: fields.ownerId.optional().describe('Whose tasks; the caller when absent.'),
    status: z
      .string()
      .max(100)
      // A pattern, not only the transform, so the published schema says which lists are valid.
      .regex(/^\s*(?:open|done|cancelled)\s*(?:,\s*(?:open|done|cancelled)\s*)*$/, 'expected open, done or cancelled, or a comma-separated list of them')
      .transform((text, ctx) => {
        const statuses = text.split(',').map((s) => s.trim());
        const unknown = statuses.find((s) => !taskStatusSchema.safeParse(s).success);
        if (unknown === undefined) return statuses as Array<z.infer<typeof taskStatusSchema>>;
        ctx.addIssue({ code: 'custom', message: `"${unknown}" is not one of ${taskStatusSchema.options.join(', ')}` });
        return z.NEVER;
      })
      .optional()
      .describe('One status or a comma-separated list: open, done, cancelled.'),
    tag: z.string().trim().min(1).max(50).optional().describe('Only tasks carrying this tag.'),
    dueFrom: isoInstant.optional().describe('dueAt at or after this instant.'),
    dueTo: isoInstant.optional().describe('dueAt before this instant.'),
    q: z.string().trim().min(1).max(200).optional().describe('Case-insensitive text in the title.'),
    sort: z.enum(TASK_SORTS).default('dueAt').describe('Sort key; a leading "-" sorts descending. Missing due dates come last.'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(1000).optional().describe('nextCursor of the previous page, with the same filters and sort.'),
  })
  .refine((q) => q.dueFrom === undefined || q.dueTo === undefined || q.dueFrom <= q.dueTo, {
    path: ['dueTo'],
    message: 'must not be before dueFrom',
  });

export const taskPageSchema = z.strictObject({
  items: z.array(taskStateSchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
});
