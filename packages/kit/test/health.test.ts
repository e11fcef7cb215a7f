import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemType } from '../src/index.ts';
import { makeApp, serve } from './helpers.ts';

test('when every readiness check passes, then /health/ready is 200 and /health/live is 200', async (t) => {
  const { app } = makeApp({ readiness: [{ name: 'sidecar', check: async () => true }, { name: 'database', check: async () => undefined }] });
  const server = await serve(t, app);
  assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
  const res = await fetch(`${server.url}/health/ready`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
  assert.deepEqual(body.checks.map((c) => [c.name, c.ok]), [['sidecar', true], ['database', true]]);
});

test('when a check fails, then /health/ready is 503 problem+json naming it, and live stays 200', async (t) => {
  const { app } = makeApp({
    readiness: [
      { name: 'sidecar', check: async () => true },
      { name: 'database', check: async () => { throw new Error('ECONNREFUSED 10.0.0.5:5432'); } },
      { name: 'cache', check: async () => false },
    ],
  });
  const server = await serve(t, app);
  const res = await fetch(`${server.url}/health/ready`);
  assert.equal(res.status, 503);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const text = await res.text();
  assert.ok(!text.includes('10.0.0.5'), 'check error details leaked');
  const doc = JSON.parse(text) as { type: string; detail: string; checks: Array<{ name: string; ok: boolean; reason?: string }> };
  assert.equal(doc.type, problemType('not-ready'));
  assert.match(doc.detail, /database/);
  assert.match(doc.detail, /cache/);
  assert.doesNotMatch(doc.detail, /sidecar/);
  assert.deepEqual(doc.checks.filter((c) => !c.ok).map((c) => [c.name, c.reason]), [['database', 'error'], ['cache', 'false']]);
  assert.equal((await fetch(`${server.url}/health/live`)).status, 200);
});

test('when a check hangs, then /health/ready answers 503 after the check timeout instead of hanging', async (t) => {
  let aborted = false;
  const { app } = makeApp({
    readinessTimeoutMs: 150,
    readiness: [
      {
        name: 'database',
        check: (signal) =>
          new Promise(() => {
            signal.addEventListener('abort', () => (aborted = true));
          }),
      },
    ],
  });
  const server = await serve(t, app);
  const started = Date.now();
  const res = await fetch(`${server.url}/health/ready`);
  const elapsed = Date.now() - started;
  assert.equal(res.status, 503);
  assert.ok(elapsed < 2000, `ready took ${elapsed}ms`);
  const doc = (await res.json()) as { detail: string };
  assert.match(doc.detail, /database \(timeout\)/);
  assert.equal(aborted, true, 'the check was not told to stop');
});

test('when the service is shutting down, then /health/ready is 503 even though checks pass', async (t) => {
  const { app } = makeApp({ readiness: [{ name: 'sidecar', check: async () => true }] });
  const server = await serve(t, app);
  server.lifecycle.beginShutdown();
  const res = await fetch(`${server.url}/health/ready`);
  assert.equal(res.status, 503);
  assert.match(((await res.json()) as { detail: string }).detail, /shutting down/);
});
