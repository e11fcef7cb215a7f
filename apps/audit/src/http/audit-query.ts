import { z } from 'zod';
import { isoDateTime } from '@lifeline/contracts';
import { validationProblem } from '@lifeline/kit';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

// Every parameter is a single string: a repeated one (?a=1&a=2) arrives as an array and fails here.
const limit = z
  .string()
  // The whole range in the pattern, so the published schema says exactly what is accepted.
  .regex(/^(?:[1-9]\d{0,2}|1000)$/, `expected an integer 1-${MAX_LIMIT}`)
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_LIMIT))
  .default(DEFAULT_LIMIT);

const cursor = z.string().min(1).max(500);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The platform's instant (RFC 3339 with an offset, years 1900-9999), or a UTC day (2026-05-01 = its
 * midnight) for the convenience of people typing ranges by hand.
 */
const instant = z
  .string()
  .max(40)
  // The shape (and the year window) in the published schema; the calendar and the offset range below.
  .regex(
    /^(?:19|[2-9]\d)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d))?$/,
    'expected an RFC 3339 date-time with an offset, or a date, years 1900-9999',
  )
  .transform((s, ctx) => {
    const text = ISO_DATE.test(s) ? `${s}T00:00:00Z` : s;
    const parsed = isoDateTime.safeParse(text);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid';
      ctx.addIssue({ code: 'custom', message: `expected an RFC 3339 date-time with an offset, or a date (${reason})` });
      return z.NEVER;
    }
    return new Date(text);
  });

const entityType = z
  .string()
  .max(63)
  .regex(/^[a-z][a-z0-9-]*$/, 'expected an entity type such as "task"');
const entityId = z.string().min(1).max(200);
const userId = z.string().min(1).max(128);
const action = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9._-]*$/, 'expected an action such as "created"');
const source = z
  .string()
  .max(63)
  .regex(/^[a-z][a-z0-9-]*$/, 'expected an app id such as "tasks"');

/** from is inclusive, to exclusive: consecutive ranges never count a row twice. */
function rangeInOrder(q: { from?: Date | undefined; to?: Date | undefined }, ctx: z.RefinementCtx): void {
  // Runs even when from or to failed their own check: only two real dates can be out of order.
  if (q.from instanceof Date && q.to instanceof Date && q.from.getTime() > q.to.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  }
}

const filters = {
  entity_type: entityType.optional(),
  entity_id: entityId.optional(),
  actor: userId.optional(),
  action: action.optional(),
  source: source.optional(),
  from: instant.optional(),
  to: instant.optional(),
};

// Strict: a misspelt filter (entityType=) must fail loudly, not silently return the whole trail.
export const auditEventsQuery = z.strictObject({ ...filters, limit, cursor: cursor.optional() }).superRefine(rangeInOrder);

export const entityHistoryQuery = z
  .strictObject({ from: instant.optional(), to: instant.optional(), limit, cursor: cursor.optional() })
  .superRefine(rangeInOrder);

export const userActivityQuery = z
  .strictObject({
    entity_type: entityType.optional(),
    action: action.optional(),
    source: source.optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit,
    cursor: cursor.optional(),
  })
  .superRefine(rangeInOrder);

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An export names its range explicitly: "everything" is a range too, but nobody should get it by accident. */
export const exportQuery = z
  .strictObject({
    ...filters,
    from: instant,
    to: instant,
    format: z.enum(EXPORT_FORMATS, { message: 'expected "ndjson" or "csv"' }).default('ndjson'),
  })
  .superRefine(rangeInOrder);

/** Without a range, every chain is verified end to end. */
export const verifyQuery = z.strictObject({ from: instant.optional(), to: instant.optional() }).superRefine(rangeInOrder);

export const deadLettersQuery = z.strictObject({
  topic: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a topic name such as "task-events"')
    .optional(),
  limit,
  cursor: cursor.optional(),
});

export const entityPath = z.object({ entityType, entityId });
export const userPath = z.object({ userId });

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw validationProblem(result.error.issues, 'The query parameters are not valid.');
  return result.data;
}

export function parsePath<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const result = schema.safeParse(params);
  if (!result.success) throw validationProblem(result.error.issues, 'The path parameters are not valid.');
  return result.data;
}
