import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { createTestSchema, dropSchema, snapshot, truncateAll } from './support/database.ts';
import { bearer, fix, METRE_LAT, startLocationApp, type RunningLocationApp } from './support/location-app.ts';

interface Position {
  lat: number;
  lon: number;
  accuracyM: number;
  recordedAt: string;
  source: string | null;
}

describe('positions: ingestion, latest, history, nearby', () => {
  let schema: string;
  let app: RunningLocationApp;
  let ann: string;

  before(async () => {
    schema = await createTestSchema('positions');
    app = await startLocationApp({ schema });
    ann = await bearer('ann');
  });
  afterEach(async () => {
    await truncateAll(schema);
    const keys = await app.redis.keys(`${app.prefix}*`);
    if (keys.length > 0) await app.redis.del(...keys);
  });
  after(async () => {
    await app?.close();
    await dropSchema(schema);
  });

  const post = (path: string, token: string | undefined, body: unknown) => call(app.url, path, token, { method: 'POST', body });
  const latest = async (token: string, person = 'ann') => expectJson<Position>(await call(app.url, `/location/people/${person}/latest`, token));

  it('when one position is reported, then it is stored, it is the latest, and the same report again is accepted once', async () => {
    const p = fix(52.52, 13.405, 1000, { source: 'gps', batteryPct: 80 });
    assert.deepEqual(await expectJson(await post('/location/positions', ann, p)), { accepted: 1, duplicates: 0, crossings: [] });
    assert.deepEqual(await expectJson(await post('/location/positions', ann, p)), { accepted: 0, duplicates: 1, crossings: [] });
    const l = await latest(ann);
    assert.equal(l.lat, 52.52);
    assert.equal(l.recordedAt, p.recordedAt);
    assert.equal(l.source, 'gps');
    assert.equal((await snapshot(schema)).positions, 1);
  });

  it('when a batch arrives out of order, then history keeps every point in recordedAt order and the latest is the newest', async () => {
    const points = [fix(1, 1, 3000), fix(3, 3, 1000), fix(2, 2, 2000)];
    assert.deepEqual(await expectJson(await post('/location/positions/batch', ann, { positions: points })), { accepted: 3, duplicates: 0, crossings: [] });
    const history = await expectJson<{ items: Position[]; next: string | null }>(await call(app.url, '/location/people/ann/history', ann));
    assert.deepEqual(history.items.map((p) => p.lat), [1, 2, 3]);
    assert.equal(history.next, null);
    assert.equal((await latest(ann)).lat, 3);
  });

  it('when an older point arrives after a newer one, then it goes into history but the latest does not move back', async () => {
    await expectJson(await post('/location/positions', ann, fix(10, 10, 1000)));
    await expectJson(await post('/location/positions', ann, fix(20, 20, 60_000)));
    assert.equal((await latest(ann)).lat, 10);
    const history = await expectJson<{ items: Position[] }>(await call(app.url, '/location/people/ann/history', ann));
    assert.deepEqual(history.items.map((p) => p.lat), [20, 10]);
  });

  it('when Redis has lost the latest position, then it is answered from the stored history', async () => {
    await expectJson(await post('/location/positions', ann, fix(5, 6, 1000)));
    await app.redis.del(`${app.prefix}latest:{ann}`);
    assert.equal((await latest(ann)).lon, 6);
  });

  it('when history is paged, then next continues exactly after the last point', async () => {
    await expectJson(await post('/location/positions/batch', ann, { positions: [fix(1, 1, 4000), fix(2, 2, 3000), fix(3, 3, 2000)] }));
    const first = await expectJson<{ items: Position[]; next: string }>(await call(app.url, '/location/people/ann/history?limit=2', ann));
    assert.deepEqual(first.items.map((p) => p.lat), [1, 2]);
    const second = await expectJson<{ items: Position[]; next: string | null }>(await call(app.url, `/location/people/ann/history?limit=2&from=${encodeURIComponent(first.next)}`, ann));
    assert.deepEqual(second.items.map((p) => p.lat), [3]);
    assert.equal(second.next, null);
  });

  it('when a batch holds bad entries, then it is refused whole with each bad index and reason, and nothing is stored', async () => {
    const before = await snapshot(schema);
    const body = {
      positions: [
        fix(1, 1, 1000),
        fix(91, 1, 1000),
        fix(1, 1, 10 * 60_000 * -1),
        fix(1, 1, 8 * 86_400_000),
        { ...fix(1, 1, 1000), accuracyM: -1 },
        { ...fix(1, 1, 1000), recordedAt: '2026-12-03T12:00:00' },
      ],
    };
    const problem = await expectProblem(await post('/location/positions/batch', ann, body), 400, 'validation-error');
    const paths = (problem.errors as Array<{ path: string }>).map((e) => e.path).sort();
    assert.deepEqual(paths, ['positions.1.lat', 'positions.4.accuracyM', 'positions.5.recordedAt']);
    // Shape errors first; the clock window is checked on a batch that is otherwise well-formed.
    const windowed = await expectProblem(await post('/location/positions/batch', ann, { positions: [fix(1, 1, 1000), fix(1, 1, -10 * 60_000), fix(1, 1, 8 * 86_400_000)] }), 400, 'validation-error');
    assert.deepEqual((windowed.errors as Array<{ path: string; message: string }>).map((e) => [e.path, /future|7 days/.test(e.message)]), [
      ['positions.1.recordedAt', true],
      ['positions.2.recordedAt', true],
    ]);
    assert.deepEqual(await snapshot(schema), before);
  });

  it('when input is malformed, then each case is a 400 problem and nothing changes', async () => {
    const before = await snapshot(schema);
    const cases: unknown[] = [
      { ...fix(1, 1, 1000), lat: 'north' },
      { ...fix(1, 1, 1000), lon: 180.5 },
      { ...fix(1, 1, 1000), extra: true },
      { ...fix(1, 1, 1000), source: 'satellite' },
      { ...fix(1, 1, 1000), headingDeg: 360 },
      { ...fix(1, 1, 1000), recordedAt: '0000-01-01T00:00:00Z' },
      { lat: 1, lon: 1, recordedAt: new Date().toISOString() },
      '{"lat": 1,',
    ];
    for (const body of cases) await expectProblem(await post('/location/positions', ann, body), 400);
    await expectProblem(await post('/location/positions/batch', ann, { positions: [] }), 400, 'validation-error');
    await expectProblem(await post('/location/positions/batch', ann, { positions: Array.from({ length: 501 }, (_, i) => fix(1, 1, i * 1000)) }), 400, 'validation-error');
    await expectProblem(await call(app.url, '/location/positions', ann, { method: 'POST', body: 'lat=1', headers: { 'content-type': 'text/plain' } }), 415);
    assert.deepEqual(await snapshot(schema), before);
  });

  it('when 500 positions come in one batch, then all are stored in one request', async () => {
    const positions = Array.from({ length: 500 }, (_, i) => fix(10 + i * METRE_LAT, 10, (i + 1) * 1000));
    assert.deepEqual(await expectJson(await post('/location/positions/batch', ann, { positions })), { accepted: 500, duplicates: 0, crossings: [] });
    assert.equal((await snapshot(schema)).positions, 500);
  });

  it('when someone reports for another person, then only a caregiver of that person (or an admin) may', async () => {
    await expectProblem(await post('/location/positions', await bearer('eve'), { ...fix(1, 1, 1000), personId: 'ann' }), 403);
    await expectProblem(await post('/location/positions', await bearer('cara', ['caregiver'], ['bob']), { ...fix(1, 1, 1000), personId: 'ann' }), 403);
    await expectJson(await post('/location/positions', await bearer('cara', ['caregiver'], ['ann']), { ...fix(1, 1, 1000), personId: 'ann' }));
    await expectProblem(await post('/location/positions', undefined, fix(1, 1, 1000)), 401);
    await expectProblem(await post('/location/positions/batch', undefined, { positions: [fix(1, 1, 1000)] }), 401);
    await expectProblem(await post('/location/positions', await bearer('officer', ['compliance']), fix(1, 1, 1000)), 403);
  });

  it('when someone else reads a person\'s latest, history or trail, then it is 404 as if there were no data; their caregiver reads it', async () => {
    await expectJson(await post('/location/positions', ann, fix(1, 1, 1000)));
    for (const path of ['latest', 'history', 'trail']) {
      await expectProblem(await call(app.url, `/location/people/ann/${path}`, await bearer('eve')), 404, 'person-not-found');
      await expectProblem(await call(app.url, `/location/people/ann/${path}`, await bearer('cara', ['caregiver'], ['bob'])), 404, 'person-not-found');
      await expectJson(await call(app.url, `/location/people/ann/${path}`, await bearer('cara', ['caregiver'], ['ann'])));
      await expectJson(await call(app.url, `/location/people/ann/${path}`, ann));
      await expectJson(await call(app.url, `/location/people/ann/${path}`, await bearer('ada', ['admin'])));
      await expectProblem(await call(app.url, `/location/people/ann/${path}`, undefined), 401);
    }
    await expectProblem(await call(app.url, '/location/people/nobody/latest', await bearer('nobody')), 404, 'person-not-found');
  });

  it('when history is asked for beyond 7 days or with a bad window, then it is a 400', async () => {
    const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await expectProblem(await call(app.url, `/location/people/ann/history?from=${encodeURIComponent(old)}`, ann), 400);
    const now = new Date().toISOString();
    await expectProblem(await call(app.url, `/location/people/ann/history?from=${encodeURIComponent(now)}&to=${encodeURIComponent(now)}`, ann), 400);
    await expectProblem(await call(app.url, '/location/people/ann/history?from=yesterday', ann), 400);
    await expectProblem(await call(app.url, '/location/people/ann/history?limit=0', ann), 400);
    await expectProblem(await call(app.url, '/location/people/ann/trail?bucket=2m', ann), 400);
  });

  it('when a caregiver searches nearby, then only the people in their care within the radius come back, nearest first', async () => {
    await expectJson(await post('/location/positions', ann, fix(52.5, 13.4, 1000)));
    await expectJson(await post('/location/positions', await bearer('bob'), fix(52.5 + 500 * METRE_LAT, 13.4, 1000)));
    await expectJson(await post('/location/positions', await bearer('dan'), fix(52.5 + 100 * METRE_LAT, 13.4, 1000)));
    await expectJson(await post('/location/positions', await bearer('far'), fix(53.5, 13.4, 1000)));
    const cara = await bearer('cara', ['caregiver'], ['ann', 'bob', 'far']);
    const near = await expectJson<{ items: Array<{ personId: string; distanceM: number }> }>(await call(app.url, '/location/nearby?lat=52.5&lon=13.4&radiusM=1000', cara));
    assert.deepEqual(near.items.map((i) => i.personId), ['ann', 'bob']);
    assert.ok(Math.abs((near.items[1]?.distanceM ?? 0) - 500) < 2);
    const one = await expectJson<{ items: unknown[] }>(await call(app.url, '/location/nearby?lat=52.5&lon=13.4&radiusM=1000&limit=1', cara));
    assert.equal(one.items.length, 1);
  });

  it('when a user or an admin searches nearby, then they see nobody (not even people close by); bad parameters are 400', async () => {
    await expectJson(await post('/location/positions', ann, fix(52.5, 13.4, 1000)));
    for (const token of [await bearer('dan'), await bearer('root', ['admin']), ann]) {
      assert.deepEqual(await expectJson(await call(app.url, '/location/nearby?lat=52.5&lon=13.4&radiusM=1000', token)), { items: [] });
    }
    for (const q of ['lat=91&lon=0&radiusM=10', 'lat=0&lon=0&radiusM=0', 'lat=0&lon=0&radiusM=60000', 'lat=x&lon=0&radiusM=10', 'lat=0&lon=0']) {
      await expectProblem(await call(app.url, `/location/nearby?${q}`, ann), 400);
    }
    await expectProblem(await call(app.url, '/location/nearby?lat=0&lon=0&radiusM=10', undefined), 401);
  });

  it('when two replicas race to move one person\'s latest, then it ends at the newest recordedAt', async () => {
    const replica = await startLocationApp({ schema, prefix: app.prefix });
    try {
      const posts = Array.from({ length: 20 }, (_, i) => post(i % 2 === 0 ? '/location/positions' : '/location/positions', ann, fix(i, i, (20 - i) * 1000)));
      const viaReplica = Array.from({ length: 20 }, (_, i) => call(replica.url, '/location/positions', ann, { method: 'POST', body: fix(40 + i, 0, (40 - i) * 1000) }));
      for (const res of await Promise.all([...posts, ...viaReplica])) await expectJson(res);
      assert.equal((await latest(ann)).lat, 19);
    } finally {
      await replica.close();
    }
  });
});
