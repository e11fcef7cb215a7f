import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deadLetterTopic, topicsConsumedBy, type TopicName } from '@lifeline/contracts';
import { ConfigError } from '@lifeline/kit';
import { loadRecurringConfig } from '../src/config.ts';
import { startStack, type Stack } from './support/stack.ts';

describe('the recurring app as the sidecar sees it', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ label: 'app', deliver: false });
  });
  after(async () => {
    await stack?.close();
  });

  it('when the sidecar asks for subscriptions, then it gets exactly the published contract, each with its dead-letter topic', async () => {
    const res = await fetch(`${stack.recurring.url}/dapr/subscribe`);
    assert.equal(res.status, 200);
    const subscriptions = (await res.json()) as Array<{ pubsubname: string; topic: string; deadLetterTopic: string; routes: { default: string } }>;
    assert.deepEqual(subscriptions.map((s) => s.topic).sort(), [...topicsConsumedBy('recurring')].sort());
    for (const s of subscriptions) {
      assert.equal(s.pubsubname, 'pubsub');
      assert.equal(s.deadLetterTopic, deadLetterTopic(s.topic as TopicName));
      assert.equal(s.routes.default, `/events/${s.topic}`);
    }
  });

  it('when an event is not a valid task event, then it is dropped to the dead-letter topic instead of retried forever', async () => {
    const res = await fetch(`${stack.recurring.url}/events/task-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: 'x-1', source: 'tasks', type: 'task.created', data: { type: 'task.created', data: {} } }),
    });
    assert.deepEqual(await res.json(), { status: 'DROP' });
  });

  it('when the probes ask, then the app is live and ready (sidecar and database reachable)', async () => {
    assert.equal((await fetch(`${stack.recurring.url}/health/live`)).status, 200);
    assert.equal((await fetch(`${stack.recurring.url}/health/ready`)).status, 200);
    const metrics = await (await fetch(`${stack.recurring.url}/metrics`)).text();
    assert.match(metrics, /recurring_instances_created_total/);
    assert.match(metrics, /outbox_pending/);
  });
});

describe('recurring configuration', () => {
  const base = { APP_ID: 'recurring', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://recurring_app:pw@127.0.0.1:25432/lifeline' };

  it('when only the required variables are set, then the issue defaults apply', () => {
    const config = loadRecurringConfig(base);
    assert.deepEqual(
      [config.FUTURE_INSTANCES_HORIZON_DAYS, config.MAX_INSTANCES_PER_GENERATION, config.TASKS_APP_ID, config.DB_SCHEMA],
      [90, 12, 'tasks', 'recurring'],
    );
  });

  it('when a value is out of range, then loading fails naming every bad variable', () => {
    assert.throws(
      () => loadRecurringConfig({ ...base, MAX_INSTANCES_PER_GENERATION: '13', FUTURE_INSTANCES_HORIZON_DAYS: 'soon', TASKS_APP_ID: 'Tasks App' }),
      (err: unknown) =>
        err instanceof ConfigError && /MAX_INSTANCES_PER_GENERATION/.test(err.message) && /FUTURE_INSTANCES_HORIZON_DAYS/.test(err.message) && /TASKS_APP_ID/.test(err.message),
    );
  });
});
