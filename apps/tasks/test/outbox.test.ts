import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { taskEventSchema, taskStateSchema, type TaskState } from '@lifeline/contracts';
import { eventually } from '@lifeline/kit/testing';
import { admin, countRows, createTestSchema, dropSchema, outboxRows } from './support/database.ts';
import { closedPort, startSidecarRecorder, type SidecarRecorder } from './support/sidecar-recorder.ts';
import { bearer, postTask, startTasksApp, type RunningTasksApp, type StartOptions } from './support/tasks-app.ts';

describe('transactional outbox and relay', () => {
  let schema: string;
  let recorder: SidecarRecorder;
  const apps: RunningTasksApp[] = [];

  before(async () => {
    schema = await createTestSchema('outbox');
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await recorder?.close();
    // Each test starts from an empty outbox so counts and orders are its own.
    await admin((client) => client.query(`TRUNCATE "${schema}".outbox, "${schema}".tasks, "${schema}".set_aside`));
  });
  after(async () => {
    if (schema) await dropSchema(schema);
  });

  async function start(opts: Partial<StartOptions> = {}): Promise<RunningTasksApp> {
    recorder ??= await startSidecarRecorder();
    const app = await startTasksApp({ schema, daprPort: recorder.port, ...opts });
    apps.push(app);
    return app;
  }

  async function freshRecorder(): Promise<SidecarRecorder> {
    recorder = await startSidecarRecorder();
    return recorder;
  }

  async function createTask(app: RunningTasksApp, title: string, headers: Record<string, string> = {}): Promise<TaskState> {
    const res = await postTask(app.url, await bearer('alice'), { title }, headers);
    assert.equal(res.status, 201);
    return taskStateSchema.parse(await res.json());
  }

  it('when a task is created, then its task.created event is written to the outbox with it, valid against the contract', async () => {
    await freshRecorder();
    const app = await start();
    const traceId = randomBytes(16).toString('hex');
    const task = await createTask(app, 'Water the plants', { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });

    const rows = await outboxRows(schema);
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.ok(row);
    assert.equal(row.topic, 'task-events');
    assert.equal(row.type, 'task.created');
    assert.equal(row.published_at, null);
    assert.equal(row.attempts, 0);

    const event = taskEventSchema.parse(row.payload);
    assert.equal(event.id, row.id);
    assert.equal(event.type, 'task.created');
    assert.equal(event.source, 'tasks');
    assert.equal(event.subject, task.id);
    assert.deepEqual(event.actor, { id: 'alice', kind: 'user' });
    assert.equal(event.traceparent?.split('-')[1], traceId);
    assert.ok(event.type === 'task.created');
    assert.deepEqual(event.data.after, task);
  });

  it('when the outbox write fails, then the task is not stored either (one transaction)', async () => {
    await freshRecorder();
    const app = await start();
    await admin((client) =>
      client.query(`
        CREATE FUNCTION "${schema}".refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox unavailable'; END $$;
        CREATE TRIGGER refuse_outbox BEFORE INSERT ON "${schema}".outbox FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_outbox();`),
    );
    try {
      const res = await postTask(app.url, await bearer('alice'), { title: 'Doomed' });
      assert.equal(res.status, 500);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(await countRows(schema, 'tasks'), 0);
      assert.equal(await countRows(schema, 'outbox'), 0);
    } finally {
      await admin((client) => client.query(`DROP TRIGGER refuse_outbox ON "${schema}".outbox; DROP FUNCTION "${schema}".refuse_outbox();`));
    }
  });

  it('when the relay runs, then pending events are published in write order with id/type/source metadata and marked', async () => {
    await freshRecorder();
    const app = await start();
    const tasks = [await createTask(app, 'first'), await createTask(app, 'second'), await createTask(app, 'third')];
    const pending = await outboxRows(schema);

    app.relay.start();
    const calls = await recorder.waitForAccepted(3);
    assert.deepEqual(calls.map((c) => c.metadata['cloudevent.id']), pending.map((r) => r.id));
    for (const [i, call] of calls.entries()) {
      assert.equal(call.pubsub, 'pubsub');
      assert.equal(call.topic, 'task-events');
      assert.equal(call.metadata['cloudevent.type'], 'task.created');
      assert.equal(call.metadata['cloudevent.source'], 'tasks');
      const event = taskEventSchema.parse(call.body);
      assert.deepEqual(event, pending[i]?.payload);
      assert.equal(call.metadata['cloudevent.traceparent'], event.traceparent);
      assert.ok(event.type === 'task.created');
      assert.equal(event.data.after.id, tasks[i]?.id);
    }
    await eventually(async () => (await outboxRows(schema)).every((r) => r.published_at !== null && r.attempts === 1), 'rows marked published');
  });

  it('when a task is created while the relay idles, then the commit wakes it without waiting for the poll', async () => {
    await freshRecorder();
    // A poll this slow cannot be what publishes within the test's time.
    const app = await start({ env: { OUTBOX_POLL_MS: '60000' } });
    app.relay.start();
    await sleep(100);
    const started = Date.now();
    const task = await createTask(app, 'ping');
    const [call] = await recorder.waitForAccepted(1, 3000);
    assert.equal((call?.body as { subject: string }).subject, task.id);
    assert.ok(Date.now() - started < 3000);
  });

  it('when the sidecar answers 500, then the event stays pending and is published exactly once after it recovers', async () => {
    await freshRecorder();
    let brokerDown = true;
    recorder.respondWith(() => (brokerDown ? 500 : 204));
    const app = await start({ startRelay: true });
    const task = await createTask(app, 'survive the outage');

    await eventually(async () => recorder.calls.length >= 3, 'repeated publish attempts');
    const [stuck] = await outboxRows(schema);
    assert.equal(stuck?.published_at, null);
    assert.ok((stuck?.attempts ?? 0) >= 1);
    assert.match(stuck?.last_error ?? '', /broker unavailable/);
    assert.equal(recorder.accepted().length, 0);

    brokerDown = false;
    const [published] = await eventually(async () => {
      const rows = await outboxRows(schema);
      return rows[0]?.published_at ? rows : undefined;
    }, 'the row to be marked published');
    assert.equal(published?.last_error, null);
    await sleep(300);
    const accepted = recorder.accepted();
    assert.equal(accepted.length, 1);
    assert.equal((accepted[0]?.body as { subject: string }).subject, task.id);
  });

  it('when the sidecar singles out one event and keeps refusing it, then it is set aside after OUTBOX_POISON_ATTEMPTS and every event behind it goes out', async () => {
    await freshRecorder();
    recorder.respondWith((c) => ((c.body as { data: { after: { title: string } } }).data.after.title === 'poison' ? 500 : 204));
    const app = await start({ startRelay: true, env: { OUTBOX_POISON_ATTEMPTS: '3' } });
    const poison = await createTask(app, 'poison');
    // Each later event gives the relay a batch where the sidecar takes others and refuses only the poison.
    const titles: string[] = [];
    const poisonRow = async () => (await outboxRows(schema)).find((r) => (r.payload as { subject: string }).subject === poison.id);
    for (let i = 1; i <= 8 && !(await poisonRow() as unknown as { set_aside_at: Date | null }).set_aside_at; i++) {
      titles.push(`after-${i}`);
      await createTask(app, `after-${i}`);
      await recorder.waitForAccepted(i, 10_000);
      await sleep(100);
    }
    assert.ok(titles.length >= 3, `set aside after ${titles.length} singled-out refusals, before the 3 configured`);
    const rows = await outboxRows(schema);
    const stuck = rows.find((r) => r.id !== undefined && (r.payload as { subject: string }).subject === poison.id);
    assert.equal(stuck?.published_at, null);
    assert.ok((stuck as unknown as { set_aside_at: Date | null }).set_aside_at instanceof Date);
    assert.deepEqual(
      recorder.accepted().map((c) => (c.body as { data: { after: { title: string } } }).data.after.title),
      titles,
    );
    const { rows: aside } = await admin((client) => client.query<{ work: string; item_key: string }>(`SELECT work, item_key FROM "${schema}".set_aside`));
    assert.deepEqual(aside, [{ work: 'outbox-relay', item_key: stuck?.id }]);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(metrics, /^set_aside_total\{work="outbox-relay"[^}]*\} 1$/m);
    // Set aside for good: no further attempts.
    const calls = recorder.calls.length;
    await sleep(500);
    assert.equal(recorder.calls.length, calls);
  });

  it('when the sidecar refuses everything alike (an outage), then nothing is ever set aside', async () => {
    await freshRecorder();
    recorder.respondWith(() => 500);
    const app = await start({ startRelay: true, env: { OUTBOX_POISON_ATTEMPTS: '1' } });
    await createTask(app, 'one');
    await createTask(app, 'two');
    await eventually(async () => (await outboxRows(schema)).every((r) => r.attempts >= 2) ? true : undefined, 'repeated failed attempts');
    const rows = await outboxRows(schema);
    assert.ok(rows.every((r) => r.published_at === null && (r as unknown as { set_aside_at: Date | null }).set_aside_at === null));
  });

  it('when the sidecar is unreachable, then events wait and the relay resumes by itself once it is back', async () => {
    const port = await closedPort();
    const app = await start({ daprPort: port, startRelay: true });
    await createTask(app, 'one');
    await createTask(app, 'two');
    await eventually(async () => (await outboxRows(schema)).some((r) => r.attempts >= 2), 'failed attempts to be recorded');
    assert.ok((await outboxRows(schema)).every((r) => r.published_at === null));

    recorder = await startSidecarRecorder(port);
    await recorder.waitForAccepted(2, 10_000);
    await eventually(async () => (await outboxRows(schema)).every((r) => r.published_at !== null), 'all rows published');
    assert.deepEqual(
      recorder.accepted().map((c) => (c.body as { data: { after: { title: string } } }).data.after.title),
      ['one', 'two'],
    );
  });

  it('when two replicas relay the same outbox, then every event is published once and in write order', async () => {
    await freshRecorder();
    const env = { OUTBOX_BATCH: '4' };
    const one = await start({ env });
    const two = await start({ env });
    for (let i = 0; i < 24; i++) await createTask(i % 2 === 0 ? one : two, `task ${i}`);
    const written = (await outboxRows(schema)).map((r) => r.id);

    one.relay.start();
    two.relay.start();
    await recorder.waitForAccepted(24);
    await eventually(async () => (await outboxRows(schema)).every((r) => r.published_at !== null), 'all rows published');
    await sleep(200);
    assert.deepEqual(recorder.accepted().map((c) => c.metadata['cloudevent.id']), written);
  });

  it('when the relay is stopped mid-batch, then it finishes and marks that batch before stopping', async () => {
    await freshRecorder();
    recorder.respondWith(async () => {
      await sleep(80);
      return 204;
    });
    const app = await start();
    for (let i = 0; i < 5; i++) await createTask(app, `slow ${i}`);
    app.relay.start();
    await eventually(async () => recorder.calls.length >= 1, 'the first publish');
    await app.relay.stop();
    assert.equal(recorder.accepted().length, 5);
    assert.ok((await outboxRows(schema)).every((r) => r.published_at !== null));
  });

  it('when published rows outlive the retention, then they are deleted and pending rows are kept', async () => {
    await freshRecorder();
    await admin((client) =>
      client.query(`
        INSERT INTO "${schema}".outbox (id, topic, type, payload, created_at, published_at, attempts) VALUES
          ('00000000-0000-4000-8000-000000000001', 'task-events', 'task.created', '{}', now() - interval '3 hours', now() - interval '2 hours', 1),
          ('00000000-0000-4000-8000-000000000002', 'task-events', 'task.created', '{}', now() - interval '10 minutes', now() - interval '5 minutes', 1)`),
    );
    // Old but never published: retention must not touch it; the relay publishes it instead.
    await admin((client) =>
      client.query(`INSERT INTO "${schema}".outbox (id, topic, type, payload, created_at) VALUES
        ('00000000-0000-4000-8000-000000000003', 'task-events', 'task.created', '{}', now() - interval '3 hours')`),
    );
    const app = await start({ env: { OUTBOX_RETENTION_HOURS: '1' } });
    app.relay.start();
    const ids = await eventually(async () => {
      const rows = await outboxRows(schema);
      return rows.length === 2 && rows.every((r) => r.published_at !== null) ? rows.map((r) => r.id) : undefined;
    }, 'the expired row to be deleted');
    assert.deepEqual(ids, ['00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003']);
  });

  it('when events wait in the outbox, then outbox_pending reports them on /metrics', async () => {
    await freshRecorder();
    const app = await start();
    await createTask(app, 'a');
    await createTask(app, 'b');
    const scrape = async () => (await fetch(`${app.url}/metrics`)).text();
    assert.match(await scrape(), /^outbox_pending\{app="tasks"\} 2$/m);
    await app.relay.publishBatch();
    assert.match(await scrape(), /^outbox_pending\{app="tasks"\} 0$/m);
  });
});
