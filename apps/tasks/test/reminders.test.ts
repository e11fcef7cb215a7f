import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { reminderEventSchema, type TaskState } from '@lifeline/contracts';
import { call, eventually } from '@lifeline/kit/testing';
import { reminderEventId } from '../src/domain/reminder-event.ts';
import { REMINDER_CRON_BINDING } from '../src/subscriptions/reminder-cron.ts';
import { as, createTaskAs, expectTask } from './support/api.ts';
import { admin, createTestSchema, dropSchema, outboxRows } from './support/database.ts';
import { closedPort, startSidecarRecorder } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

const APP_TOKEN = 'sidecar-to-app-token';
const PAST = '2020-03-01T07:45:00.000Z';

describe('reminder event ids', () => {
  it('when the same (task, remindAt) is named twice, then the id is the same; another remindAt gives another id', () => {
    const task = '0b7e4c6a-5a1e-4f0d-9a53-2f3a9f1c8d11';
    const at = new Date('2030-01-01T08:00:00Z');
    assert.equal(reminderEventId(task, at), reminderEventId(task, new Date(at)));
    assert.notEqual(reminderEventId(task, at), reminderEventId(task, new Date('2030-01-01T08:15:00Z')));
  });
});

describe('the tasks-reminder-cron component', () => {
  it('when daprd loads components/dapr/common, then a 15 s cron input binding named like the route exists, scoped to tasks', () => {
    const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'components', 'dapr', 'common', `${REMINDER_CRON_BINDING}.yaml`);
    const yaml = readFileSync(file, 'utf8');
    assert.match(yaml, new RegExp(`^  name: ${REMINDER_CRON_BINDING}$`, 'm'));
    assert.match(yaml, /^  type: bindings\.cron$/m);
    assert.match(yaml, /- name: schedule\n\s+value: "@every 15s"/);
    assert.match(yaml, /- name: direction\n\s+value: input/);
    assert.match(yaml, /^scopes:\n  - tasks\n?$/m);
  });
});

describe('POST /tasks-reminder-cron', () => {
  let schema: string;
  let app: RunningTasksApp;
  let replica: RunningTasksApp;

  before(async () => {
    schema = await createTestSchema('reminders');
    const env = { APP_API_TOKEN: APP_TOKEN, REMINDER_BATCH: '7' };
    app = await startTasksApp({ schema, daprPort: await closedPort(), env });
    replica = await startTasksApp({ schema, daprPort: await closedPort(), env });
  });
  after(async () => {
    await Promise.all([app?.close(), replica?.close()]);
    if (schema) await dropSchema(schema);
  });
  beforeEach(async () => {
    await admin((client) => client.query(`TRUNCATE "${schema}".tasks, "${schema}".outbox`));
  });

  async function tick(target: RunningTasksApp = app): Promise<void> {
    const res = await fetch(`${target.url}/${REMINDER_CRON_BINDING}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dapr-api-token': APP_TOKEN },
      body: '{}',
    });
    assert.equal(res.status, 200, await res.text());
  }

  async function reminders() {
    return (await outboxRows(schema)).filter((r) => r.topic === 'reminders').map((r) => ({ row: r, event: reminderEventSchema.parse(r.payload) }));
  }

  const task = async (body: Record<string, unknown>) => createTaskAs(app.url, await as.user('rita'), { title: 'Take pills', ...body });

  it('when a reminder is due, then one tick writes one reminder.due with a deterministic id and what a notification needs', async () => {
    const due = await task({ remindAt: PAST, dueAt: '2020-03-01T08:00:00+00:00', priority: 'urgent', timezone: 'Europe/Berlin' });
    await tick();
    const written = await reminders();
    assert.equal(written.length, 1);
    const [{ row, event }] = written as [(typeof written)[number]];
    assert.equal(row.type, 'reminder.due');
    assert.equal(event.id, reminderEventId(due.id, new Date(PAST)));
    assert.equal(row.id, event.id);
    assert.equal(event.subject, due.id);
    assert.deepEqual(event.actor, { id: 'tasks', kind: 'system' });
    assert.deepEqual(event.data, {
      taskId: due.id,
      ownerId: 'rita',
      title: 'Take pills',
      priority: 'urgent',
      dueAt: '2020-03-01T08:00:00.000Z',
      remindAt: PAST,
      timezone: 'Europe/Berlin',
    });
  });

  it('when tasks are not due, done, cancelled or have no reminder, then nothing is written', async () => {
    await task({ remindAt: '2099-01-01T00:00:00Z' });
    await task({});
    const done = await task({ remindAt: PAST });
    await expectTask(await call(app.url, `/tasks/${done.id}/complete`, await as.user('rita'), { method: 'POST' }));
    const cancelled = await task({ remindAt: PAST });
    await expectTask(await call(app.url, `/tasks/${cancelled.id}`, await as.user('rita'), { method: 'PATCH', headers: { 'if-match': '"1"' }, body: { status: 'cancelled' } }));
    await tick();
    assert.equal((await reminders()).length, 0);
  });

  it('when the tick is repeated (a redelivery), then nothing is written twice', async () => {
    await task({ remindAt: PAST });
    await tick();
    await tick();
    await tick();
    assert.equal((await reminders()).length, 1);
  });

  it('when ticks overlap, on one replica and across two, then every (task, remindAt) is written exactly once', async () => {
    const tasks: TaskState[] = [];
    for (let i = 0; i < 60; i++) tasks.push(await task({ title: `pill ${i}`, remindAt: new Date(Date.parse(PAST) + i * 1000).toISOString() }));
    await Promise.all([tick(app), tick(app), tick(replica), tick(replica), tick(app)]);
    const written = await reminders();
    assert.equal(written.length, 60);
    assert.deepEqual(new Set(written.map((w) => w.event.data.taskId)), new Set(tasks.map((t) => t.id)));
    await tick(replica);
    assert.equal((await reminders()).length, 60);
  });

  it('when remindAt changes after the reminder went out, then the task is re-armed and reminded once more with a new id', async () => {
    const t = await task({ remindAt: PAST });
    await tick();
    // A change of something else does not re-arm it.
    await expectTask(await call(app.url, `/tasks/${t.id}`, await as.user('rita'), { method: 'PATCH', headers: { 'if-match': '"1"' }, body: { title: 'Take the pills' } }));
    await tick();
    assert.equal((await reminders()).length, 1);
    const later = '2020-03-01T09:00:00.000Z';
    await expectTask(await call(app.url, `/tasks/${t.id}`, await as.user('rita'), { method: 'PATCH', headers: { 'if-match': '"2"' }, body: { remindAt: later } }));
    await tick();
    await tick();
    const written = await reminders();
    assert.deepEqual(written.map((w) => [w.event.id, w.event.data.remindAt, w.event.data.title]), [
      [reminderEventId(t.id, new Date(PAST)), PAST, 'Take pills'],
      [reminderEventId(t.id, new Date(later)), later, 'Take the pills'],
    ]);
  });

  it('when a reminder time arrives later, then a tick before it writes nothing and a tick after it writes it', async () => {
    const soon = new Date(Date.now() + 1200);
    await task({ remindAt: soon.toISOString() });
    await tick();
    assert.equal((await reminders()).length, 0);
    await eventually(async () => Date.now() > soon.getTime() + 50, 'the reminder time to pass');
    await tick();
    assert.equal((await reminders()).length, 1);
  });

  it('when the reminded mark is lost but the event is still in the outbox, then the deterministic id keeps it one event', async () => {
    await task({ remindAt: PAST });
    await tick();
    await admin((client) => client.query(`UPDATE "${schema}".tasks SET reminded_for = NULL`));
    await tick();
    assert.equal((await reminders()).length, 1);
  });

  it('when the caller is not the sidecar (no app token), then 401 and nothing is written', async () => {
    await task({ remindAt: PAST });
    const res = await fetch(`${app.url}/${REMINDER_CRON_BINDING}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
    assert.equal((await reminders()).length, 0);
  });

  it('when daprd probes the binding route with OPTIONS, then 200', async () => {
    assert.equal((await fetch(`${app.url}/${REMINDER_CRON_BINDING}`, { method: 'OPTIONS' })).status, 200);
  });

  it('when reminders were written, then the relay publishes them to the reminders topic with their ids', async () => {
    const recorder = await startSidecarRecorder();
    const publishing = await startTasksApp({ schema, daprPort: recorder.port, env: { APP_API_TOKEN: APP_TOKEN }, startRelay: true });
    try {
      await task({ remindAt: PAST });
      await tick(publishing);
      const calls = await recorder.waitForAccepted(2);
      const reminderCall = calls.find((c) => c.topic === 'reminders');
      assert.ok(reminderCall);
      const [written] = await reminders();
      assert.equal(reminderCall.metadata['cloudevent.id'], written?.event.id);
      assert.equal(reminderCall.metadata['cloudevent.type'], 'reminder.due');
      await eventually(async () => (await outboxRows(schema)).every((r) => r.published_at !== null), 'all rows published');
    } finally {
      await publishing.close();
      await recorder.close();
    }
  });
});
