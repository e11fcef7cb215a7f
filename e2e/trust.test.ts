// Trust end to end, every app beside its real daprd: people's tokens are ES256 under the run's JWKS, a
// revoked token is refused by every app within a second (the jti denylist in the shared state store), and
// service invocation is allowed only where the design calls for it (emergency -> location, recurring -> tasks).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { topicsConsumedBy } from '@lifeline/contracts';
import { brokers, type Broker } from '@lifeline/platform';
import { Platform, forgetConsumer } from './harness/index.ts';

const broker = (process.env.E2E_BROKER ?? 'redis') as Broker;
if (!brokers.includes(broker)) throw new Error(`E2E_BROKER must be one of ${brokers.join(', ')}`);

/** One route per app that needs a token and nothing else; an admin may read each. */
const PROBES: Record<string, string> = {
  tasks: '/tasks',
  audit: '/audit',
  recurring: '/recurring/series',
  notification: '/notification/notifications',
  emergency: '/emergencies/contacts',
  location: '/location/geofences',
};
const APPS = Object.keys(PROBES);

describe(`trust on ${broker}`, { timeout: 600_000 }, () => {
  let platform: Platform;

  const statusOf = async (appId: string, token: string) => {
    const res = await fetch(platform.appUrl(appId, PROBES[appId] ?? '/'), { headers: { authorization: `Bearer ${token}` } });
    await res.body?.cancel();
    return res.status;
  };
  const statuses = async (token: string) => Object.fromEntries(await Promise.all(APPS.map(async (a) => [a, await statusOf(a, token)] as const)));
  const revoke = (token: string, body: unknown = {}) =>
    fetch(platform.appUrl('tasks', '/auth/revoke'), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const jtiOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti;

  before(async () => {
    platform = await Platform.prepare(broker);
    for (const appId of ['audit', 'notification', 'recurring'] as const) await forgetConsumer(broker, appId, topicsConsumedBy(appId));
    for (const appId of APPS) await platform.start(appId);
  });

  after(async () => {
    await platform?.stopAll();
  });

  test('when a person revokes their own token, then within a second every app answers it 401 and their next token still works', async () => {
    const user = `u-${randomUUID()}`;
    const admin = await platform.token(user, ['admin']);
    const before = await statuses(admin);
    for (const appId of APPS) assert.notEqual(before[appId], 401, `${appId} refused a fresh token: ${JSON.stringify(before)}`);

    const res = await revoke(admin);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { jti: string }).jti, jtiOf(admin));
    const revokedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await statuses(admin);
    assert.deepEqual(after, Object.fromEntries(APPS.map((a) => [a, 401])), `1 s after the revocation (${Date.now() - revokedAt} ms)`);

    const next = await platform.token(user, ['admin']);
    assert.notEqual(await statusOf('tasks', next), 401, 'a new token of the same person is not revoked');
  });

  test('when an admin revokes another jti, then that token is refused everywhere; a person cannot revoke someone else\'s', async () => {
    const victim = await platform.token(`u-${randomUUID()}`, ['admin']);
    const stranger = await platform.token(`u-${randomUUID()}`, ['user']);
    const admin = await platform.token(`a-${randomUUID()}`, ['admin']);
    assert.equal((await revoke(stranger, { jti: jtiOf(victim) })).status, 403);
    assert.notEqual(await statusOf('location', victim), 401, 'a refused revocation changes nothing');
    assert.equal((await revoke(admin, { jti: 'x'.repeat(201) })).status, 400);
    assert.equal((await revoke(admin, { jti: jtiOf(victim), extra: true })).status, 400);
    assert.equal((await revoke(admin, { jti: jtiOf(victim) })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(await statuses(victim), Object.fromEntries(APPS.map((a) => [a, 401])));
    assert.notEqual(await statusOf('tasks', admin), 401, 'the admin\'s own token is untouched');
  });

  test('when an app\'s sidecar is down, then a token it checked just before still works and a new one gets 503, never a pass', async () => {
    const known = await platform.token(`u-${randomUUID()}`, ['admin']);
    assert.equal(await statusOf('location', known), 200);
    await platform.stopSidecar('location');
    try {
      assert.equal(await statusOf('location', known), 200, 'its last answer stands for a while');
      const fresh = await platform.token(`u-${randomUUID()}`, ['admin']);
      assert.equal(await statusOf('location', fresh), 503, 'the denylist cannot be read: refused');
    } finally {
      await platform.startSidecar('location');
    }
  });

  test('when a person\'s token is HS256 under the shared secret, then every app refuses it; a service\'s own is still taken', async () => {
    const forged = await platform.sharedSecretToken(`u-${randomUUID()}`, ['admin'], false);
    assert.deepEqual(await statuses(forged), Object.fromEntries(APPS.map((a) => [a, 401])));
    const service = await platform.sharedSecretToken('recurring', ['admin'], true);
    assert.notEqual(await statusOf('tasks', service), 401);
  });

  test('when an app invokes another through daprd without a grant, then the call is refused; the granted caller gets through', async () => {
    const person = `p-${randomUUID()}`;
    const invoke = (from: string, to: string, method: string, path: string, body?: unknown) =>
      fetch(platform.sidecarUrl(from, `/v1.0/invoke/${to}/method${path}`), {
        method,
        headers: { 'dapr-api-token': platform.tokens.daprApiToken, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const track = `/internal/people/${person}/track?since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`;
    const granted = await invoke('emergency', 'location', 'GET', track);
    assert.equal(granted.status, 200, await granted.text());

    for (const caller of ['tasks', 'audit', 'notification', 'recurring']) {
      const refused = await invoke(caller, 'location', 'GET', track);
      const text = await refused.text();
      assert.equal(refused.status, 403, `${caller} -> location: ${text}`);
      assert.equal((JSON.parse(text) as { type: string }).type, 'https://lifeline.dev/problems/invocation-denied');
    }
    // A grant is for its methods and paths only: emergency may not reach tasks, nor location's other routes.
    assert.equal((await invoke('emergency', 'tasks', 'GET', '/tasks')).status, 403);
    assert.equal((await invoke('emergency', 'location', 'POST', '/location/geofences', {})).status, 403);
    assert.equal((await invoke('location', 'emergency', 'GET', '/emergencies/contacts')).status, 403);
  });

  test('when a client writes the caller header itself, then it is not taken for an app', async () => {
    const res = await fetch(platform.appUrl('location', '/internal/people/p-1/track?since=2026-01-01T00:00:00Z'), { headers: { 'dapr-caller-app-id': 'emergency' } });
    assert.equal(res.status, 403);
  });
});
