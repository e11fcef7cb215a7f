// Issue 10: one person's bad row must never stop everyone else's reminders. Poison rows are planted straight
// in Postgres (around the API, as an older bug or a hand-written fix would), then the real scan runs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { reminderEventSchema } from '@lifeline/contracts';
import { call } from '@lifeline/kit/testing';
import { REMINDER_SET_ASIDE_WORK } from '../src/domain/send-due-reminders.ts';
import { REMINDER_CRON_BINDING } from '../src/subscriptions/reminder-cron.ts';
import { as, createTaskAs } from './support/api.ts';
import { admin, createTestSchema, dropSchema, outboxRows, tableSnapshot } from './support/database.ts';
import { closedPort } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

const APP_TOKEN = 'sidecar-to-app-token';
const PAST = '2020-03-01T07:45:00.000Z';

describe('poison rows in the reminder scan', () => {
  let schema: string;
  let app: RunningTasksApp;

  before(async () => {
    schema = await createTestSchema('poison');
    app = await startTasksApp({ schema, daprPort: await closedPort(), env: { APP_API_TOKEN: APP_TOKEN, REMINDER_BATCH: '3' } });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });
  beforeEach(async () => {
    await admin((client) => client.query(`TRUNCATE "${schema}".tasks, "${schema}".outbox, "${schema}".set_aside`));
  });

  async function tick(): Promise<void> {
    const res = await fetch(`${app.url}/${REMINDER_CRON_BINDING}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dapr-api-token': APP_TOKEN },
      body: '{}',
    });
    assert.equal(res.status, 200, await res.text());
  }

  /** A due task written around the API, with whatever columns the test wants wrong. */
  async function plant(columns: { owner?: string; timezone?: string }): Promise<string> {
    const id = randomUUID();
    await admin((client) =>
      client.query(
        `INSERT INTO "${schema}".tasks (id, owner_id, title, remind_at, timezone, updated_at, created_by)
         VALUES ($1, $2, 'planted', $3, $4, now(), 'someone')`,
        [id, columns.owner ?? 'mallory', PAST, columns.timezone ?? 'UTC'],
      ),
    );
    return id;
  }

  async function setAsideRows() {
    const { rows } = await admin((client) =>
      client.query<{ work: string; item_key: string; reason: string; times: number }>(`SELECT work, item_key, reason, times FROM "${schema}".set_aside ORDER BY item_key`),
    );
    return rows;
  }

  it('when poison rows sit among due reminders (even filling whole batches), then every other reminder is written and the poison is set aside, counted and disarmed', async () => {
    const poison = [await plant({ timezone: 'Not a zone!' }), await plant({ owner: '' }), await plant({ timezone: '../../etc' })];
    const good = [];
    for (const owner of ['rita', 'sam', 'tom', 'uma']) good.push(await createTaskAs(app.url, await as.user(owner), { title: `pills of ${owner}`, remindAt: new Date(Date.parse(PAST) + 60_000).toISOString() }));

    await tick();

    const written = (await outboxRows(schema)).filter((r) => r.topic === 'reminders').map((r) => reminderEventSchema.parse(r.payload));
    assert.deepEqual(new Set(written.map((e) => e.data.taskId)), new Set(good.map((t) => t.id)));
    const aside = await setAsideRows();
    assert.deepEqual(aside.map((r) => r.item_key).sort(), [...poison].sort());
    assert.ok(aside.every((r) => r.work === REMINDER_SET_ASIDE_WORK && r.reason.length > 0 && r.times === 1));

    // Disarmed: later ticks neither write nor set them aside again.
    await tick();
    assert.equal((await outboxRows(schema)).filter((r) => r.topic === 'reminders').length, good.length);
    assert.ok((await setAsideRows()).every((r) => r.times === 1));

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`^set_aside_total\\{work="${REMINDER_SET_ASIDE_WORK}"[^}]*\\} 3$`, 'm'));
    assert.match(metrics, new RegExp(`^set_aside_items\\{work="${REMINDER_SET_ASIDE_WORK}"[^}]*\\} 3$`, 'm'));
  });

  it('when someone writes an instant outside 1900-9999 straight into the table, then Postgres refuses it', async () => {
    for (const [column, value] of [['remind_at', '0001-01-01 00:00:00+00 BC'], ['due_at', '1899-12-31 23:59:59+00'], ['remind_at', '10000-01-01 00:00:00+00']] as const) {
      await assert.rejects(
        admin((client) =>
          client.query(`INSERT INTO "${schema}".tasks (id, owner_id, title, ${column}, updated_at, created_by) VALUES ($1, 'x', 't', $2, now(), 'x')`, [randomUUID(), value]),
        ),
        /tasks_instants_window_check/,
        `${column} = ${value}`,
      );
    }
  });

  it('when the API is given year 0 (or any instant outside the window), then 400 and nothing is stored', async () => {
    const before = await tableSnapshot(schema);
    const rita = await as.user('rita');
    for (const body of [
      { title: 'x', remindAt: '0000-01-01T00:00:00Z' },
      { title: 'x', dueAt: '1899-12-31T23:59:59Z' },
      { title: 'x', dueAt: '9999-12-31T23:00:00-05:00' },
      { title: 'x', remindAt: '2026-02-30T08:00:00Z' },
    ]) {
      const res = await call(app.url, '/tasks', rita, { method: 'POST', body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    }
    for (const query of ['dueFrom=0000-01-01T00:00:00Z', 'dueTo=0000-01-01T00:00:00Z', 'tag=%00x']) {
      const res = await call(app.url, `/tasks?${query}`, rita);
      assert.equal(res.status, 400, query);
    }
    assert.equal((await call(app.url, '/tasks/%FF', rita)).status, 400);
    assert.deepEqual(await tableSnapshot(schema), before);
  });
});
