import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Router } from 'express';
import { z } from 'zod';
import { conflict, problemType } from '../src/index.ts';
import { makeApp, postJson, serve } from './helpers.ts';

async function problemApp(t: Parameters<typeof serve>[0]) {
  const kit = makeApp();
  const body = z.object({ title: z.string().min(1), priority: z.number().int().min(1).max(5) });
  kit.app.post('/tasks', (req, res) => {
    const task = body.parse(req.body);
    res.status(201).json(task);
  });
  kit.app.put('/tasks/:id', () => {
    throw conflict('The task was changed by someone else.', { type: 'version-conflict', extra: { currentVersion: 7 } });
  });
  kit.app.get('/boom', async () => {
    throw new Error('secret internals: connection string postgres://x');
  });
  const nested = Router();
  nested.get('/items/:id', (_req, res) => {
    res.json({ ok: true });
  });
  kit.app.use('/api', nested);
  const server = await serve(t, kit.app);
  return { ...kit, server };
}

function assertProblem(res: Response) {
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
}

test('when the body is not valid JSON, then 400 malformed-json as problem+json', async (t) => {
  const { server } = await problemApp(t);
  const res = await postJson(`${server.url}/tasks`, '{"title": ');
  assert.equal(res.status, 400);
  assertProblem(res);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc['type'], problemType('malformed-json'));
  assert.equal(doc['status'], 400);
  assert.equal(doc['instance'], '/tasks');
});

test('when zod rejects the body, then 400 validation-error lists every issue with its path', async (t) => {
  const { server } = await problemApp(t);
  const res = await postJson(`${server.url}/tasks`, { title: '', priority: 9 });
  assert.equal(res.status, 400);
  assertProblem(res);
  const doc = (await res.json()) as { type: string; errors: Array<{ path: string; message: string }> };
  assert.equal(doc.type, 'https://lifeline.dev/problems/validation-error');
  assert.deepEqual(doc.errors.map((e) => e.path).sort(), ['priority', 'title']);
  for (const e of doc.errors) assert.ok(e.message.length > 0);
});

test('when a route throws an HttpProblem, then its status, type and extension members are sent', async (t) => {
  const { server } = await problemApp(t);
  const res = await fetch(`${server.url}/tasks/1`, { method: 'PUT' });
  assert.equal(res.status, 409);
  assertProblem(res);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc['type'], problemType('version-conflict'));
  assert.equal(doc['title'], 'Conflict');
  assert.equal(doc['detail'], 'The task was changed by someone else.');
  assert.equal(doc['currentVersion'], 7);
});

test('when no route matches, then 404 problem+json', async (t) => {
  const { server } = await problemApp(t);
  const res = await fetch(`${server.url}/nope`);
  assert.equal(res.status, 404);
  assertProblem(res);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc['status'], 404);
  assert.equal(doc['type'], problemType('route-not-found'));
});

test('when a route throws an unknown error, then 500 internal without stack or message, and the error is logged', async (t) => {
  const { server, lines } = await problemApp(t);
  const res = await fetch(`${server.url}/boom`);
  assert.equal(res.status, 500);
  assertProblem(res);
  const text = await res.text();
  assert.ok(!text.includes('secret internals'), 'error message leaked');
  assert.ok(!text.includes('at '), 'stack leaked');
  const doc = JSON.parse(text) as Record<string, unknown>;
  assert.equal(doc['type'], problemType('internal'));
  assert.equal(typeof doc['traceId'], 'string');
  const logged = lines.find((l) => l['msg'] === 'unhandled error');
  assert.ok(logged, 'unknown error was not logged');
  assert.match(String((logged['err'] as { stack?: string }).stack), /secret internals/);
  assert.equal(logged['traceId'], doc['traceId']);
});

test('when the body is larger than 1mb, then 413 payload-too-large', async (t) => {
  const { server } = await problemApp(t);
  const res = await postJson(`${server.url}/tasks`, { title: 'x'.repeat(1_100_000), priority: 1 });
  assert.equal(res.status, 413);
  assertProblem(res);
  assert.equal(((await res.json()) as { type: string }).type, problemType('payload-too-large'));
});

test('when the JSON charset is unsupported, then 415 unsupported-media-type', async (t) => {
  const { server } = await problemApp(t);
  const res = await postJson(`${server.url}/tasks`, '{}', { 'content-type': 'application/json; charset=klingon' });
  assert.equal(res.status, 415);
  assertProblem(res);
});

test('when requests hit a nested router, then the latency histogram is labelled by route pattern', async (t) => {
  const { server, metrics } = await problemApp(t);
  await (await fetch(`${server.url}/api/items/123`)).text();
  await (await fetch(`${server.url}/api/items/456`)).text();
  await (await fetch(`${server.url}/nope/789`)).text();
  const res = await fetch(`${server.url}/metrics`);
  const text = await res.text();
  assert.match(text, /http_request_duration_seconds_count\{[^}]*route="\/api\/items\/:id"[^}]*\} 2/);
  assert.ok(!text.includes('/api/items/123'));
  assert.ok(!text.includes('/nope/789'));
  assert.match(text, /route="\(unmatched\)"/);
  assert.ok(metrics.registry.getSingleMetric('events_consumed_total'));
});
