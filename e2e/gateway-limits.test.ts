// The rate limits as a client meets them: real nginx (the dev stack's gateway config) in front of the real
// tasks, emergency and location apps with their sidecars, the counters in the stack's Redis. Small limits
// (RATE_LIMIT_* below) stand for the seed's numbers, which the kit tests and the README hold.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Broker } from '@lifeline/platform';
import { Platform } from './harness/index.ts';
import { startGateway, type RunningGateway } from './harness/gateway.ts';

const broker = (process.env.E2E_BROKER ?? 'redis') as Broker;
const run = randomUUID().slice(0, 8);
const LIMITS = {
  RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:26379/6',
  RATE_LIMIT_KEY_PREFIX: `e2e-gateway-limits:${run}:`,
  RATE_LIMIT_DEFAULT: '6/1m',
  RATE_LIMIT_TOKENLESS: '3/1m',
  RATE_LIMIT_EMERGENCY: '2/1m',
  RATE_LIMIT_LOCATION: '2/1s',
};
const ALLOWED_ORIGIN = 'https://app.lifeline.test';

describe(`rate limits, CORS and the access log through the gateway (${broker})`, { timeout: 300_000 }, () => {
  let platform: Platform;
  let gateway: RunningGateway;
  /** A second gateway in front of the second tasks replica: two of each, one budget. */
  let gateway2: RunningGateway;
  const saved: Record<string, string | undefined> = {};

  const person = (name: string) => `${name}-${run}`;
  const call = (gw: RunningGateway, path: string, init: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${gw.url}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  before(async () => {
    for (const [k, v] of Object.entries(LIMITS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    platform = await Platform.prepare(broker);
    await platform.start('tasks');
    await platform.start('tasks', { replica: 1 });
    await platform.start('emergency');
    await platform.start('location');
    // Redis for the counters unreachable: this replica must let everything through.
    process.env.RATE_LIMIT_REDIS_URL = 'redis://127.0.0.1:1/0';
    await platform.start('location', { replica: 1 });
    process.env.RATE_LIMIT_REDIS_URL = LIMITS.RATE_LIMIT_REDIS_URL;
    const served = platform.template.apps.filter((a) => ['tasks', 'emergency', 'location'].includes(a.appId));
    gateway = await startGateway({ ...platform.template, apps: served }, { corsOrigins: [ALLOWED_ORIGIN] });
    gateway2 = await startGateway({ ...platform.template, apps: [platform.app('tasks', { replica: 1 })] });
  });

  after(async () => {
    await gateway?.stop();
    await gateway2?.stop();
    await platform?.stopAll();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('when a user spends the default budget, then each answer says what is left and the next is a 429 problem with Retry-After; the log names the user and never the token', async () => {
    const user = person('ada');
    const token = await platform.token(user, ['user']);
    for (let left = 5; left >= 0; left--) {
      const res = await call(gateway, '/tasks?limit=1', { token });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('ratelimit-policy'), '"default";q=6;w=60');
      assert.match(res.headers.get('ratelimit') ?? '', new RegExp(`^"default";r=${left};t=\\d+$`));
      assert.equal(res.headers.get('x-lifeline-user'), null, 'the gateway strips the caller header');
      assert.equal(res.headers.get('x-powered-by'), null);
    }
    const refused = await call(gateway, '/tasks?limit=1', { token });
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60);
    assert.equal(refused.headers.get('ratelimit'), `"default";r=0;t=${retryAfter}`);
    const doc = (await refused.json()) as Record<string, unknown>;
    assert.equal(doc.type, 'https://lifeline.dev/problems/too-many-requests');
    assert.equal(doc.status, 429);

    await sleep(200);
    const lines = gateway.accessLog().filter((l) => l.userId === user);
    assert.equal(lines.length, 7, 'one line per request, each naming the verified user');
    assert.deepEqual(lines.map((l) => l.status), [200, 200, 200, 200, 200, 200, 429]);
    for (const l of lines) {
      assert.equal(l.route, '/api/v1/tasks');
      assert.match(String(l.requestId), /^[0-9a-f]{32}$/);
      assert.match(String(l.upstreamTime), /^\d+\.\d{3}$/);
    }
    assert.ok(!gateway.accessLogText().includes(token), 'no token in the access log');
  });

  test('when two gateways and two replicas of tasks serve one user, then they share one budget', async () => {
    const token = await platform.token(person('bea'), ['user']);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(i % 2 === 0 ? gateway : gateway2, '/tasks?limit=1', { token })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429]);
  });

  test('when requests carry no valid token, then they spend the token-less budget of the client address the gateway saw, whatever X-Real-IP they claim', async () => {
    const forged = `${(await platform.token(person('cy'), ['user'])).slice(0, -4)}AAAA`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(gateway, '/tasks', { headers: { 'x-real-ip': `198.51.100.${i}` }, ...(i % 2 ? { token: forged } : {}) });
      statuses.push(res.status);
      assert.equal(res.headers.get('ratelimit-policy'), '"tokenless";q=3;w=60');
    }
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });

  test('when a person with an open emergency raises again, then they get it back (200), never a 429; only new emergencies spend the emergency budget', async () => {
    const user = person('dee');
    const token = await platform.token(user, ['user']);
    const raise = () => call(gateway, '/emergencies', { token, method: 'POST', body: { type: 'sos', message: 'help' } });
    const first = await raise();
    assert.equal(first.status, 201, await first.clone().text());
    assert.equal(first.headers.get('ratelimit-policy'), '"emergency";q=2;w=60');
    const { id } = (await first.json()) as { id: string };
    for (let i = 0; i < 4; i++) {
      const again = await raise();
      assert.equal(again.status, 200, 'joined the open emergency');
      assert.equal(((await again.json()) as { id: string }).id, id);
    }
    assert.equal((await call(gateway, `/emergencies/${id}/cancel`, { token, method: 'POST', body: {} })).status, 200);
    const second = await raise();
    assert.equal(second.status, 201);
    const { id: secondId } = (await second.json()) as { id: string };
    assert.equal((await call(gateway, `/emergencies/${secondId}/cancel`, { token, method: 'POST', body: {} })).status, 200);
    const third = await raise();
    assert.equal(third.status, 429, 'a third new emergency within the minute');
    assert.match(third.headers.get('ratelimit') ?? '', /^"emergency";r=0;t=\d+$/);
  });

  test('when positions are posted, then a batch counts once like a single report against 2/s, and the next second has its budget', async () => {
    const user = person('eve');
    const token = await platform.token(user, ['user']);
    const at = (s: number) => ({ lat: 52.52 + s / 1e4, lon: 13.405, accuracyM: 5, recordedAt: new Date(Date.now() - s * 1000).toISOString(), source: 'gps' });
    // At the start of a second, so both requests land in one window.
    await sleep(1000 - (Date.now() % 1000));
    const batch = await call(gateway, '/location/positions/batch', { token, method: 'POST', body: { positions: Array.from({ length: 20 }, (_, i) => at(i + 10)) } });
    assert.ok(batch.status < 300, await batch.clone().text());
    assert.equal(batch.headers.get('ratelimit-policy'), '"location";q=2;w=1');
    assert.match(batch.headers.get('ratelimit') ?? '', /^"location";r=1;/, 'twenty positions spent one request');
    assert.ok((await call(gateway, '/location/positions', { token, method: 'POST', body: at(5) })).status < 300);
    const refused = await call(gateway, '/location/positions', { token, method: 'POST', body: at(4) });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    await sleep(1100);
    assert.ok((await call(gateway, '/location/positions', { token, method: 'POST', body: at(3) })).status < 300);
  });

  test('when the counters\' Redis is unreachable, then the app lets every request through (an SOS is never refused for it) and says no count', async () => {
    const token = await platform.token(person('fay'), ['user']);
    const url = platform.appUrl('location', '/location/positions', { replica: 1 });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ lat: 52.5, lon: 13.4, accuracyM: 5, recordedAt: new Date(Date.now() - (i + 1) * 1000).toISOString() }),
      });
      assert.ok(res.status < 300, `request ${i}: ${res.status}`);
      assert.equal(res.headers.get('ratelimit'), null);
      assert.equal(res.headers.get('ratelimit-policy'), '"location";q=2;w=1');
    }
    const metrics = await (await fetch(platform.appUrl('location', '/metrics', { replica: 1 }))).text();
    assert.match(metrics, /rate_limit_failed_open_total\{[^}]*group="location"[^}]*\} 5/);
  });

  test('when a browser preflights from the allowed origin, then the gateway answers it; from another origin it is refused', async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/api/v1/emergencies`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const ok = await preflight(ALLOWED_ORIGIN);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);
    const refused = await preflight('https://elsewhere.example');
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { type: string }).type, 'https://lifeline.dev/problems/cors-origin-refused');
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });
});
