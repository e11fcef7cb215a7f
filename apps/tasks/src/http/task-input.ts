import { z } from 'zod';
import { taskPrioritySchema, taskStateSchema } from '@lifeline/contracts';

const fields = taskStateSchema.shape;

/** The contract's pattern, then the runtime's zone database; stored in its canonical spelling (europe/berlin -> Europe/Berlin). */
const ianaTimezone = fields.timezone.transform((zone, ctx) => {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: 'custom', message: `unknown time zone "${zone}"; expected an IANA name such as "Europe/Berlin"` });
    return z.NEVER;
  }
});

// Only the shape is checked here; the recurring service expands the rule and owns its full semantics.
const rrule = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .regex(/(^|[\s;:])FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(?=;|\s|$)/i, 'expected an RFC 5545 RRULE such as "FREQ=DAILY;BYHOUR=8"');

const tags = z
  .array(z.string().trim().min(1).max(50))
  .max(20)
  .transform((list) => [...new Set(list)]);

const isoInstant = fields.dueAt.unwrap().transform((text) => new Date(text).toISOString());

/** POST /tasks. Strict: a misspelt field is an error, not silently ignored. */
export const createTaskBody = z.strictObject({
  ownerId: fields.ownerId.optional(),
  title: z.string().trim().pipe(fields.title),
  notes: fields.notes.optional(),
  priority: taskPrioritySchema.default('normal'),
  tags: tags.default([]),
  dueAt: isoInstant.nullable().optional(),
  remindAt: isoInstant.nullable().optional(),
  timezone: ianaTimezone.default('UTC'),
  recurrence: rrule.nullable().optional(),
});

export const taskIdParams = z.object({ id: z.uuid('expected a task id (UUID)') });
