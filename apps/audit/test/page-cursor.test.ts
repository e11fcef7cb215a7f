import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHttpProblem } from '@lifeline/kit';
import { decodeCursor, encodeCursor, pageOf } from '../src/http/page-cursor.ts';

describe('keyset cursors', () => {
  const keyset = { at: new Date('2026-03-02T10:00:00.123Z'), id: '3f0e4c1e-5b0e-4d6c-9a39-0c1a5d3c2b10' };

  it('when a cursor is encoded and decoded, then the exact position comes back', () => {
    assert.deepEqual(decodeCursor(encodeCursor(keyset)), keyset);
  });

  it('when a cursor was not issued by the service, then decoding is a 400 problem', () => {
    for (const bad of ['', 'x', Buffer.from('2026-03-02|nope').toString('base64url'), Buffer.from(`${keyset.at.toISOString()}|${keyset.id}|x`).toString('base64url')]) {
      assert.throws(() => decodeCursor(bad), (err) => isHttpProblem(err) && err.status === 400);
    }
  });

  it('when one row more than the limit was fetched, then a next cursor points at the last row returned', () => {
    const rows = [1, 2, 3].map((n) => ({ n, key: { ...keyset, at: new Date(keyset.at.getTime() + n) } }));
    const page = pageOf(rows, 2, (r) => r.key);
    assert.deepEqual(page.items.map((r) => r.n), [1, 2]);
    assert.deepEqual(decodeCursor(page.nextCursor ?? ''), rows[1]?.key);
    assert.equal(pageOf(rows, 3, (r) => r.key).nextCursor, null);
  });
});
