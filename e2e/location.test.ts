// The location app end to end, on the broker named by E2E_BROKER: positions in -> latest, nearby (privacy),
// history and the trail the cron job fills; a fence crossed out and back in inside one batch gives exactly one
// exit and one enter, through the outbox, the real broker and the notification app, to the caregiver's mail
// in the SMTP capture, and the audit trail records both; an out-of-order point gives none. Real daprd
// sidecars, real Postgres and Redis.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { CaptureClient } from '@lifeline/capture/client';
import { topicsConsumedBy } from '@lifeline/contracts';
import { brokers, loadStackEnv, type Broker } from '@lifeline/platform';
import { Platform, forgetConsumer, waitUntil } from './harness/index.ts';

const broker = (process.env.E2E_BROKER ?? 'redis') as Broker;
if (!brokers.includes(broker)) throw new Error(`E2E_BROKER must be one of ${brokers.join(', ')}`);

const METRE = 1 / 111_195;
const HOME = { lat: 47.3769, lon: 8.5417 };

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown> | undefined;
}

describe(`location on ${broker}`, { timeout: 600_000 }, () => {
  let platform: Platform;
  const capture = new CaptureClient(`http://127.0.0.1:${loadStackEnv().LIFELINE_CAPTURE_PORT}`);
  const run = randomUUID().slice(0, 8);
  const ann = `ann-${run}`;
  const bob = `bob-${run}`;
  const cara = `cara-${run}`;
  const mailOf = (user: string) => `${user}@example.test`;
  const tokens: Record<string, string> = {};
  let trailSince = '';

  async function call(path: string, token: string | undefined, init: { method?: string; body?: unknown } = {}): Promise<Answer> {
    const res = await fetch(platform.appUrl('location', path), {
      method: init.method ?? 'GET',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  async function ok(answer: Promise<Answer>, status = 200): Promise<Record<string, unknown>> {
    const a = await answer;
    assert.equal(a.status, status, JSON.stringify(a.body));
    return a.body ?? {};
  }

  async function problem(answer: Promise<Answer>, status: number): Promise<void> {
    const a = await answer;
    assert.equal(a.status, status, JSON.stringify(a.body));
    assert.match(a.type, /^application\/problem\+json/);
  }

  /** A fix `northM` metres north of home, `agoS` seconds ago. */
  const north = (northM: number, agoS: number, accuracyM = 5) => ({
    lat: HOME.lat + northM * METRE,
    lon: HOME.lon,
    accuracyM,
    recordedAt: new Date(Date.now() - agoS * 1000).toISOString(),
    source: 'gps',
  });

  const history = async (person: string) => ((await ok(call(`/location/people/${person}/history`, tokens[person]))).items as Array<{ lat: number }>);

  before(async () => {
    platform = await Platform.prepare(broker);
    // Earlier runs' events must not reach the fresh consumers (they would mail old test users).
    await forgetConsumer(broker, 'notification', topicsConsumedBy('notification'));
    await platform.start('audit');
    await platform.start('notification');
    await platform.start('location');
    tokens[ann] = await platform.token(ann, ['user']);
    tokens[bob] = await platform.token(bob, ['user']);
    tokens[cara] = await platform.token(cara, ['caregiver'], [ann]);
    const res = await fetch(platform.appUrl('notification', `/notification/preferences/${cara}`), {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens[cara]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: mailOf(cara), channels: { email: true, websocket: false, push: false } }),
    });
    assert.equal(res.status, 200, await res.text());
  });

  after(async () => {
    await platform?.stopAll();
  });

  test('when positions come in out of order, then history keeps all, the latest is the newest, and nearby shows them only to their caregiver', async () => {
    trailSince = new Date(Date.now() - 10 * 60_000).toISOString();
    const positions = [north(0, 300), north(30, 120), north(10, 200)];
    assert.deepEqual(await ok(call('/location/positions/batch', tokens[ann], { method: 'POST', body: { positions } })), { accepted: 3, duplicates: 0, crossings: [] });
    await ok(call('/location/positions', tokens[bob], { method: 'POST', body: north(200, 10) }));

    const latest = await ok(call(`/location/people/${ann}/latest`, tokens[ann]));
    assert.equal(latest.lat, HOME.lat + 30 * METRE);
    assert.deepEqual((await history(ann)).map((p) => Math.round((p.lat - HOME.lat) / METRE)), [0, 10, 30]);

    // Bob is nearby too, but shares his location with nobody here.
    const near = await ok(call(`/location/nearby?lat=${HOME.lat}&lon=${HOME.lon}&radiusM=1000`, tokens[cara]));
    assert.deepEqual((near.items as Array<{ personId: string }>).map((i) => i.personId), [ann]);
    assert.deepEqual(await ok(call(`/location/nearby?lat=${HOME.lat}&lon=${HOME.lon}&radiusM=1000`, tokens[bob])), { items: [] });

    // The emergency app's question, through the location sidecar (service invocation).
    const invoked = await fetch(platform.sidecarUrl('location', `/v1.0/invoke/location/method/internal/people/${ann}/latest`), { headers: { 'dapr-api-token': platform.tokens.daprApiToken } });
    assert.equal(invoked.status, 200);
    assert.equal(((await invoked.json()) as { lat: number }).lat, latest.lat);
  });

  test('when a batch crosses a fence out and back in, then exactly one exit and one enter reach the caregiver by mail and the audit trail', async () => {
    const fence = await ok(call('/location/geofences', tokens[cara], { method: 'POST', body: { personId: ann, name: `Home ${run}`, shape: { type: 'circle', center: HOME, radiusM: 100 } } }), 201);
    assert.deepEqual(fence.notify, [cara]);
    // The first point is the fence's baseline; the batch then leaves and comes back.
    await ok(call('/location/positions', tokens[ann], { method: 'POST', body: north(0, 60) }));
    const trip = [north(5, 55), north(400, 50), north(800, 45), north(300, 40), north(10, 35), north(0, 30)];
    const recorded = await ok(call('/location/positions/batch', tokens[ann], { method: 'POST', body: { positions: trip } }));
    assert.deepEqual((recorded.crossings as Array<{ type: string }>).map((c) => c.type), ['geofence.exited', 'geofence.entered']);
    // A retry of the same batch is accepted once and crosses nothing again.
    const retried = await ok(call('/location/positions/batch', tokens[ann], { method: 'POST', body: { positions: trip } }));
    assert.deepEqual([retried.accepted, retried.duplicates, (retried.crossings as unknown[]).length], [0, 6, 0]);

    await capture.waitForMessages({ to: mailOf(cara), subject: `${ann} left Home ${run}` }, 1, 60_000);
    await capture.waitForMessages({ to: mailOf(cara), subject: `${ann} arrived at Home ${run}` }, 1, 60_000);

    // An old point far outside, older than the last one evaluated: history only, no crossing.
    const late = await ok(call('/location/positions', tokens[ann], { method: 'POST', body: north(5000, 90) }));
    assert.deepEqual([late.accepted, late.crossings], [1, []]);
    await sleep(3000);
    assert.equal((await capture.messages({ to: mailOf(cara) })).length, 2, 'one exit and one enter, nothing for the retry or the late point');

    const officer = await platform.token('officer-1', ['compliance']);
    const audited = await waitUntil('the crossings in the audit trail', async () => {
      const res = await fetch(platform.appUrl('audit', `/audit?entity_type=geofence&entity_id=${String(fence.id)}`), { headers: { authorization: `Bearer ${officer}` } });
      const items = ((await res.json()) as { items?: Array<{ eventType: string }> }).items ?? [];
      return items.length >= 2 ? items : undefined;
    }, 60_000, 500);
    assert.deepEqual(audited.map((i) => i.eventType).sort(), ['geofence.entered', 'geofence.exited']);
  });

  test('when input is bad, then each request is a 4xx problem and nothing changes', async () => {
    const before = await history(ann);
    await problem(call('/location/positions', tokens[ann], { method: 'POST', body: { ...north(0, 1), lat: 91 } }), 400);
    await problem(call('/location/positions', tokens[ann], { method: 'POST', body: { ...north(0, 1), recordedAt: new Date(Date.now() + 3_600_000).toISOString() } }), 400);
    await problem(call('/location/positions', tokens[ann], { method: 'POST', body: '{"lat":' }), 400);
    await problem(call('/location/positions/batch', tokens[ann], { method: 'POST', body: { positions: [north(0, 2), { ...north(0, 1), accuracyM: 'good' }] } }), 400);
    await problem(call('/location/geofences', tokens[ann], { method: 'POST', body: { name: 'Bow tie', shape: { type: 'Polygon', coordinates: [[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]] } } }), 400);
    await problem(call('/location/nearby?lat=0&lon=0&radiusM=-1', tokens[cara]), 400);
    assert.deepEqual(await history(ann), before);
  });

  test('when a route is called without a token or for someone else, then it is 401, 403 or 404 as for a missing person', async () => {
    const fence = await ok(call('/location/geofences', tokens[ann], { method: 'POST', body: { name: 'Work', shape: { type: 'circle', center: HOME, radiusM: 500 } } }), 201);
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/location/positions', north(0, 1)],
      ['POST', '/location/positions/batch', { positions: [north(0, 1)] }],
      ['GET', `/location/people/${ann}/latest`],
      ['GET', `/location/people/${ann}/history`],
      ['GET', `/location/people/${ann}/trail`],
      ['GET', `/location/nearby?lat=0&lon=0&radiusM=10`],
      ['POST', '/location/geofences', { name: 'X', shape: { type: 'circle', center: HOME, radiusM: 50 } }],
      ['GET', '/location/geofences'],
      ['GET', `/location/geofences/${String(fence.id)}`],
      ['PATCH', `/location/geofences/${String(fence.id)}`, { name: 'Y' }],
      ['DELETE', `/location/geofences/${String(fence.id)}`],
    ];
    for (const [method, path, body] of routes) await problem(call(path, undefined, { method, body }), 401);
    for (const path of ['latest', 'history', 'trail']) await problem(call(`/location/people/${ann}/${path}`, tokens[bob]), 404);
    await problem(call('/location/positions', tokens[bob], { method: 'POST', body: { ...north(0, 1), personId: ann } }), 403);
    await problem(call('/location/geofences', tokens[bob], { method: 'POST', body: { personId: ann, name: 'X', shape: { type: 'circle', center: HOME, radiusM: 50 } } }), 403);
    await problem(call(`/location/geofences/${String(fence.id)}`, tokens[bob]), 404);
    await problem(call(`/location/geofences/${String(fence.id)}`, tokens[bob], { method: 'PATCH', body: { name: 'Mine' } }), 404);
    await problem(call(`/location/geofences/${String(fence.id)}`, tokens[bob], { method: 'DELETE' }), 404);
    assert.equal((await ok(call(`/location/geofences/${String(fence.id)}`, tokens[ann]))).name, 'Work');
    const outsider = await fetch(platform.appUrl('location', `/internal/people/${ann}/latest`), { headers: { authorization: `Bearer ${tokens[ann]}` } });
    assert.equal(outsider.status, 401, 'the service invocation route needs the app API token');
  });

  test('when the cron job has run, then the trail holds the positions downsampled per minute', async () => {
    // The job takes arrivals older than 30 s once a minute: the first points show within about 90 s.
    const trail = await waitUntil('the trail', async () => {
      const body = await ok(call(`/location/people/${ann}/trail?from=${encodeURIComponent(trailSince)}`, tokens[ann]));
      const items = body.items as Array<{ at: string; points: number }>;
      return items.length >= 3 ? items : undefined;
    }, 150_000, 2000);
    assert.ok(trail.every((p) => p.points >= 1 && Date.parse(p.at) % 60_000 === 0));
    assert.deepEqual(trail.map((p) => p.at), [...trail.map((p) => p.at)].sort());
  });
});
