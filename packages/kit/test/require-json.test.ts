import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemType, requireJsonBody } from '../src/index.ts';
import { makeApp, serve } from './helpers.ts';

async function echoApp(t: Parameters<typeof serve>[0]) {
  const kit = makeApp();
  kit.app.post('/things', requireJsonBody(), (req, res) => {
    res.status(201).json({ got: req.body as unknown });
  });
  return serve(t, kit.app);
}

test('when a JSON body (plain or +json) is posted, then the route runs', async (t) => {
  const server = await echoApp(t);
  for (const type of ['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json']) {
    const res = await fetch(`${server.url}/things`, { method: 'POST', headers: { 'content-type': type }, body: '{"a":1}' });
    assert.equal(res.status, 201, type);
    assert.deepEqual(await res.json(), { got: { a: 1 } });
  }
});

test('when the body is text or a form, then 415 unsupported-media-type as problem+json and the route never runs', async (t) => {
  const server = await echoApp(t);
  for (const [type, body] of [['text/plain', '{"a":1}'], ['application/x-www-form-urlencoded', 'a=1']] as const) {
    const res = await fetch(`${server.url}/things`, { method: 'POST', headers: { 'content-type': type }, body });
    assert.equal(res.status, 415, type);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc['type'], problemType('unsupported-media-type'));
    assert.match(String(doc['detail']), /application\/json/);
  }
});
