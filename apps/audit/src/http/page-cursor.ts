import { validationProblem } from '@lifeline/kit';
import type { Keyset } from '../data/keyset.ts';

// Opaque to clients (base64url) so the sort key can change without breaking anyone who stored a cursor.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(`${keyset.at.toISOString()}|${keyset.id}`, 'utf8').toString('base64url');
}

/** A cursor this service did not issue is the client's mistake: 400, never a 500 or an empty page. */
export function decodeCursor(cursor: string): Keyset {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (at === undefined || id === undefined || rest.length > 0 || !ISO_MS.test(at) || !UUID.test(id) || Number.isNaN(Date.parse(at))) {
    throw validationProblem([{ path: ['cursor'], message: 'is not a cursor returned by this endpoint' }], 'The query parameters are not valid.');
  }
  return { at: new Date(at), id };
}

/** Fetch one row more than asked: its presence says whether a next page exists without a count query. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => Keyset): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
