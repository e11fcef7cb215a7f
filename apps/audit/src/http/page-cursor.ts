import { z } from 'zod';
import { createCursorCodec, type CursorCodec } from '@lifeline/kit';
import type { Keyset } from '../data/keyset.ts';

// Any UUID as Postgres prints it: event ids come from every producer, not only from ours.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const keysetSchema = z.strictObject({
  at: z.iso.datetime({ precision: 3 }).transform((at) => new Date(at)),
  id: z.string().regex(UUID),
});

/** The cursors of one listing; `listing` keeps the listings apart, so a cursor of one is refused by the others. */
export function createKeysetCursors(secret: string, listing: string): CursorCodec<Keyset> {
  return createCursorCodec({ secret, purpose: `audit/${listing}`, position: keysetSchema });
}

/** Fetch one row more than asked: its presence says whether a next page exists without a count query. */
export function pageOf<T>(rows: T[], limit: number, cursorAfter: (row: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorAfter(last) : null };
}
