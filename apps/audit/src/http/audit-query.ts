import { z } from 'zod';
import { validationProblem } from '@lifeline/kit';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

// Every parameter is a single string: a repeated one (?a=1&a=2) arrives as an array and fails here.
const limit = z
  .string()
  .regex(/^\d{1,7}$/, 'expected an integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_LIMIT))
  .default(DEFAULT_LIMIT);

const cursor = z.string().min(1).max(500);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An instant with its offset (2026-05-01T10:00:00Z, ...+02:00) or a UTC day (2026-05-01 = its midnight). */
const instant = z
  .string()
  .max(40)
  .refine((s) => ISO_INSTANT.test(s) || ISO_DATE.test(s), 'expected an ISO 8601 date-time with an offset, or a date')
  .transform((s, ctx) => {
    const date = new Date(ISO_DATE.test(s) ? `${s}T00:00:00Z` : s);
    // Date accepts 2026-02-31 (as March 3rd) and 24:00; Postgres has no year 0.
    const day = s.slice(0, 10);
    const realDay = new Date(`${day}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || Number.isNaN(realDay.getTime()) || realDay.toISOString().slice(0, 10) !== day || s.slice(11, 13) === '24' || date.getUTCFullYear() < 1) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid date' });
      return z.NEVER;
    }
    return date;
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
  if (q.from && q.to && q.from.getTime() > q.to.getTime()) {
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
