// The kit's rate limits on the stack's real Redis: each group's budget, the IETF headers, the 429 document,
// who a token-less request is counted as, two apps sharing one budget, and Redis down (fail open).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Express } from 'express';
import {
  ConfigError,
  createAuth,
  createMetrics,
  createRateLimits,
  createServiceApp,
  finalize,
  limitRequest,
  loadConfig,
  parseRatePolicy,
  policiesFrom,
  signToken,
  startServer,
  type RateLimits,
  type RatePolicies,
} from '../src/index.ts';
import { SECRET, captureLogger } from './helpers.ts';

const REDIS_URL = process.env.KIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:26379/5';
const AUTH = { JWT_SECRET: SECRET, JWT_ISSUER: 'lifeline', JWT_AUDIENCE: 'lifeline-api' };

const small: RatePolicies = {
  default: { points: 3, windowSeconds: 60 },
  tokenless: { points: 2, windowSeconds: 60 },
  emergency: { points: 1, windowSeconds: 60 },
  location: { points: 2, windowSeconds: 1 },
};

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
after(() => redis.quit());

interface Served {
  url: string;
  lines: Array<Record<string, unknown>>;
  metrics: ReturnType<typeof createMetrics>;
}

/** An app with a public route per group, on the given limits (a fresh key prefix per test unless shared). */
async function serveWith(t: { after(fn: () => unknown): void }, limits: RateLimits, config: { trusted?: string[]; appApiToken?: string } = {}): Promise<Served> {
  const { logger, lines } = captureLogger();
  const metrics = createMetrics({ defaultMetrics: false });
  const app: Express = createServiceApp({
    config: { APP_API_TOKEN: config.appApiToken, SHUTDOWN_TIMEOUT_MS: 1000, ...AUTH, ...(config.trusted ? { RATE_LIMIT_TRUSTED_PROXIES: config.trusted } : {}) },
    logger,
    metrics,
    rateLimits: limits,
  });
  const auth = createAuth(AUTH);
  app.get('/tasks', auth.requireAuth(), (_req, res) => res.json({ ok: true }));
  app.get('/emergencies/respond', (_req, res) => res.json({ ok: true }));
  app.post('/location/positions/batch', auth.requireAuth(), (req, res) => res.status(202).json({ accepted: (req.body as unknown[]).length }));
  // Stands in for the emergency raise: an open emergency is answered before the limit is asked.
  app.post('/emergencies', auth.requireAuth(), async (req, res) => {
    if ((req.body as { open?: boolean }).open) return res.status(200).json({ joined: true });
    await limitRequest(req, res, 'emergency');
    res.status(201).json({ created: true });
  });
  app.post('/dapr/subscribe-like', (_req, res) => res.json({ ok: true }));
  finalize(app);
  const running = await startServer(app, 0, '127.0.0.1');
  t.after(() => running.close(1000));
  return { url: running.url, lines, metrics };
}

function limitsOn(t: { after(fn: () => unknown): void }, prefix = `kit-test:${randomUUID()}:`, redisUrl: string | Redis = redis, policies = small): RatePolicies & { limits: RateLimits } {
  const { logger } = captureLogger();
  const limits = createRateLimits({ redis: redisUrl, policies, keyPrefix: prefix, logger, timeoutMs: 300 });
  t.after(() => limits.close());
  return { ...policies, limits };
}

const bearer = async (sub: string, opts: { service?: boolean; secret?: string } = {}) => ({
  authorization: `Bearer ${await signToken(opts.secret ?? SECRET, { sub, roles: ['user'], ...(opts.service ? { service: true } : {}) })}`,
});

describe('rate limits on Redis', () => {
  test('when a user spends the default budget, then each answer carries RateLimit and RateLimit-Policy and the next is a 429 problem with Retry-After', async (t) => {
    const { limits } = limitsOn(t);
    const app = await serveWith(t, limits);
    const headers = await bearer('alice');
    for (const remaining of [2, 1, 0]) {
      const res = await fetch(`${app.url}/tasks`, { headers });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit-policy'), '"default";q=3;w=60');
      assert.match(res.headers.get('ratelimit') ?? '', new RegExp(`^"default";r=${remaining};t=(60|59|58)$`));
      assert.equal(res.headers.get('x-lifeline-user'), 'alice', 'the verified caller is named for the gateway log');
    }
    const refused = await fetch(`${app.url}/tasks`, { headers });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(refused.headers.get('ratelimit'), `"default";r=0;t=${retryAfter}`);
    assert.equal(refused.headers.get('ratelimit-policy'), '"default";q=3;w=60');
    const doc = (await refused.json()) as Record<string, unknown>;
    assert.equal(doc.type, 'https://lifeline.dev/problems/too-many-requests');
    assert.equal(doc.status, 429);
    assert.equal(doc.title, 'Too Many Requests');
    assert.match(String(doc.detail), /default limit is 3 requests per 60 s/);
    assert.equal(doc.instance, '/tasks');

    const bob = await fetch(`${app.url}/tasks`, { headers: await bearer('bob') });
    assert.equal(bob.status, 200, 'another user has a budget of their own');
  });

  test('when requests carry no valid token, then they spend the token-less budget of their client address, and a forged token spends nobody\'s', async (t) => {
    const { limits } = limitsOn(t);
    const app = await serveWith(t, limits);
    const forged = await bearer('alice', { secret: 'another-secret-that-is-at-least-32-characters' });
    const first = await fetch(`${app.url}/tasks`, { headers: forged });
    assert.equal(first.status, 401, 'the route still answers its 401');
    assert.equal(first.headers.get('ratelimit-policy'), '"tokenless";q=2;w=60');
    assert.equal(first.headers.get('x-lifeline-user'), null, 'an unverified sub is nobody');
    assert.equal((await fetch(`${app.url}/emergencies/respond`)).status, 200);
    const refused = await fetch(`${app.url}/emergencies/respond`);
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('ratelimit') ?? '', /^"tokenless";r=0;t=\d+$/);
    // The forged request did not touch alice's budget: she still has all three.
    const alice = await fetch(`${app.url}/tasks`, { headers: await bearer('alice') });
    assert.match(alice.headers.get('ratelimit') ?? '', /^"default";r=2;/);
  });

  test('when the peer is the trusted gateway, then X-Real-IP names the client; from anyone else it is ignored', async (t) => {
    const { limits } = limitsOn(t);
    const viaGateway = await serveWith(t, limits);
    for (const ip of ['203.0.113.7', '203.0.113.7']) assert.equal((await fetch(`${viaGateway.url}/emergencies/respond`, { headers: { 'x-real-ip': ip } })).status, 200);
    assert.equal((await fetch(`${viaGateway.url}/emergencies/respond`, { headers: { 'x-real-ip': '203.0.113.7' } })).status, 429);
    assert.equal((await fetch(`${viaGateway.url}/emergencies/respond`, { headers: { 'x-real-ip': '203.0.113.8' } })).status, 200, 'another client behind the gateway');

    const { limits: other } = limitsOn(t);
    // Loopback is not trusted here: the headers are the client's own words, and it is counted as 127.0.0.1.
    const direct = await serveWith(t, other, { trusted: ['10.0.0.0/8'] });
    const statuses: number[] = [];
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      statuses.push((await fetch(`${direct.url}/emergencies/respond`, { headers: { 'x-real-ip': ip, 'x-forwarded-for': ip } })).status);
    }
    assert.deepEqual(statuses, [200, 200, 429], 'a fresh address per request does not buy a fresh budget');
  });

  test('when a batch of positions is posted, then it counts once against the location budget (2/s), which refills after its second', async (t) => {
    const { limits } = limitsOn(t);
    const app = await serveWith(t, limits);
    const headers = { ...(await bearer('carol')), 'content-type': 'application/json' };
    const batch = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ i })));
    const send = () => fetch(`${app.url}/location/positions/batch`, { method: 'POST', headers, body: batch });
    const first = await send();
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('ratelimit-policy'), '"location";q=2;w=1');
    assert.match(first.headers.get('ratelimit') ?? '', /^"location";r=1;t=1$/, 'fifty positions spent one request');
    assert.equal((await send()).status, 202);
    const refused = await send();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    await sleep(1100);
    assert.equal((await send()).status, 202, 'the next second has its budget');
    assert.match((await fetch(`${app.url}/tasks`, { headers })).headers.get('ratelimit') ?? '', /^"default";r=2;/, 'positions do not spend the default budget');
  });

  test('when a route limits after its dedup, then the deduplicated answer is never refused and only new work spends the budget', async (t) => {
    const { limits } = limitsOn(t);
    const app = await serveWith(t, limits);
    const headers = { ...(await bearer('dave')), 'content-type': 'application/json' };
    const raise = (open: boolean) => fetch(`${app.url}/emergencies`, { method: 'POST', headers, body: JSON.stringify({ open }) });
    const created = await raise(false);
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('ratelimit-policy'), '"emergency";q=1;w=60');
    assert.equal((await raise(false)).status, 429, 'a second new emergency within the minute');
    for (let i = 0; i < 5; i++) assert.equal((await raise(true)).status, 200, 'joining the open one is never limited');
  });

  test('when two apps share one Redis, then they share one budget: two replicas do not double the limit', async (t) => {
    const prefix = `kit-test:${randomUUID()}:`;
    const a = await serveWith(t, limitsOn(t, prefix).limits);
    const b = await serveWith(t, limitsOn(t, prefix, REDIS_URL).limits);
    const headers = await bearer('erin');
    const statuses = [];
    for (const app of [a, b, a, b]) statuses.push((await fetch(`${app.url}/tasks`, { headers })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });

  test('when the caller is a service, the sidecar, or the path is not public, then nothing is limited', async (t) => {
    const { limits } = limitsOn(t);
    const app = await serveWith(t, limits, { appApiToken: 'sidecar-token' });
    const service = await bearer('recurring', { service: true });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${app.url}/tasks`, { headers: service });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit'), null);
      assert.equal((await fetch(`${app.url}/dapr/subscribe-like`, { method: 'POST' })).status, 200);
      assert.equal((await fetch(`${app.url}/emergencies/respond`, { headers: { 'dapr-api-token': 'sidecar-token' } })).status, 200);
      assert.equal((await fetch(`${app.url}/health/live`)).status, 200);
    }
  });

  test('when Redis cannot be reached, then requests pass (an SOS is never refused for it), counted and logged once', async (t) => {
    const { logger, lines } = captureLogger();
    const metrics = createMetrics({ defaultMetrics: false });
    // Nothing listens on port 1.
    const limits = createRateLimits({ redis: 'redis://127.0.0.1:1/0', policies: small, keyPrefix: 'down:', logger, registry: metrics.registry, timeoutMs: 200 });
    t.after(() => limits.close());
    const app = await serveWith(t, limits);
    const headers = { ...(await bearer('frank')), 'content-type': 'application/json' };
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${app.url}/emergencies`, { method: 'POST', headers, body: '{"open":false}' });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('ratelimit'), null, 'no count to report');
      assert.equal(res.headers.get('ratelimit-policy'), '"emergency";q=1;w=60', 'the policy still holds');
    }
    const failedOpen = await metrics.registry.getSingleMetric('rate_limit_failed_open_total')?.get();
    assert.equal(failedOpen?.values.find((v) => v.labels.group === 'emergency')?.value, 5);
    const warnings = lines.filter((l) => String(l.msg).startsWith('rate limits failed open'));
    assert.equal(warnings.length, 1, 'one warning, not one per request');
  });
});

describe('rate limit configuration', () => {
  test('when RATE_LIMIT_* are set, then each group takes its policy; unset ones keep the seed\'s numbers', () => {
    const config = loadConfig({}, { APP_ID: 'x', JWT_SECRET: SECRET, RATE_LIMIT_DEFAULT: '50/1m', RATE_LIMIT_LOCATION: '5/1s', RATE_LIMIT_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8' });
    assert.deepEqual(policiesFrom(config), {
      default: { points: 50, windowSeconds: 60 },
      tokenless: { points: 100, windowSeconds: 60 },
      emergency: { points: 10, windowSeconds: 60 },
      location: { points: 5, windowSeconds: 1 },
    });
    assert.deepEqual(config.RATE_LIMIT_TRUSTED_PROXIES, ['10.0.0.0/8', 'fd00::/8']);
    assert.equal(config.RATE_LIMIT_REDIS_URL, undefined, 'off unless a deployment sets it');
  });

  test('when a policy is not <requests>/<window>, then loading fails naming the variable', () => {
    for (const bad of ['1000', '0/1m', '10/0s', 'ten/1m', '5/2d']) {
      assert.equal(parseRatePolicy(bad), undefined, bad);
      assert.throws(() => loadConfig({}, { APP_ID: 'x', JWT_SECRET: SECRET, RATE_LIMIT_EMERGENCY: bad }), (err: unknown) => err instanceof ConfigError && /RATE_LIMIT_EMERGENCY/.test(err.message));
    }
    assert.throws(() => loadConfig({}, { APP_ID: 'x', JWT_SECRET: SECRET, RATE_LIMIT_TRUSTED_PROXIES: 'gateway' }), /RATE_LIMIT_TRUSTED_PROXIES/);
  });
});
