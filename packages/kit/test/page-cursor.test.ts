import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { createCursorCodec, isHttpProblem, problemType, type HttpProblem } from '../src/index.ts';
import { SECRET } from './helpers.ts';

const position = z.strictObject({ at: z.iso.datetime({ precision: 3 }).transform((s) => new Date(s)), id: z.uuid() });
const codec = createCursorCodec({ secret: SECRET, purpose: 'test/events', position });
const here = { at: new Date('2026-03-02T10:00:00.123Z'), id: '3f0e4c1e-5b0e-4d6c-9a39-0c1a5d3c2b10' };
const query = { owner: 'alice', status: ['open'], sort: 'dueAt' };

function refused(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isHttpProblem(err), String(err));
    const problem: HttpProblem = err;
    assert.equal(problem.status, 400);
    assert.equal(problem.typeUri, problemType('validation-error'));
    const errors = problem.extra['errors'] as Array<{ path: string; message: string }>;
    assert.equal(errors[0]?.path, 'cursor');
    assert.match(errors[0]?.message ?? '', message);
    return true;
  });
}

describe('page cursors', () => {
  it('when a cursor is encoded and decoded with the same query, then the exact position comes back (dates as dates)', () => {
    const cursor = codec.encode(here, query);
    assert.match(cursor, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(codec.decode(cursor, { ...query }), here);
  });

  it('when the cursor is garbage, truncated or its MAC was changed, then 400 on cursor', () => {
    const cursor = codec.encode(here, query);
    const [data = '', tag = ''] = cursor.split('.');
    const flipped = `${data}.${tag.startsWith('A') ? 'B' : 'A'}${tag.slice(1)}`;
    for (const bad of ['', 'x', 'not-a-cursor', data, `${data}.`, cursor.slice(0, -1), flipped, `${data}x.${tag}`, `${'A'.repeat(3000)}.${tag}`]) {
      refused(() => codec.decode(bad, query), /not a cursor issued by this endpoint/);
    }
  });

  it('when the payload was rewritten (a forged position), then the MAC refuses it', () => {
    const forged = Buffer.from(JSON.stringify({ p: { ...here, id: '00000000-0000-4000-8000-000000000000' }, q: 'A'.repeat(22) })).toString('base64url');
    const [, tag = ''] = codec.encode(here, query).split('.');
    refused(() => codec.decode(`${forged}.${tag}`, query), /not a cursor issued/);
  });

  it('when the cursor is sent with other filters or another sort, then 400: it belongs to a different query', () => {
    const cursor = codec.encode(here, query);
    refused(() => codec.decode(cursor, { ...query, owner: 'bob' }), /different query/);
    refused(() => codec.decode(cursor, { ...query, sort: '-dueAt' }), /different query/);
    refused(() => codec.decode(cursor, undefined), /different query/);
  });

  it('when another endpoint or another secret issued the cursor, then it is refused', () => {
    const cursor = codec.encode(here, query);
    const otherEndpoint = createCursorCodec({ secret: SECRET, purpose: 'test/other', position });
    const otherSecret = createCursorCodec({ secret: `${SECRET}!`, purpose: 'test/events', position });
    refused(() => otherEndpoint.decode(cursor, query), /not a cursor issued/);
    refused(() => otherSecret.decode(cursor, query), /not a cursor issued/);
  });

  it('when a validly signed position has the wrong shape for this codec, then 400, not a 500', () => {
    const loose = createCursorCodec({ secret: SECRET, purpose: 'test/events', position: z.unknown() });
    refused(() => codec.decode(loose.encode({ at: 'yesterday', id: 7 }, query), query), /not a cursor issued/);
  });

  it('when the caller says the position cannot belong to this query, then it is refused like another query', () => {
    const cursor = codec.encode(here, query);
    refused(() => codec.decode(cursor, query, () => false), /different query/);
    assert.deepEqual(codec.decode(cursor, query, (p) => p.id === here.id), here);
  });
});
