import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCrossings } from '../src/domain/crossings.ts';
import type { FenceState, Geofence } from '../src/domain/geofence.ts';
import { inRecordedOrder, recordedAtProblem, type Position } from '../src/domain/position.ts';

const fence: Geofence = {
  id: '11111111-1111-4111-8111-111111111111',
  personId: 'ann',
  name: 'Home',
  active: true,
  shape: { type: 'circle', center: { lat: 0, lon: 0 }, radiusM: 100 },
  notify: ['cara'],
  version: 1,
  createdBy: 'cara',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

const M = 1 / 111_195;
/** A fix `metres` north of the fence centre at minute `minute`. */
function at(minute: number, metres: number, accuracyM = 5): Position {
  return {
    lat: metres * M,
    lon: 0,
    accuracyM,
    recordedAt: new Date(Date.UTC(2026, 11, 3, 12, minute)).toISOString(),
    altitudeM: null,
    speedMps: null,
    headingDeg: null,
    batteryPct: null,
    source: 'gps',
  };
}

const state = (inside: boolean, minute: number): Map<string, FenceState> =>
  new Map([[fence.id, { geofenceId: fence.id, inside, lastRecordedAt: at(minute, 0).recordedAt }]]);

describe('fence crossings', () => {
  it('when a batch goes out and back in, then it yields one exit and one enter, in recordedAt order', () => {
    const { crossings, states } = evaluateCrossings([fence], state(true, 0), [at(1, 10), at(2, 500), at(3, 600), at(4, 20)]);
    assert.deepEqual(crossings.map((c) => [c.kind, c.position.recordedAt]), [
      ['exited', at(2, 0).recordedAt],
      ['entered', at(4, 0).recordedAt],
    ]);
    assert.deepEqual(states, [{ geofenceId: fence.id, inside: true, lastRecordedAt: at(4, 0).recordedAt }]);
  });

  it('when a point is older than the last one evaluated, then it changes nothing', () => {
    const { crossings, states } = evaluateCrossings([fence], state(true, 10), [at(5, 900)]);
    assert.deepEqual(crossings, []);
    assert.deepEqual(states, []);
  });

  it('when accuracy circles straddle the boundary, then the side holds and only the clock moves', () => {
    const { crossings, states } = evaluateCrossings([fence], state(true, 0), [at(1, 105, 20), at(2, 95, 20), at(3, 110, 30)]);
    assert.deepEqual(crossings, []);
    assert.deepEqual(states, [{ geofenceId: fence.id, inside: true, lastRecordedAt: at(3, 0).recordedAt }]);
  });

  it('when a fence has no state yet, then the first certain point is a baseline without an event', () => {
    const first = evaluateCrossings([fence], new Map(), [at(1, 400)]);
    assert.deepEqual(first.crossings, []);
    assert.deepEqual(first.states, [{ geofenceId: fence.id, inside: false, lastRecordedAt: at(1, 0).recordedAt }]);
    const next = evaluateCrossings([fence], new Map([[fence.id, first.states[0] as FenceState]]), [at(2, 10)]);
    assert.deepEqual(next.crossings.map((c) => c.kind), ['entered']);
  });

  it('when a fence has no state and every point is uncertain, then no state is kept', () => {
    assert.deepEqual(evaluateCrossings([fence], new Map(), [at(1, 100, 50)]), { crossings: [], states: [] });
  });

  it('when a batch has several fences, then each is evaluated on its own', () => {
    const far: Geofence = { ...fence, id: '22222222-2222-4222-8222-222222222222', shape: { type: 'circle', center: { lat: 1000 * M, lon: 0 }, radiusM: 100 } };
    const stored = new Map([...state(true, 0), [far.id, { geofenceId: far.id, inside: false, lastRecordedAt: at(0, 0).recordedAt }]]);
    const { crossings } = evaluateCrossings([fence, far], stored, [at(1, 1000)]);
    assert.deepEqual(crossings.map((c) => [c.kind, c.fence.name, c.fence.id]).sort(), [
      ['entered', 'Home', far.id],
      ['exited', 'Home', fence.id],
    ]);
  });
});

describe('points of a request', () => {
  it('when a batch repeats a recordedAt and comes out of order, then it is deduplicated and sorted', () => {
    const sorted = inRecordedOrder([at(3, 1), at(1, 2), at(3, 9), at(2, 3)]);
    assert.deepEqual(sorted.map((p) => [p.recordedAt, p.lat]), [
      [at(1, 0).recordedAt, 2 * M],
      [at(2, 0).recordedAt, 3 * M],
      [at(3, 0).recordedAt, 1 * M],
    ]);
  });

  it('when recordedAt is too far ahead or too old, then it is refused; inside the window it is not', () => {
    const now = new Date('2026-12-03T12:00:00.000Z');
    assert.match(recordedAtProblem('2026-12-03T12:05:01.000Z', now) ?? '', /future/);
    assert.equal(recordedAtProblem('2026-12-03T12:04:59.000Z', now), undefined);
    assert.match(recordedAtProblem('2026-11-26T11:59:59.000Z', now) ?? '', /7 days/);
    assert.equal(recordedAtProblem('2026-11-26T12:00:01.000Z', now), undefined);
  });
});
