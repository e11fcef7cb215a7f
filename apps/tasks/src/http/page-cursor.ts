import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { validationProblem } from '@lifeline/kit';
import { sortValueKind, type Keyset, type TaskSort } from '../data/task-list-repository.ts';

/**
 * Opaque page cursors: base64url JSON of the keyset plus an HMAC, so a cursor this service did not issue
 * (garbage, tampered, or from another query) is a 400 and never an odd page or a 500. The cursor is bound
 * to the query's filters and sort: reusing it with other ones would skip or repeat tasks.
 */
export interface CursorCodec {
  encode(keyset: Keyset, query: unknown): string;
  decode(cursor: string, query: unknown, sort: TaskSort): Keyset;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAC_LENGTH = 16;

const payloadSchema = z.strictObject({
  v: z.union([z.string().max(200), z.int(), z.null()]),
  i: z.uuid(),
  q: z.string().length(22),
});

function invalidCursor(message: string) {
  return validationProblem([{ path: ['cursor'], message }], 'The query parameters are not valid.');
}

function valueFits(value: string | number | null, sort: TaskSort): boolean {
  switch (sortValueKind(sort.field)) {
    case 'instant':
      return value === null ? sort.field === 'dueAt' : typeof value === 'string' && ISO_MS.test(value) && !Number.isNaN(Date.parse(value));
    case 'integer':
      return typeof value === 'number' && value >= 0 && value <= 3;
    case 'text':
      return typeof value === 'string';
  }
}

export function createCursorCodec(secret: string): CursorCodec {
  // A key of its own, derived from the service secret: a cursor MAC can never be replayed as anything else.
  const key = createHash('sha256').update('lifeline/tasks/page-cursor\0').update(secret).digest();
  const mac = (data: string) => createHmac('sha256', key).update(data).digest().subarray(0, MAC_LENGTH);
  const queryId = (query: unknown) => createHash('sha256').update(JSON.stringify(query)).digest().subarray(0, MAC_LENGTH).toString('base64url');

  return {
    encode(keyset, query) {
      const data = Buffer.from(JSON.stringify({ v: keyset.value, i: keyset.id, q: queryId(query) })).toString('base64url');
      return `${data}.${mac(data).toString('base64url')}`;
    },

    decode(cursor, query, sort) {
      const m = /^([A-Za-z0-9_-]{1,900})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
      const [, data = '', tag = ''] = m ?? [];
      const given = Buffer.from(tag, 'base64url');
      if (!m || given.length !== MAC_LENGTH || !timingSafeEqual(given, mac(data))) {
        throw invalidCursor('is not a cursor issued by this endpoint');
      }
      let payload: z.infer<typeof payloadSchema>;
      try {
        payload = payloadSchema.parse(JSON.parse(Buffer.from(data, 'base64url').toString('utf8')));
      } catch {
        throw invalidCursor('is not a cursor issued by this endpoint');
      }
      if (payload.q !== queryId(query) || !valueFits(payload.v, sort)) {
        throw invalidCursor('belongs to a different query; send the same filters and sort as for the first page');
      }
      return { value: payload.v, id: payload.i };
    },
  };
}
