import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../src/index.ts';

describe('relay backoff', () => {
  it('when failures repeat, then the delay doubles between half and all of the step', () => {
    assert.equal(backoffDelay(1, 250, 30_000, () => 0), 250);
    assert.equal(backoffDelay(1, 250, 30_000, () => 1), 500);
    assert.equal(backoffDelay(3, 250, 30_000, () => 1), 2000);
  });

  it('when failures go on for long, then the delay stays at the cap', () => {
    assert.equal(backoffDelay(50, 250, 30_000, () => 1), 30_000);
    assert.equal(backoffDelay(1_000, 250, 30_000, () => 0), 15_000);
  });
});
