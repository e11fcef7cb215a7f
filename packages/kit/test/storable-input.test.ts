import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { createSubscriptions, problemType } from '../src/index.ts';
import { makeApp, postJson, serve } from './helpers.ts';

const TOKEN = 'app-token-for-storable-input-tests';

async function guardedApp(t: Parameters<typeof serve>[0]) {
  const kit = makeApp({ appApiToken: TOKEN });
  const seen: unknown[] = [];
  createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics })
    .on({
      topic: 'things',
      schema: z.object({ name: z.string().refine((s) => !s.includes('\u0000'), 'no NUL') }),
      handler: (event) => {
        seen.push(event);
        return Promise.resolve('SUCCESS' as const);
      },
    })
    .mount(kit.app);
  let routeRan = 0;
  kit.app.get('/things/:id', (req, res) => {
    routeRan++;
    res.json({ id: req.params.id, q: req.query });
  });
  kit.app.post('/things', (req, res) => {
    routeRan++;
    res.status(201).json(req.body);
  });
  const server = await serve(t, kit.app);
  return { server, seen, routeRuns: () => routeRan };
}

async function problem(res: Response, status: number, type: string): Promise<Record<string, unknown>> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc['type'], problemType(type));
  return doc;
}

test('when a JSON string anywhere in the body holds NUL or a lone surrogate, then 400 naming the path and the route never runs', async (t) => {
  const app = await guardedApp(t);
  const bodies = [
    '{"title":"a\\u0000b"}',
    '{"tags":["ok","a\\ud800"]}',
    '{"deep":{"er":[{"x":"\\udc00"}]}}',
    '{"a\\u0000":1}',
  ];
  for (const body of bodies) {
    const res = await fetch(`${app.server.url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const doc = await problem(res, 400, 'validation-error');
    const errors = doc['errors'] as Array<{ path: string }>;
    assert.ok(errors.length >= 1 && errors.every((e) => e.path.startsWith('body')), body);
  }
  assert.equal(app.routeRuns(), 0);
});

test('when strings are fine (emoji pairs, other scripts, escapes), then the route runs', async (t) => {
  const app = await guardedApp(t);
  const res = await postJson(`${app.server.url}/things`, { title: 'Tablets 💊 für Oma — 薬', note: 'line\nbreak\ttab' });
  assert.equal(res.status, 201);
  assert.equal(app.routeRuns(), 1);
});

test('when a query value holds NUL, then 400 validation-error on query', async (t) => {
  const app = await guardedApp(t);
  for (const qs of ['tag=%00x', 'a=1&tag=ok&tag=%00', 'k%00=1']) {
    const doc = await problem(await fetch(`${app.server.url}/things/1?${qs}`), 400, 'validation-error');
    assert.match(JSON.stringify(doc['errors']), /query/);
  }
  assert.equal(app.routeRuns(), 0);
});

test('when the path has bad percent-encoding, a NUL or an encoded surrogate, then 400 malformed-path', async (t) => {
  const app = await guardedApp(t);
  for (const path of ['/things/%FF', '/things/%E0%A4%A', '/things/a%00b', '/things/%ED%A0%80', '/nowhere/%FF']) {
    await problem(await fetch(`${app.server.url}${path}`), 400, 'malformed-path');
  }
  assert.equal(app.routeRuns(), 0);
  const ok = await fetch(`${app.server.url}/things/caf%C3%A9%20%F0%9F%98%80`);
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { id: string }).id, 'café 😀');
});

test('when a deeply nested body arrives, then it is checked without overflowing the stack', async (t) => {
  const app = await guardedApp(t);
  const depth = 100_000;
  const body = '['.repeat(depth) + '"\\u0000"' + ']'.repeat(depth);
  const res = await fetch(`${app.server.url}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  // JSON.parse itself may refuse this depth (400 malformed-json); either way a clear 4xx, never a 500.
  assert.ok(res.status === 400, `status ${res.status}`);
});

test('when the sidecar delivers an event with a NUL, then the subscription answers DROP (not a 400 daprd would retry forever)', async (t) => {
  const app = await guardedApp(t);
  const res = await postJson(
    `${app.server.url}/events/things`,
    { specversion: '1.0', id: 'e1', source: 'test', type: 'com.dapr.event.sent', datacontenttype: 'application/json', topic: 'things', pubsubname: 'pubsub', data: { name: 'a\u0000b' } },
    { 'content-type': 'application/cloudevents+json', 'dapr-api-token': TOKEN },
  );
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { status: string }).status, 'DROP');
  assert.equal(app.seen.length, 0);
});
