import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { createSubscriptions, getLifecycle } from '../src/index.ts';
import type { CloudEvent, Outcome } from '../src/index.ts';
import { makeApp, postJson, serve } from './helpers.ts';

const TOKEN = 'sidecar-token';
const taskEvent = z.object({ id: z.string(), type: z.literal('task.created'), taskId: z.string() });
type TaskEvent = z.output<typeof taskEvent>;
type Seen = Array<{ entryId: string; event: TaskEvent; cloudEventId: string; metadata: Record<string, string> }>;
type BulkHandlerFn = (entries: Array<{ entryId: string; event: TaskEvent; cloudEvent: CloudEvent; metadata: Record<string, string> }>) => Promise<Map<string, Outcome>>;

function cloudEvent(id: string, data: unknown): CloudEvent {
  return {
    id,
    source: 'tasks',
    type: 'task.created',
    specversion: '1.0',
    datacontenttype: 'application/json',
    topic: 'task-events',
    pubsubname: 'pubsub',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data,
  };
}

function good(n: number): TaskEvent {
  return { id: `evt-${n}`, type: 'task.created', taskId: `t-${n}` };
}

/** The body daprd 1.18 POSTs to a bulk route (pkg/runtime/subscription/postman/http DeliverBulk). */
function bulkBody(entries: Array<{ entryId: string; event: unknown }>): Record<string, unknown> {
  return {
    id: 'b1f7a0de-4e1a-4c59-9d59-8f0a0c2f6f11',
    type: 'com.dapr.event.sent.bulk',
    topic: 'task-events',
    pubsubname: 'pubsub',
    metadata: { pubsubName: 'pubsub' },
    entries: entries.map((e) => ({ ...e, metadata: { partition: '0' }, contentType: 'application/cloudevents+json' })),
  };
}

async function bulkApp(t: Parameters<typeof serve>[0], handler: BulkHandlerFn, bulk?: { maxMessagesCount?: number; maxAwaitDurationMs?: number }) {
  const kit = makeApp({ appApiToken: TOKEN });
  const subs = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics });
  subs.onBulk({ topic: 'task-events', schema: taskEvent, ...(bulk ? { bulk } : {}), handler: (entries) => handler(entries) });
  subs.on({ topic: 'reminders', handler: async () => 'SUCCESS' });
  subs.mount(kit.app);
  const server = await serve(t, kit.app);
  const post = (body: unknown, headers: Record<string, string> = { 'dapr-api-token': TOKEN }) =>
    postJson(`${server.url}/events/task-events`, body, headers);
  return { ...kit, subs, server, post };
}

const allSucceed: BulkHandlerFn = async (entries) => new Map(entries.map((e) => [e.entryId, 'SUCCESS' as const]));

async function statuses(res: Response): Promise<Record<string, string>> {
  assert.equal(res.status, 200);
  const body = (await res.json()) as { statuses: Array<{ entryId: string; status: string }> };
  return Object.fromEntries(body.statuses.map((s) => [s.entryId, s.status]));
}

test('when a bulk subscription is registered, then /dapr/subscribe lists it with bulkSubscribe enabled and its limits', async (t) => {
  const { server } = await bulkApp(t, allSucceed, { maxMessagesCount: 50, maxAwaitDurationMs: 250 });
  const res = await fetch(`${server.url}/dapr/subscribe`, { headers: { 'dapr-api-token': TOKEN } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), [
    {
      pubsubname: 'pubsub',
      topic: 'task-events',
      routes: { default: '/events/task-events' },
      deadLetterTopic: 'task-events.dead-letter',
      bulkSubscribe: { enabled: true, maxMessagesCount: 50, maxAwaitDurationMs: 250 },
    },
    { pubsubname: 'pubsub', topic: 'reminders', routes: { default: '/events/reminders' }, deadLetterTopic: 'reminders.dead-letter' },
  ]);
});

test('when no limits are given, then daprd\'s defaults (100 messages, 1000 ms) are written out', () => {
  const kit = makeApp();
  const subs = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics });
  subs.onBulk({ topic: 'task-events', handler: async () => new Map() });
  assert.deepEqual(subs.list()[0]?.bulkSubscribe, { enabled: true, maxMessagesCount: 100, maxAwaitDurationMs: 1000 });
});

test('when limits are out of range or the topic is taken, then registering throws', () => {
  const kit = makeApp();
  const subs = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics });
  const handler = async () => new Map<string, Outcome>();
  assert.throws(() => subs.onBulk({ topic: 'a', bulk: { maxMessagesCount: 0 }, handler }), /maxMessagesCount/);
  assert.throws(() => subs.onBulk({ topic: 'a', bulk: { maxAwaitDurationMs: 1.5 }, handler }), /maxAwaitDurationMs/);
  subs.on({ topic: 'b', handler: async () => 'SUCCESS' });
  assert.throws(() => subs.onBulk({ topic: 'b', handler }), /already has a handler/);
  subs.mount(kit.app);
  assert.throws(() => subs.onBulk({ topic: 'c', handler }), /after mount/);
});

test('when a batch mixes valid and invalid entries, then each entry gets its own status and only valid ones reach the handler', async (t) => {
  const seen: Seen = [];
  const { post, metrics } = await bulkApp(t, async (entries) => {
    for (const e of entries) seen.push({ entryId: e.entryId, event: e.event, cloudEventId: e.cloudEvent.id, metadata: e.metadata });
    return new Map(entries.map((e) => [e.entryId, e.event.taskId === 't-3' ? 'RETRY' : 'SUCCESS']));
  });
  const res = await post(
    bulkBody([
      { entryId: 'e1', event: cloudEvent('ce-1', good(1)) },
      { entryId: 'e2', event: cloudEvent('ce-2', { id: 'evt-2', type: 'task.created' }) }, // fails the schema
      { entryId: 'e3', event: cloudEvent('ce-3', good(3)) },
      { entryId: 'e4', event: { hello: 'not a cloud event' } },
      { entryId: 'e5', event: cloudEvent('ce-5', good(5)) },
    ]),
  );
  assert.deepEqual(await statuses(res), { e1: 'SUCCESS', e2: 'DROP', e3: 'RETRY', e4: 'DROP', e5: 'SUCCESS' });
  assert.deepEqual(
    seen.map((s) => [s.entryId, s.event.taskId, s.cloudEventId]),
    [['e1', 't-1', 'ce-1'], ['e3', 't-3', 'ce-3'], ['e5', 't-5', 'ce-5']],
  );
  assert.deepEqual(seen[0]?.metadata, { partition: '0' });

  const consumed = await metrics.eventsConsumed.get();
  const count = (outcome: string) => consumed.values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);
  assert.deepEqual([count('SUCCESS'), count('RETRY'), count('DROP')], [2, 1, 2]);
  assert.equal((await metrics.deadLetter.get()).values[0]?.value, 2);
});

test('when the handler throws, then every valid entry is RETRY (never SUCCESS) and invalid ones stay DROP', async (t) => {
  const { post, lines, metrics } = await bulkApp(t, async () => {
    throw new Error('database is down');
  });
  const res = await post(
    bulkBody([
      { entryId: 'e1', event: cloudEvent('ce-1', good(1)) },
      { entryId: 'e2', event: cloudEvent('ce-2', { nope: true }) },
      { entryId: 'e3', event: cloudEvent('ce-3', good(3)) },
    ]),
  );
  assert.deepEqual(await statuses(res), { e1: 'RETRY', e2: 'DROP', e3: 'RETRY' });
  const logged = lines.find((l) => l['level'] === 'error');
  assert.match(String((logged?.['err'] as { message?: string } | undefined)?.message), /database is down/);
  const failed = (await metrics.eventsFailed.get()).values.find((v) => v.labels.reason === 'handler_error');
  assert.equal(failed?.value, 2);
});

test('when the handler leaves an entry out or answers nonsense, then that entry is RETRY', async (t) => {
  const { post } = await bulkApp(t, async (entries) => {
    const out = new Map<string, Outcome>();
    if (entries[0]) out.set(entries[0].entryId, 'DROP');
    if (entries[1]) out.set(entries[1].entryId, 'OK' as Outcome);
    return out;
  });
  const res = await post(
    bulkBody([
      { entryId: 'e1', event: cloudEvent('ce-1', good(1)) },
      { entryId: 'e2', event: cloudEvent('ce-2', good(2)) },
      { entryId: 'e3', event: cloudEvent('ce-3', good(3)) },
    ]),
  );
  assert.deepEqual(await statuses(res), { e1: 'DROP', e2: 'RETRY', e3: 'RETRY' });
});

test('when the same entryId appears twice, then it is answered once and handled once', async (t) => {
  let handled = 0;
  const { post } = await bulkApp(t, async (entries) => {
    handled += entries.length;
    return new Map(entries.map((e) => [e.entryId, 'SUCCESS' as const]));
  });
  const res = await post(bulkBody([{ entryId: 'e1', event: cloudEvent('ce-1', good(1)) }, { entryId: 'e1', event: cloudEvent('ce-1', good(1)) }]));
  const body = (await res.json()) as { statuses: unknown[] };
  assert.deepEqual(body.statuses, [{ entryId: 'e1', status: 'SUCCESS' }]);
  assert.equal(handled, 1);
});

test('when the app token is missing or wrong, then the bulk route answers 401 and the handler never runs', async (t) => {
  let calls = 0;
  const { post, server } = await bulkApp(t, async (entries) => {
    calls++;
    return allSucceed(entries);
  });
  const body = bulkBody([{ entryId: 'e1', event: cloudEvent('ce-1', good(1)) }]);
  const missing = await post(body, {});
  assert.equal(missing.status, 401);
  assert.match(missing.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal((await post(body, { 'dapr-api-token': `${TOKEN}-wrong` })).status, 401);
  assert.equal((await fetch(`${server.url}/dapr/subscribe`)).status, 401);
  assert.equal(calls, 0);
});

test('when a plain CloudEvent reaches a bulk route, then it is handled as a batch of one and answered with one status', async (t) => {
  const seen: string[] = [];
  const { post } = await bulkApp(t, async (entries) => {
    seen.push(...entries.map((e) => e.event.taskId));
    return allSucceed(entries);
  });
  const ok = await post(cloudEvent('ce-1', good(1)));
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { status: 'SUCCESS' });
  const bad = await post(cloudEvent('ce-2', { id: 'evt-2' }));
  assert.deepEqual(await bad.json(), { status: 'DROP' });
  assert.deepEqual(seen, ['t-1']);
});

test('when a batch is larger than the 1 MB limit of single deliveries, then the bulk route still reads it', async (t) => {
  const { post, server } = await bulkApp(t, allSucceed);
  const padding = 'x'.repeat(200_000);
  const entries = Array.from({ length: 8 }, (_, i) => ({ entryId: `e${i}`, event: { ...cloudEvent(`ce-${i}`, good(i)), padding } }));
  const res = await post(bulkBody(entries));
  assert.equal(Object.values(await statuses(res)).filter((s) => s === 'SUCCESS').length, 8);
  // Other topic routes keep the app-wide limit.
  const single = await postJson(`${server.url}/events/reminders`, { ...cloudEvent('ce-big', {}), padding: 'x'.repeat(1_200_000) }, { 'dapr-api-token': TOKEN });
  assert.deepEqual(await single.json(), { status: 'DROP' });
});

test('when a bulk body cannot be read, then the answer is a non-2xx problem so the sidecar retries every entry', async (t) => {
  const { post } = await bulkApp(t, allSucceed);
  const res = await post('{"entries": [');
  assert.equal(res.status, 400);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
});

test('when the app is shutting down, then every entry is RETRY without calling the handler', async (t) => {
  let calls = 0;
  const { post, app } = await bulkApp(t, async (entries) => {
    calls++;
    return allSucceed(entries);
  });
  getLifecycle(app)?.beginShutdown();
  const res = await post(bulkBody([{ entryId: 'e1', event: cloudEvent('ce-1', good(1)) }, { entryId: 'e2', event: 'garbage' }]));
  assert.deepEqual(await statuses(res), { e1: 'RETRY', e2: 'RETRY' });
  assert.equal(calls, 0);
});

test('when a per-event subscription is batched, then daprd bulk-delivers it and the handler runs once per entry, in order, a throw being that entry RETRY', async (t) => {
  const kit = makeApp({ appApiToken: TOKEN });
  const seen: string[] = [];
  createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics })
    .on({
      topic: 'task-events',
      schema: taskEvent,
      batched: { maxMessagesCount: 50, maxAwaitDurationMs: 20 },
      handler: async (event) => {
        seen.push(event.taskId);
        if (event.taskId === 't-2') throw new Error('database away');
        return event.taskId === 't-3' ? 'DROP' : 'SUCCESS';
      },
    })
    .mount(kit.app);
  const server = await serve(t, kit.app);
  const listed = (await (await fetch(`${server.url}/dapr/subscribe`, { headers: { 'dapr-api-token': TOKEN } })).json()) as Array<{ bulkSubscribe?: unknown }>;
  assert.deepEqual(listed[0]?.bulkSubscribe, { enabled: true, maxMessagesCount: 50, maxAwaitDurationMs: 20 });
  const res = await postJson(
    `${server.url}/events/task-events`,
    bulkBody([1, 2, 3, 4].map((n) => ({ entryId: `e${n}`, event: cloudEvent(`evt-${n}`, good(n)) }))),
    { 'dapr-api-token': TOKEN },
  );
  assert.deepEqual(await statuses(res), { e1: 'SUCCESS', e2: 'RETRY', e3: 'DROP', e4: 'SUCCESS' });
  assert.deepEqual(seen, ['t-1', 't-2', 't-3', 't-4']);
});
