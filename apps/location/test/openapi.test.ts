import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValidOpenApi31, call, componentValidator, documentedOperations, expectJson, registeredRoutes } from '@lifeline/kit/testing';
import { createTestSchema, dropSchema } from './support/database.ts';
import { bearer, fix, startLocationApp, type RunningLocationApp } from './support/location-app.ts';

type Json = Record<string, unknown>;

describe('GET /location/openapi.json', () => {
  let schema: string;
  let app: RunningLocationApp;
  let doc: { paths: Record<string, Record<string, unknown>>; components: Json };

  before(async () => {
    schema = await createTestSchema('openapi');
    app = await startLocationApp({ schema });
    const res = await fetch(`${app.url}/location/openapi.json`);
    assert.equal(res.status, 200);
    doc = (await res.json()) as typeof doc;
  });
  after(async () => {
    await app?.close();
    await dropSchema(schema);
  });

  it('when fetched without a token, then it is a valid OpenAPI 3.1 document', async () => {
    await assertValidOpenApi31(doc);
  });

  it('when the routes the app registered are listed, then every public one is in the document and nothing else is', () => {
    const routes = registeredRoutes(app.app).filter((route) => /^\S+ \/location\//.test(route));
    assert.deepEqual([...new Set(routes)].sort(), documentedOperations(doc).sort());
  });

  it('when the app answers, then its answers match the documented response schemas', async () => {
    const validate = componentValidator(doc);
    const ann = await bearer('ann');
    const recorded = await expectJson(await call(app.url, '/location/positions', ann, { method: 'POST', body: fix(1, 2, 1000, { source: 'wifi' }) }));
    assert.deepEqual(validate('Recorded', recorded).errors, null);
    assert.deepEqual(validate('Position', await expectJson(await call(app.url, '/location/people/ann/latest', ann))).errors, null);
    assert.deepEqual(validate('HistoryPage', await expectJson(await call(app.url, '/location/people/ann/history', ann))).errors, null);
    const fence = await expectJson(await call(app.url, '/location/geofences', ann, { method: 'POST', body: { name: 'Home', shape: { type: 'circle', center: { lat: 1, lon: 2 }, radiusM: 50 } } }), 201);
    assert.deepEqual(validate('Geofence', fence).errors, null);
    assert.deepEqual(validate('NewPosition', fix(1, 2, 1000)).errors, null);
  });
});
