import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { call, expectJson } from '@lifeline/kit/testing';
import { PERSON_LOCK_CLASS } from '../src/data/person-lock.ts';
import { admin, createTestSchema, dropSchema, outboxRows, snapshot, truncateAll } from './support/database.ts';
import { bearer, fix, METRE_LAT, startLocationApp, type RunningLocationApp } from './support/location-app.ts';

const HOME = { lat: 48.2, lon: 16.37 };
const north = (metres: number, agoS: number) => fix(HOME.lat + metres * METRE_LAT, HOME.lon, agoS * 1000, { accuracyM: 5 });
interface Answer {
  accepted: number;
  duplicates: number;
  crossings: Array<{ type: string; recordedAt: string }>;
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('positions: group commit of concurrent requests', () => {
  let schema: string;
  let app: RunningLocationApp;

  before(async () => {
    schema = await createTestSchema('ingest_groups');
    // One flush at a time, so requests that arrive during it are, deterministically, the next group.
    app = await startLocationApp({ schema, env: { INGEST_CONCURRENCY: '1' } });
  });
  afterEach(async () => {
    await truncateAll(schema);
  });
  after(async () => {
    await app?.close();
    await dropSchema(schema);
  });

  const post = async (person: string, body: unknown, path = '/location/positions') => call(app.url, path, await bearer(person), { method: 'POST', body });

  /**
   * Holds the person lock of `gate` from outside, so a request of gate's keeps the one flush busy while the
   * requests `queue` sends line up (in that order) behind it; then lets go and returns every answer.
   */
  async function behindGate(queue: Array<() => Promise<Response>>): Promise<{ answers: Answer[]; groups: number }> {
    const gate = `gate-${schema}`;
    let release = () => {};
    let locked = () => {};
    const isLocked = new Promise<void>((r) => (locked = r));
    const holding = admin(async (c) => {
      await c.query('SELECT pg_advisory_lock($1::int, hashtext($2))', [PERSON_LOCK_CLASS, gate]);
      locked();
      await new Promise<void>((r) => (release = r));
      await c.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [PERSON_LOCK_CLASS, gate]);
    });
    await isLocked;
    const groupsBefore = app.deps.ingest.groups;
    const gated = post(gate, north(0, 300));
    await until('the gate flush', () => app.deps.ingest.groups === groupsBefore + 1);
    const pending: Array<Promise<Response>> = [];
    for (const send of queue) {
      pending.push(send());
      await until('the request to queue', () => app.deps.ingest.waiting === pending.length);
    }
    release();
    await holding;
    await expectJson(await gated);
    const answers = await Promise.all(pending.map(async (p) => expectJson<Answer>(await p)));
    return { answers, groups: app.deps.ingest.groups - groupsBefore - 1 };
  }

  it('when requests of several people arrive together, then they commit as one group and each answer counts its own fixes, duplicates and crossings', async () => {
    const ann = await bearer('ann');
    await expectJson(await call(app.url, '/location/geofences', ann, { method: 'POST', body: { name: 'Home', shape: { type: 'circle', center: HOME, radiusM: 100 } } }), 201);
    await expectJson(await post('ann', north(0, 200)));
    const trip = [north(10, 90), north(400, 80), north(900, 70), north(20, 60), north(5, 50)];
    const newest = north(0, 30);
    const { answers, groups } = await behindGate([
      () => post('ann', { positions: trip }, '/location/positions/batch'),
      () => post('bob', north(0, 40)),
      // The same fix as the batch's second, in the same group: stored once, and the first request owns it.
      () => post('ann', trip[1]),
      () => post('ann', newest),
    ]);
    assert.equal(groups, 1, 'the four requests made one group');
    const [batch, bob, repeat, later] = answers;
    assert.deepEqual([batch?.accepted, batch?.duplicates], [5, 0]);
    assert.deepEqual(batch?.crossings.map((c) => c.type), ['geofence.exited', 'geofence.entered']);
    assert.deepEqual(batch?.crossings.map((c) => c.recordedAt), [trip[1]?.recordedAt, trip[3]?.recordedAt]);
    assert.deepEqual([bob?.accepted, bob?.crossings.length], [1, 0]);
    assert.deepEqual([repeat?.accepted, repeat?.duplicates, repeat?.crossings.length], [0, 1, 0]);
    assert.deepEqual([later?.accepted, later?.crossings.length], [1, 0]);
    assert.deepEqual((await outboxRows(schema)).map((r) => r.type), ['geofence.exited', 'geofence.entered']);
    const stored = await snapshot(schema);
    assert.equal(stored.positions, 1 + 1 + trip.length + 1 + 1, 'the gate, the baseline, the batch, bob and the later fix');
    const latest = await expectJson<{ recordedAt: string }>(await call(app.url, '/location/people/ann/latest', ann));
    assert.equal(latest.recordedAt, newest.recordedAt, 'one pipeline moved the latest to the newest fix of the group');
  });

  it('when one group carries a fence crossing split over two requests of the person, then it is evaluated in recordedAt order across them: one exit, owned by the request of the fix', async () => {
    const ann = await bearer('ann');
    await expectJson(await call(app.url, '/location/geofences', ann, { method: 'POST', body: { name: 'Home', shape: { type: 'circle', center: HOME, radiusM: 100 } } }), 201);
    await expectJson(await post('ann', north(0, 200)));
    // The later request holds the older fix: the exit is at 150 s ago, inside the second request.
    const { answers } = await behindGate([() => post('ann', north(800, 100)), () => post('ann', north(700, 150))]);
    assert.deepEqual(answers.map((a) => a.crossings.map((c) => c.type)), [[], ['geofence.exited']]);
    assert.deepEqual((await outboxRows(schema)).map((r) => r.type), ['geofence.exited']);
  });
});
