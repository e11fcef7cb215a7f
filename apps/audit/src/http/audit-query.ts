import { z } from 'zod';
import { validationProblem } from '@lifeline/kit';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const limit = z
  .string()
  .regex(/^\d{1,7}$/, 'expected an integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_LIMIT))
  .default(DEFAULT_LIMIT);

const cursor = z.string().min(1).max(500);

// Strict: a misspelt filter (entityType=) must fail loudly, not silently return the whole trail.
export const auditEventsQuery = z.strictObject({
  entity_type: z
    .string()
    .max(63)
    .regex(/^[a-z][a-z0-9-]*$/, 'expected an entity type such as "task"')
    .optional(),
  entity_id: z.string().min(1).max(200).optional(),
  limit,
  cursor: cursor.optional(),
});

export const deadLettersQuery = z.strictObject({
  topic: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a topic name such as "task-events"')
    .optional(),
  limit,
  cursor: cursor.optional(),
});

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw validationProblem(result.error.issues, 'The query parameters are not valid.');
  return result.data;
}
