import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { createTestSchema, dropSchema, outboxRows, snapshot, truncateAll } from './support/database.ts';
import { bearer, fix, METRE_LAT, startLocationApp, type RunningLocationApp } from './support/location-app.ts';

interface Fence {
  id: string;
  personId: string;
  name: string;
  active: boolean;
  notify: string[];
  version: number;
}

const HOME = { lat: 48.2, lon: 16.37 };
const circle = { type: 'circle', center: HOME, radiusM: 100 };
/** A fix `metres` north of home, `agoS` seconds ago. */
const north = (metres: number, agoS: number, accuracyM = 5) => fix(HOME.lat + metres * METRE_LAT, HOME.lon, agoS * 1000, { accuracyM });

describe('geofences: management and crossings', () => {
  let schema: string;
  let app: RunningLocationApp;
  let ann: string;
  let cara: string;

  before(async () => {
    schema = await createTestSchema('geofences');
    app = await startLocationApp({ schema });
    ann = await bearer('ann');
    cara = await bearer('cara', ['caregiver'], ['ann']);
  });
  afterEach(async () => {
    await truncateAll(schema);
  });
  after(async () => {
    await app?.close();
    await dropSchema(schema);
  });

  const post = (path: string, token: string | undefined, body: unknown) => call(app.url, path, token, { method: 'POST', body });
  const createFence = async (token: string, body: Record<string, unknown>) => expectJson<Fence>(await post('/location/geofences', token, { name: 'Home', shape: circle, ...body }), 201);
  const batch = async (positions: unknown[], token = ann) => expectJson<{ accepted: number; crossings: Array<{ type: string }> }>(await post('/location/positions/batch', token, { positions }));

  it('when a caregiver draws a fence for a person in their care, then it is theirs to read and change, and the caregiver is told by default', async () => {
    const fence = await createFence(cara, { personId: 'ann' });
    assert.equal(fence.personId, 'ann');
    assert.deepEqual(fence.notify, ['cara']);
    assert.deepEqual((await expectJson<{ items: Fence[] }>(await call(app.url, '/location/geofences?personId=ann', cara))).items.map((f) => f.id), [fence.id]);
    assert.deepEqual((await expectJson<{ items: Fence[] }>(await call(app.url, '/location/geofences', ann))).items.map((f) => f.id), [fence.id]);
    const renamed = await expectJson<Fence>(await call(app.url, `/location/geofences/${fence.id}`, ann, { method: 'PATCH', body: { name: 'Flat', active: false } }));
    assert.deepEqual([renamed.name, renamed.active, renamed.version, renamed.notify], ['Flat', false, 2, ['cara']]);
    assert.equal((await call(app.url, `/location/geofences/${fence.id}`, cara, { method: 'DELETE' })).status, 204);
    await expectProblem(await call(app.url, `/location/geofences/${fence.id}`, ann), 404, 'geofence-not-found');
  });

  it('when anyone else touches a person\'s fence, then it is 404 (or 403 on create) and nothing changes', async () => {
    const fence = await createFence(ann, {});
    const before = await snapshot(schema);
    const eve = await bearer('eve');
    const otherCarer = await bearer('olga', ['caregiver'], ['bob']);
    for (const token of [eve, otherCarer]) {
      await expectProblem(await call(app.url, `/location/geofences/${fence.id}`, token), 404, 'geofence-not-found');
      await expectProblem(await call(app.url, `/location/geofences/${fence.id}`, token, { method: 'PATCH', body: { name: 'Mine' } }), 404, 'geofence-not-found');
      await expectProblem(await call(app.url, `/location/geofences/${fence.id}`, token, { method: 'DELETE' }), 404, 'geofence-not-found');
      await expectProblem(await post('/location/geofences', token, { personId: 'ann', name: 'X', shape: circle }), 403);
      assert.deepEqual(await expectJson(await call(app.url, '/location/geofences?personId=ann', token)), { items: [] });
    }
    for (const [method, path] of [['GET', `/location/geofences/${fence.id}`], ['GET', '/location/geofences'], ['POST', '/location/geofences'], ['PATCH', `/location/geofences/${fence.id}`], ['DELETE', `/location/geofences/${fence.id}`]] as const) {
      await expectProblem(await call(app.url, path, undefined, { method, ...(method === 'POST' || method === 'PATCH' ? { body: {} } : {}) }), 401);
    }
    assert.deepEqual(await snapshot(schema), before);
  });

  it('when a fence is not a valid shape, then it is a 400 naming the problem and nothing is stored', async () => {
    const before = await snapshot(schema);
    const bad: unknown[] = [
      { type: 'circle', center: HOME, radiusM: 5 },
      { type: 'circle', center: { lat: 95, lon: 0 }, radiusM: 100 },
      { type: 'Polygon', coordinates: [[[0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]]] },
      { type: 'Polygon', coordinates: [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]] },
      { type: 'Polygon', coordinates: [[[0, 0], [0.01, 0], [0.01, 0.01], [0, 0]], [[0, 0], [0.001, 0], [0.001, 0.001], [0, 0]]] },
      { type: 'Polygon', coordinates: [[[0, 0], [181, 0], [0.01, 0.01], [0, 0]]] },
      { type: 'Polygon', coordinates: [[[0, 0], [0, 91], [0.01, 0.01], [0, 0]]] },
      { type: 'Polygon', coordinates: [[[0, 0, 5], [0.01, 0], [0.01, 0.01], [0, 0]]] },
      { type: 'Polygon', coordinates: [] },
      { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
    ];
    for (const shape of bad) await expectProblem(await post('/location/geofences', ann, { name: 'Bad', shape }), 400, 'validation-error');
    const crossing = await expectProblem(await post('/location/geofences', ann, { name: 'Bow tie', shape: bad[3] }), 400);
    assert.match(JSON.stringify(crossing.errors), /crosses itself/);
    const northOfThePole = await expectProblem(await post('/location/geofences', ann, { name: 'Pole', shape: bad[6] }), 400);
    assert.match(JSON.stringify(northOfThePole.errors), /latitude must be within -90\.\.90/);
    await expectProblem(await post('/location/geofences', ann, { name: ' ', shape: circle }), 400);
    await expectProblem(await post('/location/geofences', ann, { name: 'A', shape: circle, colour: 'red' }), 400);
    await expectProblem(await call(app.url, '/location/geofences/not-a-uuid', ann), 400);
    assert.deepEqual(await snapshot(schema), before);
  });

  it('when a person already has the most active fences allowed, then another active one is 422', async () => {
    const limited = await startLocationApp({ schema, env: { MAX_FENCES_PER_PERSON: '2' } });
    try {
      const create = (body: unknown) => call(limited.url, '/location/geofences', ann, { method: 'POST', body });
      await expectJson(await create({ name: 'A', shape: circle }), 201);
      const off = await expectJson<Fence>(await create({ name: 'B', shape: circle, active: false }), 201);
      await expectJson(await create({ name: 'C', shape: circle }), 201);
      await expectProblem(await create({ name: 'D', shape: circle }), 422, 'too-many-geofences');
      await expectProblem(await call(limited.url, `/location/geofences/${off.id}`, ann, { method: 'PATCH', body: { active: true } }), 422, 'too-many-geofences');
    } finally {
      await limited.close();
    }
  });

  it('when a batch crosses a fence out and back in, then exactly one exit and one enter go to the outbox with the caregivers, and a retry adds none', async () => {
    const fence = await createFence(cara, { personId: 'ann', notify: ['cara', 'dora'] });
    await batch([north(0, 100)]);
    const trip = [north(10, 90), north(400, 80), north(900, 70), north(20, 60), north(5, 50)];
    const first = await batch(trip);
    assert.deepEqual(first.crossings.map((c) => c.type), ['geofence.exited', 'geofence.entered']);
    const rows = await outboxRows(schema);
    assert.deepEqual(rows.map((r) => r.type), ['geofence.exited', 'geofence.entered']);
    const exited = rows[0]?.payload;
    assert.equal(exited?.schemaVersion, 2);
    assert.equal(exited?.subject, fence.id);
    assert.deepEqual(exited?.data, {
      geofenceId: fence.id,
      geofenceName: 'Home',
      userId: 'ann',
      position: { lat: trip[1]?.lat, lon: HOME.lon, accuracyM: 5, recordedAt: trip[1]?.recordedAt },
      caregivers: ['cara', 'dora'],
    });
    const again = await batch(trip);
    assert.deepEqual([again.accepted, again.crossings.length], [0, 0]);
    assert.equal((await outboxRows(schema)).length, 2);
  });

  it('when a late point older than the last evaluated one arrives, then it makes no crossing', async () => {
    await createFence(ann, {});
    await batch([north(0, 100), north(0, 50)]);
    const late = await batch([north(2000, 70)]);
    assert.deepEqual([late.accepted, late.crossings.length], [1, 0]);
    assert.equal((await outboxRows(schema)).length, 0);
    const [state] = (await snapshot(schema)).states as Array<{ inside: boolean; last_recorded_at: Date }>;
    assert.equal(state?.inside, true);
  });

  it('when fixes jitter along the boundary with their accuracy straddling it, then no crossing is made', async () => {
    await createFence(ann, {});
    await batch([north(0, 100)]);
    const jitter = await batch([north(95, 90, 20), north(108, 80, 20), north(92, 70, 20), north(115, 60, 30), north(85, 50, 20)]);
    assert.equal(jitter.crossings.length, 0);
    const leave = await batch([north(300, 40, 20)]);
    assert.deepEqual(leave.crossings.map((c) => c.type), ['geofence.exited']);
  });

  it('when points come single and out of order across requests, then crossings follow recordedAt and none is spurious', async () => {
    await createFence(ann, {});
    const post1 = async (body: unknown) => expectJson<{ crossings: Array<{ type: string }> }>(await post('/location/positions', ann, body));
    await post1(north(0, 100));
    assert.equal((await post1(north(500, 60))).crossings.length, 1);
    // Older than the exit: history only.
    assert.equal((await post1(north(0, 80))).crossings.length, 0);
    assert.equal((await post1(north(0, 40))).crossings.length, 1);
    assert.deepEqual((await outboxRows(schema)).map((r) => r.type), ['geofence.exited', 'geofence.entered']);
  });

  it('when two requests of one person race on two replicas, then every crossing is made once', async () => {
    await createFence(ann, {});
    await batch([north(0, 200)]);
    const replica = await startLocationApp({ schema, prefix: app.prefix });
    try {
      const outAndIn = [north(500, 150), north(0, 100)];
      const results = await Promise.all([
        call(app.url, '/location/positions/batch', ann, { method: 'POST', body: { positions: outAndIn } }),
        call(replica.url, '/location/positions/batch', ann, { method: 'POST', body: { positions: outAndIn } }),
      ]);
      for (const res of results) await expectJson(res);
      assert.deepEqual((await outboxRows(schema)).map((r) => r.type), ['geofence.exited', 'geofence.entered']);
    } finally {
      await replica.close();
    }
  });

  it('when a polygon fence is crossed, then it gives its crossings too; a changed shape starts over without an event', async () => {
    const d = 200 * METRE_LAT;
    const square = { type: 'Polygon', coordinates: [[[HOME.lon - d, HOME.lat - d], [HOME.lon + d, HOME.lat - d], [HOME.lon + d, HOME.lat + d], [HOME.lon - d, HOME.lat + d], [HOME.lon - d, HOME.lat - d]]] };
    const fence = await createFence(ann, { name: 'Park', shape: square });
    await batch([north(1000, 100), north(0, 90)]);
    assert.deepEqual((await outboxRows(schema)).map((r) => r.type), ['geofence.entered']);
    await expectJson(await call(app.url, `/location/geofences/${fence.id}`, ann, { method: 'PATCH', body: { shape: { ...circle, center: { lat: 0, lon: 0 } } } }));
    assert.deepEqual((await snapshot(schema)).states, []);
    await batch([north(0, 80)]);
    assert.equal((await outboxRows(schema)).length, 1, 'the new shape\'s first point is a baseline');
  });

  it('when a fence is inactive, then points are not checked against it', async () => {
    await createFence(ann, { active: false });
    await batch([north(0, 100), north(900, 90), north(0, 80)]);
    const { states, outbox } = await snapshot(schema);
    assert.deepEqual([states.length, outbox], [0, 0]);
  });
});
