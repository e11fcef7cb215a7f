import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { raise, someone } from './support/api.ts';
import { createTestSchema, dropSchema } from './support/database.ts';
import { as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

interface Trail {
  emergencyId: string;
  personId: string;
  since: string;
  until: string | null;
  items: Array<{ lat: number; lon: number; accuracyM: number | null; recordedAt: string }>;
}

/**
 * Stands in for daprd's service invocation of location's internal track route (e2e/live-positions.test.ts
 * runs the real one): answers the person's points at or after `since`, or 500 like a sidecar whose app is gone.
 */
async function startTrackSidecar() {
  const state = { points: new Map<string, Trail['items']>(), down: false, asked: [] as string[] };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sidecar');
    if (url.pathname === '/v1.0/healthz/outbound') return void res.writeHead(204).end();
    const m = /^\/v1\.0\/invoke\/location\/method\/internal\/people\/([^/]+)\/track$/.exec(url.pathname);
    if (!m) return void res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}');
    state.asked.push(url.search);
    if (state.down) return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"errorCode":"ERR_DIRECT_INVOKE"}');
    const since = Date.parse(url.searchParams.get('since') ?? '');
    const items = (state.points.get(decodeURIComponent(m[1] ?? '')) ?? []).filter((p) => Date.parse(p.recordedAt) >= since);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { state, port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('GET /emergencies/{id}/trail', () => {
  let schema: string;
  let app: RunningEmergencyApp;
  let sidecar: Awaited<ReturnType<typeof startTrackSidecar>>;

  before(async () => {
    schema = await createTestSchema('trail');
    sidecar = await startTrackSidecar();
    app = await startEmergencyApp({ schema, env: { DAPR_HTTP_PORT: String(sidecar.port), LOCATION_TIMEOUT_MS: '2000' } });
  });
  after(async () => {
    await app?.close();
    await sidecar?.close();
    if (schema) await dropSchema(schema);
  });

  const at = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
  const point = (lat: number, recordedAt: string) => ({ lat, lon: 8.5, accuracyM: 5, recordedAt });

  it('when the person or their caregiver asks, then the points since the raise come back oldest first, and since narrows them', async () => {
    const ann = someone('ann');
    const e = await raise(app.url, await as.user(ann));
    const later = at(60_000);
    sidecar.state.points.set(ann, [point(1, at(-600_000)), point(2, at(30_000)), point(3, later)]);
    for (const auth of [await as.user(ann), await as.caregiver(someone('cara'), [ann]), await as.admin()]) {
      const trail = await expectJson<Trail>(await call(app.url, `/emergencies/${e.id}/trail`, auth));
      assert.deepEqual(trail.items.map((p) => p.lat), [2, 3], 'nothing from before the raise');
      assert.equal(trail.personId, ann);
      assert.equal(trail.until, null);
    }
    const since = await expectJson<Trail>(await call(app.url, `/emergencies/${e.id}/trail?since=${encodeURIComponent(later)}`, await as.user(ann)));
    assert.deepEqual(since.items.map((p) => p.lat), [3]);
    assert.equal(since.since, later);
    // A since before the raise starts at the raise.
    const early = await expectJson<Trail>(await call(app.url, `/emergencies/${e.id}/trail?since=${encodeURIComponent(at(-3_600_000))}`, await as.user(ann)));
    assert.deepEqual(early.items.map((p) => p.lat), [2, 3]);
  });

  it('when the emergency is closed, then the trail ends at the close', async () => {
    const bea = someone('bea');
    const auth = await as.user(bea);
    const e = await raise(app.url, auth);
    await expectJson(await call(app.url, `/emergencies/${e.id}/cancel`, auth, { method: 'POST', body: {} }));
    sidecar.state.points.set(bea, [point(1, at(-100)), point(9, at(120_000))]);
    const trail = await expectJson<Trail>(await call(app.url, `/emergencies/${e.id}/trail`, auth));
    assert.notEqual(trail.until, null);
    assert.ok(trail.items.every((p) => p.lat !== 9), 'nothing after the close');
  });

  it('when someone who may not read the emergency asks, or the id is unknown, then it is 404; bad input is 400', async () => {
    const cy = someone('cy');
    const e = await raise(app.url, await as.user(cy));
    const asked = sidecar.state.asked.length;
    await expectProblem(await call(app.url, `/emergencies/${e.id}/trail`, await as.user(someone('stranger'))), 404, 'emergency-not-found');
    await expectProblem(await call(app.url, `/emergencies/${e.id}/trail`, await as.caregiver(someone('other'), [someone('x')])), 404, 'emergency-not-found');
    await expectProblem(await call(app.url, '/emergencies/00000000-0000-4000-8000-000000000000/trail', await as.user(cy)), 404);
    assert.equal(sidecar.state.asked.length, asked, 'nothing was asked of location for them');
    await expectProblem(await call(app.url, `/emergencies/${e.id}/trail?since=yesterday`, await as.user(cy)), 400, 'validation-error');
    await expectProblem(await call(app.url, `/emergencies/${e.id}/trail?limit=5`, await as.user(cy)), 400, 'validation-error');
    await expectProblem(await call(app.url, '/emergencies/not-a-uuid/trail', await as.user(cy)), 400);
    await expectProblem(await call(app.url, `/emergencies/${e.id}/trail`, undefined), 401);
  });

  it('when the location app is down, then the answer is 503 location-unavailable with Retry-After, never a 500', async () => {
    const dan = someone('dan');
    const e = await raise(app.url, await as.user(dan));
    sidecar.state.down = true;
    try {
      const res = await call(app.url, `/emergencies/${e.id}/trail`, await as.user(dan));
      assert.equal(res.headers.get('retry-after'), '2');
      await expectProblem(res, 503, 'location-unavailable');
    } finally {
      sidecar.state.down = false;
    }
  });
});
