import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SeriesState } from '@lifeline/contracts';
import { call, eventually } from '@lifeline/kit/testing';
import { expectSeries, expectTask } from './support/api.ts';
import { instanceRows, instanceTasks, seriesRow } from './support/rows.ts';
import { query } from './support/database.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { DAY_MS, dailyInstants, rule, tomorrowAt } from './support/times.ts';

describe('generation: limits, top-ups, the horizon cron and a tasks app that is down', () => {
  const start = new Date();
  let clock = start;
  let stack: Stack;
  let erin: string;

  before(async () => {
    stack = await startStack({
      label: 'generation',
      now: () => clock,
      env: { FUTURE_INSTANCES_HORIZON_DAYS: '10', MAX_INSTANCES_PER_GENERATION: '3', HORIZON_REFILL_BATCH: '1', HORIZON_REFILL_MIN_INTERVAL_MINUTES: '0' },
    });
    erin = await bearer('erin');
  });
  after(async () => {
    await stack?.close();
  });

  async function dailySeries(title: string, hour: number): Promise<SeriesState> {
    return expectSeries(await call(stack.recurring.url, '/recurring/series', erin, { method: 'POST', body: { title, recurrence: rule(tomorrowAt(start, hour), 'FREQ=DAILY') } }), 201);
  }

  async function dueTimes(seriesId: string): Promise<string[]> {
    return (await instanceRows(stack.recurringSchema, seriesId)).filter((r) => r.state === 'open' || r.state === 'done').map((r) => r.due_at.toISOString());
  }

  /** Every row points to its own task, and no two tasks of the owner share a title and due time. */
  async function assertNoDuplicates(): Promise<void> {
    const tasks = await instanceTasks(stack.tasksSchema, 'erin');
    const keys = tasks.map((t) => `${t.title} ${t.due_at?.toISOString()}`);
    assert.equal(new Set(keys).size, keys.length, `duplicate instance tasks: ${keys.join(', ')}`);
  }

  it('when the tasks app is down as a series is created, then generation is retried with the event and makes each instance once it is back', async () => {
    stack.sidecar.setReachable('tasks', false);
    const series = await dailySeries('Feed the cat', 7);
    await eventually(async () => stack.sidecar.invocations.filter((i) => i.status === 500).length >= 3, 'a few failed attempts');
    assert.deepEqual(await instanceTasks(stack.tasksSchema, 'erin'), []);
    assert.ok((await instanceRows(stack.recurringSchema, series.id)).every((r) => r.state === 'pending'));

    stack.sidecar.setReachable('tasks', true);
    await eventually(async () => (await dueTimes(series.id)).length === 3, 'three instances');
    await stack.sidecar.idle();
    const expected = dailyInstants(start, new Date(start.getTime() + 10 * DAY_MS), 7).filter((t) => t >= series.startsAt);
    assert.deepEqual(await dueTimes(series.id), expected.slice(0, 3));
    assert.equal((await instanceTasks(stack.tasksSchema, 'erin')).length, 3);
    assert.equal(stack.sidecar.deadLetters.length, 0);
  });

  it('when an instance is completed, then its series is topped up by at most one generation', async () => {
    const [series] = ((await (await call(stack.recurring.url, '/recurring/series', erin)).json()) as { items: SeriesState[] }).items;
    assert.ok(series);
    const [first] = await instanceTasks(stack.tasksSchema, 'erin', 'open');
    assert.ok(first);
    await expectTask(await call(stack.tasksUrl, `/tasks/${first.id}/complete`, erin, { method: 'POST' }));
    await eventually(async () => (await dueTimes(series.id)).length === 6, 'six instances');
    await stack.sidecar.idle();
    assert.equal((await dueTimes(series.id)).length, 6);
    assert.equal((await instanceRows(stack.recurringSchema, series.id)).find((r) => r.task_id === first.id)?.state, 'done');
    await assertNoDuplicates();
  });

  it('when the horizon cron fires twice at once, then every active series is refilled in batches, up to the horizon, without duplicates', async () => {
    const second = await dailySeries('Check the mail', 12);
    await eventually(async () => (await dueTimes(second.id)).length === 3, 'the second series');
    await stack.sidecar.idle();
    const all = await Promise.all([stack.recurring.url, stack.recurring.url].map((url) => fetch(`${url}/recurring-horizon-cron`, { method: 'POST' })));
    assert.deepEqual(all.map((r) => r.status), [200, 200]);
    await stack.sidecar.idle();
    await assertNoDuplicates();
    // Each tick claims each series at most once; two ticks at once share them, so the series got one or two generations.
    const made = (await dueTimes(second.id)).length;
    assert.ok(made === 6 || made === 9, `got ${made}`);

    // Three days on, repeated ticks fill the horizon and then stop: the cursor sits at the horizon.
    clock = new Date(start.getTime() + 3 * DAY_MS);
    for (let tick = 0; tick < 5; tick++) assert.equal((await fetch(`${stack.recurring.url}/recurring-horizon-cron`, { method: 'POST' })).status, 200);
    await stack.sidecar.idle();
    const end = new Date(clock.getTime() + 10 * DAY_MS);
    assert.deepEqual(await dueTimes(second.id), dailyInstants(start, end, 12).filter((t) => t >= second.startsAt));
    assert.equal(((await seriesRow(stack.recurringSchema, second.id))?.generated_until as Date).getTime(), end.getTime());
    await assertNoDuplicates();
  });

  it('when the tasks app is down as a series is deleted, then its instances are cancelled once it is back; the cron sweeps what no event retries', async () => {
    const series = await dailySeries('Water the garden', 19);
    await eventually(async () => (await dueTimes(series.id)).length === 3, 'three instances');
    await stack.sidecar.idle();

    stack.sidecar.setReachable('tasks', false);
    assert.equal((await call(stack.recurring.url, `/recurring/series/${series.id}`, erin, { method: 'DELETE' })).status, 204);
    const failedBefore = stack.sidecar.invocations.filter((i) => i.status === 500).length;
    await eventually(async () => stack.sidecar.invocations.filter((i) => i.status === 500).length >= failedBefore + 2, 'failed cancellations');
    assert.ok((await instanceRows(stack.recurringSchema, series.id)).every((r) => r.state === 'superseded'));

    stack.sidecar.setReachable('tasks', true);
    await eventually(async () => (await instanceRows(stack.recurringSchema, series.id)).every((r) => r.state === 'cancelled'), 'the cancellations');
    await stack.sidecar.idle();
    const ids = new Set((await instanceRows(stack.recurringSchema, series.id)).map((r) => r.task_id));
    assert.ok((await instanceTasks(stack.tasksSchema, 'erin')).filter((t) => ids.has(t.id)).every((t) => t.status === 'cancelled'));

    // A superseded row whose event is gone for good (dead-lettered) is settled by the next cron tick.
    const [row] = await instanceRows(stack.recurringSchema, series.id);
    assert.ok(row?.task_id);
    await query(`UPDATE "${stack.recurringSchema}".instances SET state = 'superseded' WHERE id = $1`, [row.id]);
    await query(`UPDATE "${stack.tasksSchema}".tasks SET status = 'open', version = 1 WHERE id = $1`, [row.task_id]);
    assert.equal((await fetch(`${stack.recurring.url}/recurring-horizon-cron`, { method: 'POST' })).status, 200);
    assert.equal((await instanceRows(stack.recurringSchema, series.id)).find((r) => r.id === row.id)?.state, 'cancelled');
    assert.equal((await instanceTasks(stack.tasksSchema, 'erin')).find((t) => t.id === row.task_id)?.status, 'cancelled');
  });
});
