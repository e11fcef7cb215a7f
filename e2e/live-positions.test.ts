// Live positions of a person in danger, end to end on the broker named by E2E_BROKER: a raise pages a contact
// (emergency -> emergency-events -> location keeps the open emergency and its viewers); the person's next
// position goes through location's outbox on emergency-positions to notification, which writes it to the
// paged contact's WebSocket and to nobody else's. The contact's nearby shows the person while the emergency
// is open and not after the resolve; the emergency's trail comes from location by service invocation (503
// when location is down); positions of a person without an open emergency publish nothing. Real daprd
// sidecars, real brokers, real Postgres and Redis.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import WebSocket from 'ws';
import { topicsConsumedBy } from '@lifeline/contracts';
import { brokers, type Broker } from '@lifeline/platform';
import { Platform, counterValue, forgetConsumer, waitUntil } from './harness/index.ts';

const broker = (process.env.E2E_BROKER ?? 'redis') as Broker;
if (!brokers.includes(broker)) throw new Error(`E2E_BROKER must be one of ${brokers.join(', ')}`);

const METRE = 1 / 111_195;
const HOME = { lat: 47.3769, lon: 8.5417 };

interface Frame {
  type: string;
  emergencyId?: string;
  personId?: string;
  position?: { lat: number; lon: number; accuracyM: number | null; recordedAt: string };
}

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown> | undefined;
}

describe(`live positions of an emergency on ${broker}`, { timeout: 600_000 }, () => {
  let platform: Platform;
  let admin: pg.Client;
  const run = randomUUID().slice(0, 8);
  const ann = `ann-${run}`;
  const bob = `bob-${run}`;
  const sam = `sam-${run}`;
  const dan = `dan-${run}`;
  const tokens: Record<string, string> = {};
  const sockets: WebSocket[] = [];

  async function call(url: string, token: string | undefined, init: { method?: string; body?: unknown } = {}): Promise<Answer> {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }

  async function ok(answer: Promise<Answer>, status = 200): Promise<Record<string, unknown>> {
    const a = await answer;
    assert.equal(a.status, status, JSON.stringify(a.body));
    return a.body ?? {};
  }

  const location = (path: string) => platform.appUrl('location', path);
  const emergency = (path: string) => platform.appUrl('emergency', `/emergencies${path}`);

  /** A fix `northM` metres north of home, recorded now. */
  const fixAt = (northM: number) => ({ lat: HOME.lat + northM * METRE, lon: HOME.lon, accuracyM: 5, recordedAt: new Date().toISOString(), source: 'gps' });
  const report = async (person: string, northM: number) => {
    const fix = fixAt(northM);
    assert.equal((await ok(call(location('/location/positions'), tokens[person], { method: 'POST', body: fix }))).accepted, 1);
    return fix;
  };
  const nearby = async (user: string) =>
    ((await ok(call(location(`/location/nearby?lat=${HOME.lat}&lon=${HOME.lon}&radiusM=2000`), tokens[user]))).items as Array<{ personId: string }>).map((i) => i.personId);
  /** Live positions location wrote to its outbox for the person: what goes through pub/sub. */
  const published = async (person: string) =>
    Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM location.outbox WHERE topic = 'emergency-positions' AND payload->'data'->>'userId' = $1`, [person])).rows[0]?.n);

  async function connect(user: string): Promise<Frame[]> {
    const frames: Frame[] = [];
    const socket = new WebSocket(platform.appUrl('notification', '/notification/ws').replace(/^http/, 'ws'), { headers: { authorization: `Bearer ${tokens[user]}` } });
    sockets.push(socket);
    socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as Frame));
    await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
    await waitUntil(`${user}'s ready frame`, async () => (frames.some((f) => f.type === 'ready') ? true : undefined), 10_000, 50);
    return frames;
  }
  const positionsIn = (frames: Frame[]) => frames.filter((f) => f.type === 'position');

  before(async () => {
    platform = await Platform.prepare(broker);
    // Earlier runs' events must not reach the fresh consumers.
    await forgetConsumer(broker, 'notification', topicsConsumedBy('notification'));
    await forgetConsumer(broker, 'location', topicsConsumedBy('location'));
    await forgetConsumer(broker, 'emergency', topicsConsumedBy('emergency'));
    process.env.ESCALATION_TIME_UNIT = 'seconds';
    process.env.LIVE_POSITION_INTERVAL_MS = '500';
    await platform.start('notification');
    await platform.start('location');
    await platform.start('emergency');
    admin = new pg.Client({ connectionString: platform.adminUrl });
    await admin.connect();
    for (const user of [ann, bob, sam, dan]) tokens[user] = await platform.token(user, ['user']);
  });

  after(async () => {
    for (const socket of sockets) socket.close();
    await admin?.end();
    await platform?.stopAll();
  });

  test('when a person raises an emergency, then the paged contact sees them nearby and gets their next position live, a stranger gets nothing, and the trail answers the points', async () => {
    // Nobody's positions go out while they have no open emergency.
    await report(ann, 0);
    await report(dan, 20);
    assert.deepEqual(await nearby(bob), [], 'ann shares her location with nobody yet');

    await ok(call(emergency('/contacts'), tokens[ann], { method: 'POST', body: { userId: bob } }), 201);
    const bobFrames = await connect(bob);
    const samFrames = await connect(sam);
    const raised = await ok(call(emergency(''), tokens[ann], { method: 'POST', body: { type: 'sos', message: 'Help' } }), 201);
    const id = String(raised.id);

    // The page (emergency.escalated) reaches location: bob may now see ann.
    await waitUntil('ann in bob\'s nearby', async () => ((await nearby(bob)).includes(ann) ? true : undefined), 60_000, 250);
    assert.deepEqual(await nearby(sam), []);

    // A fan-out consumer that joined moments ago may start after the first live message (Kafka: newest
    // offset): report until the path is warm, then time the next position.
    let step = 1;
    await waitUntil('a live position on bob\'s socket', async () => {
      await report(ann, 10 * step++);
      await sleep(1000);
      return positionsIn(bobFrames).length > 0 ? true : undefined;
    }, 60_000, 0);
    await sleep(600);
    const sent = Date.now();
    const next = await report(ann, 500);
    const frame = await waitUntil('ann\'s next position on bob\'s socket', async () => positionsIn(bobFrames).find((f) => f.position?.recordedAt === next.recordedAt), 10_000, 20);
    const latencyMs = Date.now() - sent;
    console.log(`# live position on ${broker}: accepted -> viewer's WebSocket in ${latencyMs} ms`);
    assert.ok(latencyMs < 3000, `the next position took ${latencyMs} ms`);
    assert.deepEqual(frame, { type: 'position', emergencyId: id, personId: ann, position: { lat: next.lat, lon: next.lon, accuracyM: 5, recordedAt: next.recordedAt } });

    // The trail: every point since the raise, for those who may read the emergency.
    const trail = await ok(call(emergency(`/${id}/trail`), tokens[bob]));
    const recorded = (trail.items as Array<{ recordedAt: string }>).map((p) => p.recordedAt);
    assert.ok(recorded.includes(next.recordedAt), JSON.stringify(trail));
    assert.equal(recorded.length, step, 'the points reported since the raise, not the one before it');
    const since = await ok(call(emergency(`/${id}/trail?since=${encodeURIComponent(next.recordedAt)}`), tokens[bob]));
    assert.deepEqual((since.items as Array<{ recordedAt: string }>).map((p) => p.recordedAt), [next.recordedAt]);
    const stranger = await call(emergency(`/${id}/trail`), tokens[sam]);
    assert.equal(stranger.status, 404);
    assert.match(stranger.type, /^application\/problem\+json/);

    // Resolved: bob no longer sees ann, and her positions publish nothing more.
    await ok(call(emergency(`/${id}/resolve`), tokens[bob], { method: 'POST', body: { note: 'found her' } }));
    await waitUntil('ann gone from bob\'s nearby', async () => ((await nearby(bob)).includes(ann) ? undefined : true), 60_000, 250);
    const before = await published(ann);
    await report(ann, 600);
    await sleep(2000);
    assert.equal(await published(ann), before, 'no live position after the resolve');
    assert.equal(positionsIn(bobFrames).at(-1)?.position?.recordedAt, next.recordedAt);

    assert.deepEqual(positionsIn(samFrames), [], 'a stranger\'s socket got nothing');
    // Each published position reached notification once: its hand-over to the fan-out never comes back.
    const received = await counterValue(platform.appUrl('notification', '/metrics'), 'notification_live_positions_total', { outcome: 'received' });
    assert.ok(received >= 1 && received <= (await published(ann)) + 2, `notification received ${received} for ${await published(ann)} published`);
    assert.equal(await published(dan), 0, 'dan has no emergency: nothing of his was published');
    assert.ok(positionsIn(bobFrames).every((f) => f.personId === ann));
  });

  test('when the location app is down, then the trail is 503 problem+json, never a 500', async () => {
    await ok(call(emergency('/contacts'), tokens[dan], { method: 'POST', body: { userId: bob } }), 201);
    const raised = await ok(call(emergency(''), tokens[dan], { method: 'POST', body: { type: 'fall' } }), 201);
    await platform.stop('location');
    try {
      const answer = await call(emergency(`/${String(raised.id)}/trail`), tokens[dan]);
      assert.equal(answer.status, 503, JSON.stringify(answer.body));
      assert.match(answer.type, /^application\/problem\+json/);
      assert.equal(answer.body?.type, 'https://lifeline.dev/problems/location-unavailable');
    } finally {
      await platform.start('location');
    }
    await ok(call(emergency(`/${String(raised.id)}/cancel`), tokens[dan], { method: 'POST', body: { reason: 'test over' } }));
  });
});
