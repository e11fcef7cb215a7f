import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { createTestSchema, dropSchema } from './support/database.ts';
import { APP_TOKEN, bearer, fix, startLocationApp, type RunningLocationApp } from './support/location-app.ts';

describe('service invocation routes (for the emergency app)', () => {
  let schema: string;
  let app: RunningLocationApp;
  const sidecar = { 'dapr-api-token': APP_TOKEN };

  before(async () => {
    schema = await createTestSchema('internal');
    app = await startLocationApp({ schema });
    const ann = await bearer('ann');
    const positions = [fix(1, 1, 3 * 3_600_000), fix(2, 2, 120_000), fix(3, 3, 60_000), fix(4, 4, 1000)];
    await expectJson(await call(app.url, '/location/positions/batch', ann, { method: 'POST', body: { positions } }));
  });
  after(async () => {
    await app?.close();
    await dropSchema(schema);
  });

  it('when the sidecar asks for the last known position, then it gets it; an unknown person is 404', async () => {
    const latest = await expectJson<{ lat: number }>(await call(app.url, '/internal/people/ann/latest', undefined, { headers: sidecar }));
    assert.equal(latest.lat, 4);
    await expectProblem(await call(app.url, '/internal/people/nobody/latest', undefined, { headers: sidecar }), 404, 'person-not-found');
  });

  it('when the sidecar asks for the track since T, then it gets the points since then, oldest first, newest kept under the limit', async () => {
    const since = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    const track = await expectJson<{ items: Array<{ lat: number }> }>(await call(app.url, `/internal/people/ann/track?since=${since}`, undefined, { headers: sidecar }));
    assert.deepEqual(track.items.map((p) => p.lat), [2, 3, 4]);
    const limited = await expectJson<{ items: Array<{ lat: number }> }>(await call(app.url, `/internal/people/ann/track?since=${since}&limit=2`, undefined, { headers: sidecar }));
    assert.deepEqual(limited.items.map((p) => p.lat), [3, 4]);
    await expectProblem(await call(app.url, '/internal/people/ann/track', undefined, { headers: sidecar }), 400, 'validation-error');
  });

  it('when a caller without the app API token (a user token included) asks, then it is 401 and learns nothing', async () => {
    const attempts: Array<Record<string, string>> = [{}, { 'dapr-api-token': 'wrong' }, { authorization: await bearer('ann') }];
    for (const headers of attempts) {
      await expectProblem(await call(app.url, '/internal/people/ann/latest', undefined, { headers }), 401, 'invalid-app-token');
      await expectProblem(await call(app.url, '/internal/people/ann/track?since=2026-01-01T00:00:00Z', undefined, { headers }), 401, 'invalid-app-token');
    }
  });
});
