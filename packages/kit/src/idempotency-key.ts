import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { validationProblem } from './error-middleware.ts';

/**
 * The Idempotency-Key header of a create (POST /tasks, POST /recurring/series): visible ASCII, 1-200
 * characters, which is what a UUID, a ULID or any sane client-generated key looks like.
 */
export const idempotencyKeyHeader = z
  .string()
  .min(1)
  .max(200)
  // Trailing spaces or tabs are HTTP's optional whitespace, never part of the value (RFC 9110 §5.5): the
  // server only sees the trimmed key, so the grammar admits them rather than promise a refusal. Leading ones
  // are left out: common clients refuse to send them at all.
  .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?[ \t]*$/, 'expected 1-200 visible ASCII characters')
  .describe('Repeating a create with the same key and body replays the first answer instead of creating again (24 h).');

/** Set on an answer that repeats the first one for the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** The request's Idempotency-Key, undefined without one; a malformed key is a 400 naming the header. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const header = req.get('idempotency-key');
  if (header === undefined) return undefined;
  const parsed = idempotencyKeyHeader.safeParse(header);
  if (!parsed.success) throw validationProblem(parsed.error.issues.map((i) => ({ ...i, path: ['Idempotency-Key'] })), 'The Idempotency-Key header is not valid.');
  return parsed.data;
}

/** JSON with object keys sorted at every level: bodies that differ only in key order or spacing are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What an Idempotency-Key is bound to: the operation and its canonical body. */
export function requestHash(operation: string, body: unknown): string {
  return createHash('sha256').update(operation).update('\n').update(canonicalJson(body)).digest('hex');
}
