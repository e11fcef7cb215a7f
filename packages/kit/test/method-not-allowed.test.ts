import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Router } from 'express';
import { answerUnknownMethods, problemType } from '../src/index.ts';
import { makeApp, serve } from './helpers.ts';

async function thingsApp(t: Parameters<typeof serve>[0]) {
  const kit = makeApp();
  const things = Router();
  things.get('/things', (_req, res) => void res.json([]));
  things.post('/things', (_req, res) => void res.status(201).json({}));
  things.delete('/things/:id', (_req, res) => void res.status(204).end());
  const inner = Router().get('/nested/:id', (_req, res) => void res.json({}));
  things.use('/deep', inner);
  kit.app.use('/api', answerUnknownMethods(things));
  return serve(t, kit.app);
}

test('when a known path is asked with a method it does not serve, then 405 problem+json with Allow', async (t) => {
  const server = await thingsApp(t);
  for (const [method, path, allow] of [
    ['PUT', '/api/things', 'GET, POST, HEAD'],
    ['PATCH', '/api/things/42', 'DELETE'],
    ['POST', '/api/deep/nested/7', 'GET, HEAD'],
  ] as const) {
    const res = await fetch(`${server.url}${path}`, { method });
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.equal(res.headers.get('allow'), allow);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(((await res.json()) as { type: string }).type, problemType('method-not-allowed'));
  }
});

test('when a served method, HEAD of a GET, OPTIONS or an unknown path is asked, then the router answers as before', async (t) => {
  const server = await thingsApp(t);
  assert.equal((await fetch(`${server.url}/api/things`)).status, 200);
  assert.equal((await fetch(`${server.url}/api/things`, { method: 'HEAD' })).status, 200);
  assert.equal((await fetch(`${server.url}/api/things/1`, { method: 'DELETE' })).status, 204);
  const options = await fetch(`${server.url}/api/things`, { method: 'OPTIONS' });
  assert.equal(options.status, 200);
  assert.match(options.headers.get('allow') ?? '', /GET/);
  assert.equal((await fetch(`${server.url}/api/elsewhere`, { method: 'PUT' })).status, 404);
});
