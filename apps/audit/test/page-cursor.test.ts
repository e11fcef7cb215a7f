import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHttpProblem } from '@lifeline/kit';
import { createKeysetCursors, pageOf } from '../src/http/page-cursor.ts';

const SECRET = 'audit-test-secret-that-is-at-least-32-characters';

describe('keyset cursors', () => {
  const keyset = { at: new Date('2026-03-02T10:00:00.123Z'), id: '3f0e4c1e-5b0e-4d6c-9a39-0c1a5d3c2b10' };
  const filter = { actorId: 'pager', from: new Date('2026-03-01T00:00:00Z') };
  const events = createKeysetCursors(SECRET, 'events');

  it('when a cursor is encoded and decoded with the same filter, then the exact position comes back', () => {
    assert.deepEqual(events.decode(events.encode(keyset, filter), { ...filter }), keyset);
  });

  it('when a cursor was not issued by the service (or by this listing, or for this filter), then decoding is a 400 problem', () => {
    const issued = events.encode(keyset, filter);
    const deadLetters = createKeysetCursors(SECRET, 'dead-letters');
    // The unsigned form this service once issued is refused too: anyone could have written it.
    const unsigned = Buffer.from(`${keyset.at.toISOString()}|${keyset.id}`).toString('base64url');
    const refusals = [
      () => events.decode('', filter),
      () => events.decode('x', filter),
      () => events.decode(unsigned, filter),
      () => deadLetters.decode(issued, filter),
      () => events.decode(issued, { ...filter, actorId: 'someone-else' }),
    ];
    for (const refusal of refusals) assert.throws(refusal, (err) => isHttpProblem(err) && err.status === 400);
  });

  it('when one row more than the limit was fetched, then a next cursor points at the last row returned', () => {
    const rows = [1, 2, 3].map((n) => ({ n, key: { ...keyset, at: new Date(keyset.at.getTime() + n) } }));
    const page = pageOf(rows, 2, (r) => events.encode(r.key, filter));
    assert.deepEqual(page.items.map((r) => r.n), [1, 2]);
    assert.deepEqual(events.decode(page.nextCursor ?? '', filter), rows[1]?.key);
    assert.equal(pageOf(rows, 3, (r) => events.encode(r.key, filter)).nextCursor, null);
  });
});
