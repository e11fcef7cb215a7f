import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { createTestSchema, dropSchema } from './support/database.ts';
import { APP_TOKEN, bearer, startLocationApp, type RunningLocationApp } from './support/location-app.ts';

interface Distances {
  personId: string;
  items: Array<{ userId: string; distanceM: number | null; recordedAt: string | null }>;
}

describe('contact distances (service invocation, for nearest-first tiers)', () => {
  let schema: string;
  let app: RunningLocationApp;
  const sidecar = { 'dapr-api-token': APP_TOKEN };
  const run = Math.random().toString(36).slice(2, 8);
  const [ann, near, far, dark] = [`ann-${run}`, `near-${run}`, `far-${run}`, `dark-${run}`] as const;
  const post = (person: string, body: unknown, headers: Record<string, string> = sidecar) => call(app.url, `/internal/people/${person}/distances`, undefined, { method: 'POST', body, headers });

  async function at(personId: string, lat: number, lon: number): Promise<void> {
    const body = { lat, lon, accuracyM: 5, recordedAt: new Date(Date.now() - 1000).toISOString() };
    await expectJson(await call(app.url, '/location/positions', await bearer(personId), { method: 'POST', body }));
  }

  before(async () => {
    schema = await createTestSchema('distances');
    app = await startLocationApp({ schema });
    await at(ann, 52.52, 13.405);
    await at(near, 52.521, 13.405); // ~111 m north
    await at(far, 52.62, 13.405); // ~11 km north
  });
  after(async () => {
    await app?.close();
    await dropSchema(schema);
  });

  it('when the sidecar asks how far the contacts are, then metres per user in the order asked, null for one without a position', async () => {
    const d = await expectJson<Distances>(await post(ann, { userIds: [far, dark, near] }));
    assert.equal(d.personId, ann);
    assert.deepEqual(d.items.map((i) => i.userId), [far, dark, near]);
    const [toFar, toDark, toNear] = d.items;
    assert.ok(toNear?.distanceM !== null && Math.abs((toNear?.distanceM ?? 0) - 111.2) < 1, JSON.stringify(toNear));
    assert.ok(toFar?.distanceM !== null && Math.abs((toFar?.distanceM ?? 0) - 11_120) < 20, JSON.stringify(toFar));
    assert.deepEqual(toDark, { userId: dark, distanceM: null, recordedAt: null });
    assert.doesNotMatch(JSON.stringify(d), /"lat"|"lon"/, 'no coordinates leave');
  });

  it('when the person has no position, then every distance is null', async () => {
    const d = await expectJson<Distances>(await post(`nobody-${run}`, { userIds: [near] }));
    assert.equal(d.items[0]?.distanceM, null);
  });

  it('when the body is bad, then 400 problem+json', async () => {
    for (const body of [{}, { userIds: [] }, { userIds: Array.from({ length: 51 }, (_, i) => `u${i}`) }, { userIds: [''] }, { userIds: [near], extra: 1 }]) {
      await expectProblem(await post(ann, body), 400);
    }
  });

  it('when a caller without the app API token (a user token included) asks, then it is 401 and learns nothing', async () => {
    for (const headers of [{}, { 'dapr-api-token': 'wrong' }, { authorization: await bearer(ann) }] as Array<Record<string, string>>) {
      await expectProblem(await post(ann, { userIds: [near] }, headers), 401, 'invalid-app-token');
    }
  });
});
