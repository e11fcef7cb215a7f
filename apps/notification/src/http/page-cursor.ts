import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { validationProblem } from '@lifeline/kit';
import type { Keyset } from '../data/delivery-list-repository.ts';

/**
 * Opaque page cursors: base64url JSON of the keyset plus an HMAC, bound to the query it was issued for, so a
 * cursor that is garbage, tampered with or reused with other filters is a 400, never an odd page.
 */
export interface CursorCodec {
  encode(keyset: Keyset, query: unknown): string;
  decode(cursor: string, query: unknown): Keyset;
}

const MAC_LENGTH = 16;
const payloadSchema = z.strictObject({
  t: z.iso.datetime({ precision: 3 }),
  i: z.uuid(),
  q: z.string().length(22),
});

function invalidCursor(message: string) {
  return validationProblem([{ path: ['cursor'], message }], 'The query parameters are not valid.');
}

export function createCursorCodec(secret: string): CursorCodec {
  // A key of its own, derived from the service secret: a cursor MAC is never valid as anything else.
  const key = createHash('sha256').update('lifeline/notification/page-cursor\0').update(secret).digest();
  const mac = (data: string) => createHmac('sha256', key).update(data).digest().subarray(0, MAC_LENGTH);
  const queryId = (query: unknown) => createHash('sha256').update(JSON.stringify(query)).digest().subarray(0, MAC_LENGTH).toString('base64url');

  return {
    encode(keyset, query) {
      const data = Buffer.from(JSON.stringify({ t: keyset.createdAt, i: keyset.id, q: queryId(query) })).toString('base64url');
      return `${data}.${mac(data).toString('base64url')}`;
    },
    decode(cursor, query) {
      const m = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
      const [, data = '', tag = ''] = m ?? [];
      const given = Buffer.from(tag, 'base64url');
      if (!m || given.length !== MAC_LENGTH || !timingSafeEqual(given, mac(data))) throw invalidCursor('is not a cursor issued by this endpoint');
      const payload = payloadSchema.safeParse((() => {
        try {
          return JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as unknown;
        } catch {
          return undefined;
        }
      })());
      if (!payload.success) throw invalidCursor('is not a cursor issued by this endpoint');
      if (payload.data.q !== queryId(query)) throw invalidCursor('belongs to a different query; send the same filters as for the first page');
      return { createdAt: payload.data.t, id: payload.data.i };
    },
  };
}
