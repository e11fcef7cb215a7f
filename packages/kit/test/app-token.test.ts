import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appTokenCheck, problemType } from '../src/index.ts';
import { makeApp, serve } from './helpers.ts';

const TOKEN = 'sidecar-to-app-token';

async function guardedApp(t: Parameters<typeof serve>[0], token: string | undefined) {
  const kit = makeApp();
  kit.app.post('/dapr/ping', appTokenCheck({ token, logger: kit.logger }), (_req, res) => {
    res.json({ ok: true });
  });
  return { ...kit, server: await serve(t, kit.app) };
}

test('when the dapr-api-token header is missing, then 401 problem+json', async (t) => {
  const { server } = await guardedApp(t, TOKEN);
  const res = await fetch(`${server.url}/dapr/ping`, { method: 'POST' });
  assert.equal(res.status, 401);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(((await res.json()) as { type: string }).type, problemType('invalid-app-token'));
});

test('when the dapr-api-token header is wrong, then 401', async (t) => {
  const { server } = await guardedApp(t, TOKEN);
  for (const wrong of ['nope', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
    const res = await fetch(`${server.url}/dapr/ping`, { method: 'POST', headers: { 'dapr-api-token': wrong } });
    assert.equal(res.status, 401, wrong);
  }
});

test('when the dapr-api-token header matches, then the route runs', async (t) => {
  const { server } = await guardedApp(t, TOKEN);
  const res = await fetch(`${server.url}/dapr/ping`, { method: 'POST', headers: { 'dapr-api-token': TOKEN } });
  assert.equal(res.status, 200);
});

test('when no token is configured, then calls pass and a single warning is logged', async (t) => {
  const { server, lines } = await guardedApp(t, undefined);
  for (let i = 0; i < 3; i++) {
    assert.equal((await fetch(`${server.url}/dapr/ping`, { method: 'POST' })).status, 200);
  }
  const warnings = lines.filter((l) => l['level'] === 'warn' && String(l['msg']).includes('APP_API_TOKEN'));
  assert.equal(warnings.length, 1);
});
