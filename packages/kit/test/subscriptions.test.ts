import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { createSubscriptions, keyStoreGuard, memoryKeyStore } from '../src/index.ts';
import type { CloudEvent, Outcome, RawSubscription, TypedSubscription } from '../src/index.ts';
import { makeApp, postJson, serve } from './helpers.ts';

const TOKEN = 'sidecar-token';
const taskEvent = z.object({ id: z.string(), type: z.literal('task.created'), taskId: z.string() });
type TaskEvent = z.output<typeof taskEvent>;

function cloudEvent(data: unknown, over: Partial<CloudEvent> = {}): CloudEvent {
  return {
    id: 'evt-1',
    source: 'tasks',
    type: 'task.created',
    specversion: '1.0',
    datacontenttype: 'application/json',
    time: '2025-01-01T00:00:00Z',
    topic: 'task-events',
    pubsubname: 'pubsub',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data,
    ...over,
  };
}

const goodData: TaskEvent = { id: 'evt-1', type: 'task.created', taskId: 't-1' };

async function subsApp(
  t: Parameters<typeof serve>[0],
  subs: Array<TypedSubscription<TaskEvent> | RawSubscription>,
  appApiToken: string | undefined = TOKEN,
) {
  const kit = makeApp({ ...(appApiToken ? { appApiToken } : {}) });
  const s = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics });
  for (const sub of subs) s.on(sub as TypedSubscription<TaskEvent>);
  s.mount(kit.app);
  const server = await serve(t, kit.app);
  const deliver = (topic: string, body: unknown, contentType = 'application/cloudevents+json') =>
    postJson(`${server.url}/events/${topic}`, body, { 'content-type': contentType, 'dapr-api-token': TOKEN });
  return { ...kit, server, deliver };
}

async function status(res: Response): Promise<string> {
  assert.equal(res.status, 200);
  return ((await res.json()) as { status: string }).status;
}

test('when the sidecar asks GET /dapr/subscribe, then every topic is listed with route and dead-letter topic', async (t) => {
  const { server } = await subsApp(t, [
    { topic: 'task-events', schema: taskEvent, handler: async () => 'SUCCESS' },
    { topic: 'reminders', deadLetterTopic: 'reminders-poison', metadata: { rawPayload: 'false' }, handler: async () => 'SUCCESS' },
  ]);
  const res = await fetch(`${server.url}/dapr/subscribe`, { headers: { 'dapr-api-token': TOKEN } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), [
    { pubsubname: 'pubsub', topic: 'task-events', routes: { default: '/events/task-events' }, deadLetterTopic: 'task-events.dead-letter' },
    {
      pubsubname: 'pubsub',
      topic: 'reminders',
      routes: { default: '/events/reminders' },
      deadLetterTopic: 'reminders-poison',
      metadata: { rawPayload: 'false' },
    },
  ]);
});

test('when a subscription names another pub/sub component, then it is listed there with its own route and delivered there', async (t) => {
  const kit = makeApp({ appApiToken: TOKEN });
  const seen: string[] = [];
  createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics })
    .on({ topic: 'live', handler: async () => (seen.push('pubsub'), 'SUCCESS') })
    .on({ topic: 'live', pubsubName: 'fanout', handler: async () => (seen.push('fanout'), 'SUCCESS') })
    .mount(kit.app);
  const server = await serve(t, kit.app);
  const res = await fetch(`${server.url}/dapr/subscribe`, { headers: { 'dapr-api-token': TOKEN } });
  assert.deepEqual(await res.json(), [
    { pubsubname: 'pubsub', topic: 'live', routes: { default: '/events/live' }, deadLetterTopic: 'live.dead-letter' },
    { pubsubname: 'fanout', topic: 'live', routes: { default: '/events/fanout/live' }, deadLetterTopic: 'live.dead-letter' },
  ]);
  const headers = { 'content-type': 'application/cloudevents+json', 'dapr-api-token': TOKEN };
  assert.equal(await status(await postJson(`${server.url}/events/fanout/live`, cloudEvent({}, { topic: 'live', pubsubname: 'fanout' }), headers)), 'SUCCESS');
  assert.deepEqual(seen, ['fanout']);
});

test('when /dapr/subscribe or a topic route is called without the app token, then 401', async (t) => {
  const { server } = await subsApp(t, [{ topic: 'task-events', schema: taskEvent, handler: async () => 'SUCCESS' }]);
  assert.equal((await fetch(`${server.url}/dapr/subscribe`)).status, 401);
  assert.equal((await postJson(`${server.url}/events/task-events`, cloudEvent(goodData))).status, 401);
});

test('when a valid CloudEvent arrives as application/cloudevents+json, then the handler gets typed data in the event context', async (t) => {
  const seen: Array<{ event: TaskEvent; id: string }> = [];
  const { deliver, lines, metrics } = await subsApp(t, [
    {
      topic: 'task-events',
      schema: taskEvent,
      handler: async (event, ctx) => {
        ctx.logger.info('handling');
        seen.push({ event, id: ctx.cloudEvent.id });
        return 'SUCCESS';
      },
    },
  ]);
  assert.equal(await status(await deliver('task-events', cloudEvent(goodData))), 'SUCCESS');
  assert.deepEqual(seen[0]?.event, goodData);
  const line = lines.find((l) => l['msg'] === 'handling');
  assert.equal(line?.['eventId'], 'evt-1');
  assert.equal(line?.['traceId'], '0af7651916cd43dd8448eb211c80319c');
  assert.equal(line?.['topic'], 'task-events');
  const consumed = await metrics.eventsConsumed.get();
  assert.deepEqual(
    consumed.values.map((v) => [v.labels, v.value]),
    [[{ topic: 'task-events', type: 'task.created', outcome: 'SUCCESS' }, 1]],
  );
});

test('when the data fails the schema, then DROP without calling the handler, counted as dead letter', async (t) => {
  let calls = 0;
  const { deliver, metrics, lines } = await subsApp(t, [
    {
      topic: 'task-events',
      schema: taskEvent,
      handler: async () => {
        calls++;
        return 'SUCCESS';
      },
    },
  ]);
  assert.equal(await status(await deliver('task-events', cloudEvent({ id: 'evt-1', type: 'task.created' }))), 'DROP');
  assert.equal(calls, 0);
  assert.equal((await metrics.deadLetter.get()).values[0]?.value, 1);
  assert.ok(lines.some((l) => l['level'] === 'warn' && l['eventId'] === 'evt-1'));
});

test('when the body is not a CloudEvent at all, then DROP', async (t) => {
  const { deliver } = await subsApp(t, [{ topic: 'task-events', schema: taskEvent, handler: async () => 'SUCCESS' }]);
  assert.equal(await status(await deliver('task-events', { hello: 'world' }, 'application/json')), 'DROP');
});

test('when the handler throws, then RETRY (never SUCCESS) and the error is logged', async (t) => {
  const { deliver, lines, metrics } = await subsApp(t, [
    {
      topic: 'task-events',
      schema: taskEvent,
      handler: async () => {
        throw new Error('database is down');
      },
    },
  ]);
  assert.equal(await status(await deliver('task-events', cloudEvent(goodData))), 'RETRY');
  const logged = lines.find((l) => l['level'] === 'error');
  assert.match(String((logged?.['err'] as { message?: string } | undefined)?.message), /database is down/);
  assert.equal((await metrics.eventsFailed.get()).values[0]?.labels.reason, 'handler_error');
});

test('when the handler returns RETRY or DROP, then that outcome is what the sidecar gets', async (t) => {
  const outcomes: Outcome[] = ['RETRY', 'DROP'];
  const { deliver } = await subsApp(t, [
    { topic: 'task-events', schema: taskEvent, handler: async () => outcomes.shift() ?? 'SUCCESS' },
  ]);
  assert.equal(await status(await deliver('task-events', cloudEvent(goodData))), 'RETRY');
  assert.equal(await status(await deliver('task-events', cloudEvent(goodData))), 'DROP');
  assert.equal(await status(await deliver('task-events', cloudEvent(goodData))), 'SUCCESS');
});

test('when an event is delivered twice under an idempotency guard, then the handler runs once', async (t) => {
  let calls = 0;
  const guard = keyStoreGuard(memoryKeyStore(), { ttlSeconds: 60 });
  const { deliver } = await subsApp(t, [
    {
      topic: 'task-events',
      schema: taskEvent,
      idempotency: guard,
      handler: async () => {
        calls++;
        return calls === 1 ? 'RETRY' : 'SUCCESS';
      },
    },
  ]);
  // RETRY must not mark the event as processed, or the redelivery would be skipped.
  assert.equal(await status(await deliver('task-events', cloudEvent(goodData))), 'RETRY');
  assert.equal(await status(await deliver('task-events', cloudEvent(goodData))), 'SUCCESS');
  assert.equal(await status(await deliver('task-events', cloudEvent(goodData))), 'SUCCESS');
  assert.equal(calls, 2);
});

test('when a raw subscription (no schema) gets a dead-lettered event, then the handler sees data as delivered', async (t) => {
  const seen: unknown[] = [];
  const { deliver } = await subsApp(t, [
    {
      topic: 'task-events.dead-letter',
      handler: async (data, ctx) => {
        seen.push({ data, type: ctx.cloudEvent.type });
        return 'SUCCESS';
      },
    },
  ]);
  const poison = { not: 'a task event' };
  assert.equal(await status(await deliver('task-events.dead-letter', cloudEvent(poison))), 'SUCCESS');
  assert.deepEqual(seen, [{ data: poison, type: 'task.created' }]);
});

test('when an input binding is registered, then OPTIONS answers 200 and POST runs it; a throw answers 500', async (t) => {
  const kit = makeApp({ appApiToken: TOKEN });
  let ticks = 0;
  const subs = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics });
  subs.binding({
    name: 'tasks-reminder-cron',
    handler: async () => {
      ticks++;
      if (ticks === 2) throw new Error('scan failed');
    },
  });
  subs.mount(kit.app);
  const server = await serve(t, kit.app);
  const url = `${server.url}/tasks-reminder-cron`;
  assert.equal((await fetch(url, { method: 'OPTIONS' })).status, 200);
  assert.equal((await fetch(url, { method: 'POST' })).status, 401);
  const headers = { 'dapr-api-token': TOKEN };
  assert.equal((await fetch(url, { method: 'POST', headers })).status, 200);
  const failed = await fetch(url, { method: 'POST', headers });
  assert.equal(failed.status, 500);
  assert.match(failed.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(ticks, 2);
});

test('when a schema is given, then the handler parameter is typed from it', () => {
  const kit = makeApp();
  const subs = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics });
  subs.on({
    topic: 'task-events',
    schema: taskEvent,
    handler: async (event) => (event.taskId.length > 0 ? 'SUCCESS' : 'DROP'),
  });
  assert.equal(subs.list().length, 1);
});

test('when a subscription is added after mount, then it throws instead of being silently ignored', () => {
  const kit = makeApp();
  const subs = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics });
  subs.mount(kit.app);
  assert.throws(() => subs.on({ topic: 'late', handler: async () => 'SUCCESS' }), /after mount/);
});

test('when a delivery body is not valid JSON, then DROP (it would never parse on redelivery)', async (t) => {
  const { deliver, metrics } = await subsApp(t, [{ topic: 'task-events', schema: taskEvent, handler: async () => 'SUCCESS' }]);
  assert.equal(await status(await deliver('task-events', '{"id": ')), 'DROP');
  assert.equal((await metrics.deadLetter.get()).values[0]?.value, 1);
});
