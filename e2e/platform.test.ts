// The platform foundation end to end, on the broker named by E2E_BROKER (redis | kafka | rabbitmq):
// real daprd sidecars, the real broker, real Postgres. Only the component folder differs between runs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { makeEvent, topicsConsumedBy } from '@lifeline/contracts';
import { brokers, type Broker } from '@lifeline/platform';
import { Platform, counterValue, forgetConsumer, waitUntil } from './harness/index.ts';

const broker = (process.env.E2E_BROKER ?? 'redis') as Broker;
if (!brokers.includes(broker)) throw new Error(`E2E_BROKER must be one of ${brokers.join(', ')}`);

interface AuditItem {
  eventId: string;
  eventType: string;
  entityType: string;
  entityId: string;
  actorId: string;
  after: { title?: string } | null;
}

describe(`platform on ${broker}`, { timeout: 300_000 }, () => {
  let platform: Platform;
  let userToken: string;
  let complianceToken: string;

  const json = (token?: string) => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });

  async function createTask(title: string): Promise<{ id: string; title: string }> {
    const res = await fetch(platform.appUrl('tasks', '/tasks'), { method: 'POST', headers: json(userToken), body: JSON.stringify({ title }) });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as { id: string; title: string };
  }

  async function auditOf(entityId: string): Promise<AuditItem[]> {
    const res = await fetch(platform.appUrl('audit', `/audit?entity_type=task&entity_id=${entityId}`), { headers: json(complianceToken) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { items: AuditItem[] }).items;
  }

  const auditAppears = (entityId: string, count = 1) =>
    waitUntil(`audit record of ${entityId}`, async () => {
      const items = await auditOf(entityId);
      return items.length >= count ? items : undefined;
    }, 60_000, 300);

  async function publishThroughSidecar(topic: string, data: unknown, cloudEventId: string): Promise<void> {
    const url = platform.sidecarUrl('tasks', `/v1.0/publish/pubsub/${topic}?metadata.cloudevent.id=${cloudEventId}&metadata.cloudevent.type=task.created`);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'dapr-api-token': platform.tokens.daprApiToken }, body: JSON.stringify(data) });
    assert.equal(res.status, 204, await res.text());
  }

  before(async () => {
    platform = await Platform.prepare(broker);
    // The audit consumer must not exist yet: the first test proves what a never-started subscriber receives.
    await forgetConsumer(broker, 'audit', topicsConsumedBy('audit'));
    userToken = await platform.token(`user-${randomUUID()}`, ['user']);
    complianceToken = await platform.token('officer-1', ['compliance']);
    await platform.start('tasks');
  });

  after(async () => {
    await platform?.stopAll();
  });

  test('when tasks publishes before audit has ever run, then audit still receives it once started', async () => {
    const published = () => counterValue(platform.appUrl('tasks', '/metrics'), 'events_published_total', { topic: 'task-events' });
    const before = await published();
    const task = await createTask('published before audit existed');
    await waitUntil('task.created accepted by the sidecar', async () => ((await published()) > before ? true : undefined));

    await platform.start('audit');
    const [record] = await auditAppears(task.id);
    assert.equal(record?.eventType, 'task.created');
    assert.equal(record?.entityId, task.id);
    assert.equal(record?.after?.title, 'published before audit existed');
  });

  test('when a task is created over HTTP, then its audit record appears', async () => {
    const task = await createTask('take medication at 08:00');
    const items = await auditAppears(task.id);
    assert.equal(items.length, 1);
    assert.equal(items[0]?.entityType, 'task');
  });

  test('when the tasks sidecar is down while a task is created, then the event is delayed, not lost', async () => {
    await platform.stopSidecar('tasks');
    const task = await createTask('created while the sidecar was down');
    await platform.startSidecar('tasks');
    const items = await auditAppears(task.id);
    assert.equal(items.length, 1);
  });

  test('when an event fails its contract, then it lands on the dead-letter topic and is not stored', async () => {
    const subject = randomUUID();
    const cloudEventId = randomUUID();
    await publishThroughSidecar('task-events', { id: randomUUID(), type: 'task.created', subject, data: { after: { title: 42 } } }, cloudEventId);
    const dead = await waitUntil('dead-letter record', async () => {
      const res = await fetch(platform.appUrl('audit', '/audit/dead-letters?topic=task-events.dead-letter&limit=1000'), { headers: json(complianceToken) });
      assert.equal(res.status, 200, await res.clone().text());
      const { items } = (await res.json()) as { items: { cloudEventId: string; topic: string; deadLetterTopic: string }[] };
      return items.find((i) => i.cloudEventId === cloudEventId);
    }, 90_000, 500);
    assert.equal(dead.topic, 'task-events');
    assert.equal(dead.deadLetterTopic, 'task-events.dead-letter');
    assert.deepEqual(await auditOf(subject), []);
  });

  test('when the same event id is delivered twice, then it is stored once', async () => {
    const consumed = () => counterValue(platform.appUrl('audit', '/metrics'), 'events_consumed_total', { topic: 'task-events', type: 'task.created' });
    const baseline = await consumed();
    const now = new Date().toISOString();
    const event = makeEvent('task.created', {
      source: 'tasks',
      subject: randomUUID(),
      actor: { id: 'user-dup', kind: 'user' },
      data: {
        after: {
          id: randomUUID(), ownerId: 'user-dup', title: 'delivered twice', notes: null, priority: 'normal', tags: [],
          dueAt: null, remindAt: null, timezone: 'UTC', status: 'open', completedAt: null, recurrence: null,
          version: 1, createdAt: now, updatedAt: now, createdBy: 'user-dup',
        },
      },
    });
    await publishThroughSidecar('task-events', event, event.id);
    await publishThroughSidecar('task-events', event, event.id);
    await waitUntil('both deliveries handled', async () => ((await consumed()) >= baseline + 2 ? true : undefined), 60_000);
    assert.equal((await auditOf(event.subject)).length, 1);
  });

  test('when a request has no valid JWT, then it gets 401 problem+json', async () => {
    for (const [url, init] of [
      [platform.appUrl('tasks', '/tasks'), { method: 'POST', headers: json(), body: JSON.stringify({ title: 'x' }) }],
      [platform.appUrl('tasks', '/tasks'), { method: 'POST', headers: json('not-a-jwt'), body: JSON.stringify({ title: 'x' }) }],
      [platform.appUrl('audit', '/audit?entity_type=task&entity_id=x'), { headers: json() }],
    ] as const) {
      const res = await fetch(url, init);
      assert.equal(res.status, 401, url);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const body = (await res.json()) as { status: number; type: string };
      assert.equal(body.status, 401);
    }
  });

  test('when the subscription route is called without the app API token, then it is refused and nothing is stored', async () => {
    const event = { specversion: '1.0', id: randomUUID(), source: 'intruder', type: 'task.created', datacontenttype: 'application/json', data: {} };
    for (const headers of [{}, { 'dapr-api-token': 'wrong-token' }] as Record<string, string>[]) {
      const res = await fetch(platform.appUrl('audit', '/events/task-events'), {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', ...headers },
        body: JSON.stringify(event),
      });
      assert.equal(res.status, 401);
    }
  });
});
