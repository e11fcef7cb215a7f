import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badRequest } from '../src/index.ts';
import { call, eventually, expectJson, expectProblem } from '@lifeline/kit/testing';
import { makeApp, serve } from './helpers.ts';

async function echoApp(t: Parameters<typeof serve>[0]) {
  const kit = makeApp();
  kit.app.all('/echo', (req, res) => {
    res.status(201).json({ method: req.method, authorization: req.get('authorization') ?? null, type: req.get('content-type') ?? null, body: (req.body as unknown) ?? null, extra: req.get('x-extra') ?? null });
  });
  kit.app.get('/refuse', () => {
    throw badRequest('no', { type: 'nope' });
  });
  return serve(t, kit.app);
}

test('when a test calls the app, then JSON goes out with the bearer token and the response comes back as it is', async (t) => {
  const server = await echoApp(t);
  const echoed = await expectJson(await call(server.url, '/echo', 'Bearer abc', { method: 'PUT', body: { a: 1 }, headers: { 'x-extra': 'yes' } }), 201);
  assert.deepEqual(echoed, { method: 'PUT', authorization: 'Bearer abc', type: 'application/json', body: { a: 1 }, extra: 'yes' });
  const bare = await expectJson(await call(server.url, '/echo', undefined), 201);
  assert.deepEqual(bare, { method: 'GET', authorization: null, type: null, body: null, extra: null });
});

test('when the answer is not what the test expects, then expectJson and expectProblem fail showing the body', async (t) => {
  const server = await echoApp(t);
  assert.equal((await expectProblem(await call(server.url, '/refuse', undefined), 400, 'nope')).detail, 'no');
  await assert.rejects(expectProblem(await call(server.url, '/refuse', undefined), 400, 'other'), assert.AssertionError);
  await assert.rejects(expectProblem(await call(server.url, '/echo', undefined), 201), assert.AssertionError);
  await assert.rejects(expectJson(await call(server.url, '/refuse', undefined), 200), /expected 200, got 400: .*"detail":"no"/);
});

test('when the effect shows up after a while, then eventually returns it; when it never does, it fails naming what it waited for', async () => {
  let polls = 0;
  assert.equal(await eventually(async () => (++polls >= 3 ? 'there' : undefined), 'the third poll'), 'there');
  assert.equal(polls, 3);
  await assert.rejects(eventually(async () => false, 'a miracle', 100), /timed out after 100ms waiting for a miracle/);
});
