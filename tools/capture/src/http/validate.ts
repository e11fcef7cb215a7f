import type { z } from 'zod';
import { CaptureProblem, validationProblem } from './reply.ts';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw validationProblem(result.error.issues, 'The request body is not valid.');
  return result.data;
}

/** Query parameters through a strict schema: a misspelt filter is an error, never a silent match-all. */
export function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams): z.output<S> {
  const params: Record<string, string> = {};
  for (const [name, value] of query) {
    if (name in params) {
      throw new CaptureProblem(400, 'validation-error', 'Validation Error', `The query parameter '${name}' is given more than once.`, [
        { path: name, message: 'given more than once' },
      ]);
    }
    params[name] = value;
  }
  const result = schema.safeParse(params);
  if (!result.success) throw validationProblem(result.error.issues, 'The query is not valid.');
  return result.data;
}
