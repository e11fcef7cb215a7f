import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { DaprClient, DaprError, StateConflictError, createMetrics, stateStoreGuard, withEventContext } from '../src/index.ts';
import { daprPathSegment } from '../src/dapr-client.ts';
import { captureLogger } from './helpers.ts';

/*
 * These tests pin the exact HTTP requests the client sends (paths, query metadata, headers, bodies)
 * and how it treats daprd's documented answers. A loopback server records the requests and answers
 * with the status codes daprd uses; the behaviour of a real sidecar is covered by the e2e suites.
 */

interface Recorded {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = (req: Recorded, res: ServerResponse) => void;

async function sidecarRecorder(t: { after(fn: () => unknown): void }, reply: Reply) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      const rec = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body };
      requests.push(rec);
      reply(rec, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const port = (server.address() as AddressInfo).port;
  const metrics = createMetrics({ defaultMetrics: false });
  const client = new DaprClient({
    host: '127.0.0.1',
    httpPort: port,
    apiToken: 'dapr-token',
    pubsubName: 'pubsub',
    stateStoreName: 'statestore',
    timeoutMs: 1000,
    metrics,
    logger: captureLogger().logger,
  });
  return { client, requests, metrics };
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('when publishing, then the CloudEvent id, type and trace go as metadata.cloudevent.* with the API token', async (t) => {
  const { client, requests, metrics } = await sidecarRecorder(t, (_req, res) => res.writeHead(204).end());
  await withEventContext({ traceparent: TRACEPARENT }, () =>
    client.publish('task-events', { id: 'e-1', taskId: 't-1' }, { id: 'e-1', type: 'task.created', metadata: { ttlInSeconds: '60' } }),
  );
  const [req] = requests;
  assert.ok(req);
  assert.equal(req.method, 'POST');
  assert.equal(req.url.pathname, '/v1.0/publish/pubsub/task-events');
  assert.equal(req.url.searchParams.get('metadata.cloudevent.id'), 'e-1');
  assert.equal(req.url.searchParams.get('metadata.cloudevent.type'), 'task.created');
  assert.equal(req.url.searchParams.get('metadata.ttlInSeconds'), '60');
  const sentTrace = req.url.searchParams.get('metadata.cloudevent.traceparent') ?? '';
  assert.match(sentTrace, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  assert.equal(req.headers['traceparent'], sentTrace);
  assert.equal(req.headers['dapr-api-token'], 'dapr-token');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(req.body), { id: 'e-1', taskId: 't-1' });
  assert.equal((await metrics.eventsPublished.get()).values[0]?.value, 1);
});

test('when the sidecar rejects a publish, then publish throws (never resolves quietly) and counts a failure', async (t) => {
  const { client, metrics } = await sidecarRecorder(t, (_req, res) =>
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE', message: 'broker down' })),
  );
  await assert.rejects(client.publish('task-events', {}, { type: 'task.created' }), (err: unknown) => {
    assert.ok(err instanceof DaprError);
    assert.equal(err.status, 500);
    assert.equal(err.errorCode, 'ERR_PUBSUB_PUBLISH_MESSAGE');
    return true;
  });
  assert.equal((await metrics.eventsFailed.get()).values[0]?.labels.reason, 'publish_error');
  assert.equal((await metrics.eventsPublished.get()).values.length, 0);
});

test('when the sidecar is unreachable, then publish throws', async () => {
  const client = new DaprClient({ host: '127.0.0.1', httpPort: 1, pubsubName: 'pubsub', stateStoreName: 'statestore', timeoutMs: 500 });
  await assert.rejects(client.publish('task-events', {}), DaprError);
  assert.equal(await client.healthy(), false);
});

test('when reading state, then 204 is "absent" and 200 returns the value with its ETag', async (t) => {
  const { client, requests } = await sidecarRecorder(t, (req, res) => {
    if (req.url.pathname.endsWith('/missing')) res.writeHead(204).end();
    else res.writeHead(200, { 'content-type': 'application/json', etag: '7' }).end('{"n":1}');
  });
  assert.equal(await client.getState('missing'), undefined);
  assert.deepEqual(await client.getState('k:1', { consistency: 'strong' }), { value: { n: 1 }, etag: '7' });
  assert.equal(requests[1]?.url.pathname, '/v1.0/state/statestore/k:1');
  assert.equal(requests[1]?.url.searchParams.get('consistency'), 'strong');
});

test('when saving state with an etag, ttl and first-write, then they are in the item; a 409 throws StateConflictError', async (t) => {
  let status = 204;
  const { client, requests } = await sidecarRecorder(t, (_req, res) => res.writeHead(status).end());
  await client.saveState('k1', { a: 1 }, { etag: '3', concurrency: 'first-write', consistency: 'strong', ttlSeconds: 90 });
  assert.equal(requests[0]?.url.pathname, '/v1.0/state/statestore');
  assert.deepEqual(JSON.parse(requests[0]?.body ?? ''), [
    { key: 'k1', value: { a: 1 }, etag: '3', metadata: { ttlInSeconds: '90' }, options: { concurrency: 'first-write', consistency: 'strong' } },
  ]);
  status = 409;
  await assert.rejects(client.saveState('k1', {}, { etag: '2' }), StateConflictError);
});

test('when deleting with an etag, then it goes as If-Match with the concurrency query', async (t) => {
  const { client, requests } = await sidecarRecorder(t, (_req, res) => res.writeHead(204).end());
  await client.deleteState('k1', { etag: '5', concurrency: 'first-write' });
  assert.equal(requests[0]?.method, 'DELETE');
  assert.equal(requests[0]?.headers['if-match'], '5');
  assert.equal(requests[0]?.url.searchParams.get('concurrency'), 'first-write');
});

test('when invoking another app, then status and parsed body come back even for 4xx', async (t) => {
  const { client, requests } = await sidecarRecorder(t, (_req, res) =>
    res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}'),
  );
  const result = await client.invoke('tasks', '/tasks/t-1', { httpMethod: 'get', headers: { 'x-a': 'b' } });
  assert.equal(result.status, 404);
  assert.deepEqual(result.body, { status: 404 });
  assert.equal(requests[0]?.url.pathname, '/v1.0/invoke/tasks/method/tasks/t-1');
  assert.equal(requests[0]?.method, 'GET');
  assert.equal(requests[0]?.headers['x-a'], 'b');
});

test('when waiting for the sidecar, then it polls healthz/outbound until 2xx', async (t) => {
  let calls = 0;
  const { client, requests } = await sidecarRecorder(t, (_req, res) => res.writeHead(++calls < 3 ? 500 : 204).end());
  await client.waitForSidecar(5000, 20);
  assert.equal(calls, 3);
  assert.equal(requests[0]?.url.pathname, '/v1.0/healthz/outbound');
});

test('when the sidecar never becomes healthy, then waitForSidecar throws after its timeout', async (t) => {
  const { client } = await sidecarRecorder(t, (_req, res) => res.writeHead(500).end());
  await assert.rejects(client.waitForSidecar(100, 20), /not healthy/);
});

test('when the state store guard runs, then it reads with strong consistency and marks first-write with a TTL', async (t) => {
  const stored = new Map<string, string>();
  const { client, requests } = await sidecarRecorder(t, (req, res) => {
    if (req.method === 'GET') {
      const key = decodeURIComponent(req.url.pathname.split('/').pop() ?? '');
      const v = stored.get(key);
      if (v === undefined) res.writeHead(204).end();
      else res.writeHead(200, { 'content-type': 'application/json', etag: '1' }).end(v);
      return;
    }
    const [item] = JSON.parse(req.body) as Array<{ key: string; value: unknown }>;
    if (item) stored.set(item.key, JSON.stringify(item.value));
    res.writeHead(204).end();
  });
  const guard = stateStoreGuard(client, { ttlSeconds: 3600 });
  let calls = 0;
  assert.equal((await guard.runOnce('evt 1', async () => ++calls)).duplicate, false);
  assert.equal((await guard.runOnce('evt 1', async () => ++calls)).duplicate, true);
  assert.equal(calls, 1);
  assert.equal(requests[0]?.url.pathname, '/v1.0/state/statestore/idempotency:evt%201');
  const save = JSON.parse(requests[1]?.body ?? '[]') as Array<Record<string, unknown>>;
  assert.deepEqual(save[0]?.['options'], { concurrency: 'first-write', consistency: 'strong' });
  assert.deepEqual(save[0]?.['metadata'], { ttlInSeconds: '3600' });
});

test('daprPathSegment escapes like Go so daprd reads back the same key', () => {
  assert.equal(daprPathSegment('a:b@c=d'), 'a:b@c=d');
  assert.equal(daprPathSegment('a|b c'), 'a%7Cb%20c');
  assert.equal(daprPathSegment('é'), '%C3%A9');
  assert.throws(() => daprPathSegment('a/b'), DaprError);
  assert.throws(() => daprPathSegment('..'), DaprError);
});

test('when bulk publishing, then one request carries every entry with its CloudEvent metadata', async (t) => {
  const { client, requests, metrics } = await sidecarRecorder(t, (_req, res) => res.writeHead(204).end());
  const result = await client.publishBulk('task-events', [
    { entryId: 'a', data: { n: 1 }, id: 'e-a', type: 'task.created', source: 'tasks' },
    { entryId: 'b', data: { n: 2 }, id: 'e-b', type: 'task.updated', traceparent: TRACEPARENT },
  ]);
  assert.equal(result.failed.size, 0);
  const [req] = requests;
  assert.equal(req?.url.pathname, '/v1.0-alpha1/publish/bulk/pubsub/task-events');
  assert.equal(req?.headers['dapr-api-token'], 'dapr-token');
  assert.deepEqual(JSON.parse(req?.body ?? ''), [
    { entryId: 'a', event: { n: 1 }, contentType: 'application/json', metadata: { 'cloudevent.id': 'e-a', 'cloudevent.type': 'task.created', 'cloudevent.source': 'tasks' } },
    { entryId: 'b', event: { n: 2 }, contentType: 'application/json', metadata: { 'cloudevent.id': 'e-b', 'cloudevent.type': 'task.updated', 'cloudevent.traceparent': TRACEPARENT } },
  ]);
  assert.match(await metrics.registry.metrics(), /events_published_total\{topic="task-events",type="task.created"\} 1/);
});

test('when the broker refuses some bulk entries, then exactly those come back as failed', async (t) => {
  const { client } = await sidecarRecorder(t, (_req, res) =>
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ failedEntries: [{ entryId: 'b', error: 'broker said no' }], errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' })),
  );
  const result = await client.publishBulk('task-events', [
    { entryId: 'a', data: {} },
    { entryId: 'b', data: {} },
  ]);
  assert.deepEqual([...result.failed], [['b', 'broker said no']]);
});

test('when the sidecar rejects a bulk publish outright, then publishBulk throws', async (t) => {
  const { client } = await sidecarRecorder(t, (_req, res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{"errorCode":"ERR_PUBSUB_FORBIDDEN"}'));
  await assert.rejects(client.publishBulk('task-events', [{ entryId: 'a', data: {} }]), DaprError);
});

test('when invoking an output binding, then operation, data and metadata go in one body and an upstream 404 comes back as an answer', async (t) => {
  const { client, requests } = await sidecarRecorder(t, (_req, res) =>
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"status":"NOT_FOUND"}}'),
  );
  const result = await client.invokeBinding('push', 'post', { message: { token: 'x' } }, { path: '/v1/send' });
  assert.equal(result.status, 404);
  assert.deepEqual(result.body, { error: { status: 'NOT_FOUND' } });
  assert.equal(requests[0]?.url.pathname, '/v1.0/bindings/push');
  assert.deepEqual(JSON.parse(requests[0]?.body ?? ''), { operation: 'post', data: { message: { token: 'x' } }, metadata: { path: '/v1/send' } });
});

test('when daprd itself fails a binding call (ERR_* code), then invokeBinding throws', async (t) => {
  const { client } = await sidecarRecorder(t, (_req, res) =>
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"errorCode":"ERR_INVOKE_OUTPUT_BINDING","message":"no binding push"}'),
  );
  await assert.rejects(client.invokeBinding('push', 'post', {}), (err: unknown) => err instanceof DaprError && err.status === 500 && /ERR_INVOKE_OUTPUT_BINDING/.test(err.message));
});
