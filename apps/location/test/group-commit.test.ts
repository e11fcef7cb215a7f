import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommitter } from '../src/domain/group-commit.ts';

/** A flush the test releases by hand, recording the groups it was given. */
function heldFlush() {
  const groups: number[][] = [];
  const releases: Array<() => void> = [];
  const flush = async (group: readonly number[]) => {
    groups.push([...group]);
    await new Promise<void>((r) => releases.push(r));
    return group.map((n) => (n < 0 ? new Error(`bad ${n}`) : n * 10));
  };
  return { groups, releases, flush };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('group commit', () => {
  it('when requests arrive while a flush runs, then the next flush takes all of them at once, and an idle one flushes at once', async () => {
    const h = heldFlush();
    const c = new GroupCommitter<number, number>({ flush: h.flush, maxConcurrent: 1, maxWeight: 100, weightOf: () => 1 });
    const first = c.submit(1);
    assert.deepEqual(h.groups, [[1]], 'nothing waits for company when nothing else runs');
    const rest = [2, 3, 4].map((n) => c.submit(n));
    assert.equal(c.waiting, 3);
    h.releases.shift()?.();
    assert.equal(await first, 10);
    await tick();
    assert.deepEqual(h.groups, [[1], [2, 3, 4]]);
    h.releases.shift()?.();
    assert.deepEqual(await Promise.all(rest), [20, 30, 40]);
    assert.deepEqual([c.groups, c.requests, c.waiting], [2, 4, 0]);
  });

  it('when the queue outweighs maxWeight, then groups are cut there (a single heavy request still goes alone), and maxConcurrent flushes run', async () => {
    const h = heldFlush();
    const c = new GroupCommitter<number, number>({ flush: h.flush, maxConcurrent: 2, maxWeight: 5, weightOf: (n) => n });
    const all = [1, 2, 3, 2, 9, 1].map((n) => c.submit(n));
    assert.deepEqual(h.groups, [[1], [2]], 'two in flight');
    h.releases.shift()?.();
    h.releases.shift()?.();
    await tick();
    await tick();
    assert.deepEqual(h.groups, [[1], [2], [3, 2], [9]]);
    while (h.groups.length < 5 || h.releases.length > 0) {
      h.releases.shift()?.();
      await tick();
    }
    assert.deepEqual(h.groups, [[1], [2], [3, 2], [9], [1]]);
    assert.deepEqual(await Promise.all(all), [10, 20, 30, 20, 90, 10]);
  });

  it('when a flush answers an Error for one request, then only that request fails; when the flush throws, the whole group does', async () => {
    const h = heldFlush();
    const c = new GroupCommitter<number, number>({ flush: h.flush, maxConcurrent: 1, maxWeight: 100, weightOf: () => 1 });
    const gate = c.submit(0);
    const [good, bad] = [c.submit(5), c.submit(-1)];
    h.releases.shift()?.();
    await gate;
    await tick();
    h.releases.shift()?.();
    assert.equal(await good, 50);
    await assert.rejects(bad, /bad -1/);

    const failing = new GroupCommitter<number, number>({ flush: async () => Promise.reject(new Error('database gone')), maxConcurrent: 1, maxWeight: 100, weightOf: () => 1 });
    const outcomes = await Promise.allSettled([failing.submit(1), failing.submit(2)]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
  });
});
