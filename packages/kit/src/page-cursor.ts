import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { validationProblem } from './error-middleware.ts';
import type { HttpProblem } from './problem.ts';

/**
 * Opaque keyset page cursors: base64url JSON of the position plus an HMAC, bound to the query the page
 * answered. A cursor that is garbage, tampered with, issued by another endpoint, or sent with other filters
 * or another sort (which would skip or repeat rows) is a 400 on `cursor`, never an odd page or a 500.
 */
export interface CursorCodec<P> {
  /** The cursor of the page after `position`; `query` is what the page was asked with (filters, sort). */
  encode(position: P, query: unknown): string;
  /**
   * The position a cursor names. `fits` may refuse a position that cannot belong to this query (a sort
   * value of the wrong kind), which is answered like a cursor of another query.
   */
  decode(cursor: string, query: unknown, fits?: (position: P) => boolean): P;
}

export interface CursorCodecOptions<P> {
  /** The service secret the MAC key is derived from. */
  secret: string;
  /** Names the endpoint (e.g. "tasks", "audit/dead-letters"): a cursor issued for one is refused by every other. */
  purpose: string;
  /** Reads the position back from its JSON (dates arrive as ISO strings); encode writes it with JSON.stringify. */
  position: z.ZodType<P>;
}

const MAC_LENGTH = 16;
// Bounds the work done on untrusted input; each query schema bounds `cursor` itself, well below this.
const MAX_DATA_LENGTH = 2000;
const CURSOR = new RegExp(`^([A-Za-z0-9_-]{1,${MAX_DATA_LENGTH}})\\.([A-Za-z0-9_-]{22})$`);

function invalidCursor(message: string): HttpProblem {
  return validationProblem([{ path: ['cursor'], message }], 'The query parameters are not valid.');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createCursorCodec<P>(opts: CursorCodecOptions<P>): CursorCodec<P> {
  // A key of its own, derived from the service secret: a cursor MAC can never be replayed as anything else.
  const key = createHash('sha256').update(`lifeline/page-cursor/${opts.purpose}\0`).update(opts.secret).digest();
  const mac = (data: string) => createHmac('sha256', key).update(data).digest().subarray(0, MAC_LENGTH);
  const queryId = (query: unknown) => createHash('sha256').update(JSON.stringify(query) ?? '').digest().subarray(0, MAC_LENGTH).toString('base64url');
  const payloadSchema = z.strictObject({ p: opts.position, q: z.string().length(22) });

  return {
    encode(position, query) {
      const data = Buffer.from(JSON.stringify({ p: position, q: queryId(query) })).toString('base64url');
      return `${data}.${mac(data).toString('base64url')}`;
    },

    decode(cursor, query, fits) {
      const m = CURSOR.exec(cursor);
      const [, data = '', tag = ''] = m ?? [];
      const given = Buffer.from(tag, 'base64url');
      if (!m || given.length !== MAC_LENGTH || !timingSafeEqual(given, mac(data))) throw invalidCursor('is not a cursor issued by this endpoint');
      const payload = payloadSchema.safeParse(parseJson(Buffer.from(data, 'base64url').toString('utf8')));
      if (!payload.success) throw invalidCursor('is not a cursor issued by this endpoint');
      if (payload.data.q !== queryId(query) || (fits !== undefined && !fits(payload.data.p))) {
        throw invalidCursor('belongs to a different query; send the same filters and sort as for the first page');
      }
      return payload.data.p;
    },
  };
}
