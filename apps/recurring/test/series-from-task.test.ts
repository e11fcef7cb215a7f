import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seriesStateSchema } from '@lifeline/contracts';
import { call, eventually } from '@lifeline/kit/testing';
import { generateInstances } from '../src/domain/generate-instances.ts';
import { expectTask } from './support/api.ts';
import { query } from './support/database.ts';
import { instanceRows, instanceTasks, taskRows } from './support/rows.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { DAY_MS, dailyInstants, rule, tomorrowAt } from './support/times.ts';

describe('a daily series created through the tasks app', () => {
  const now = new Date();
  const horizonDays = 7;
  let stack: Stack;
  let alice: string;

  before(async () => {
    stack = await startStack({ label: 'from_task', now: () => now, env: { FUTURE_INSTANCES_HORIZON_DAYS: String(horizonDays) } });
    alice = await bearer('alice');
  });
  after(async () => {
    await stack?.close();
  });

  async function seriesOf(ownerToken: string) {
    const res = await call(stack.recurring.url, '/recurring/series', ownerToken);
    assert.equal(res.status, 200);
    return seriesStateSchema.array().parse(((await res.json()) as { items: unknown }).items);
  }

  it('when a task with a daily RRULE is created, then one series follows it and every occurrence up to the horizon is a task, made once', async () => {
    const first = tomorrowAt(now, 8);
    const source = await expectTask(
      await call(stack.tasksUrl, '/tasks', alice, {
        method: 'POST',
        body: {
          title: 'Take blood pressure pills',
          notes: 'with water',
          priority: 'high',
          tags: ['health'],
          dueAt: first.toISO(),
          remindAt: first.minus({ minutes: 15 }).toISO(),
          recurrence: rule(first, 'FREQ=DAILY'),
        },
      }),
      201,
    );

    const expected = dailyInstants(now, new Date(now.getTime() + horizonDays * DAY_MS), 8).filter((t) => t > (source.dueAt ?? ''));
    const made = await eventually(async () => {
      const tasks = await instanceTasks(stack.tasksSchema, 'alice');
      return tasks.length >= expected.length && tasks;
    }, `${expected.length} instance tasks`);
    await stack.sidecar.idle();

    const [series, ...others] = await seriesOf(alice);
    assert.equal(others.length, 0);
    assert.equal(series?.sourceTaskId, source.id);
    assert.equal(series?.timezone, 'Europe/Berlin');
    assert.equal(series?.remindBeforeMinutes, 15);
    assert.deepEqual(
      made.map((t) => t.due_at?.toISOString()),
      expected,
    );
    for (const task of made) {
      assert.deepEqual(
        { title: task.title, notes: task.notes, priority: task.priority, tags: task.tags, timezone: task.timezone, status: task.status, recurrence: task.recurrence },
        { title: 'Take blood pressure pills', notes: 'with water', priority: 'high', tags: ['health'], timezone: 'Europe/Berlin', status: 'open', recurrence: null },
      );
      assert.equal(task.remind_at?.getTime(), (task.due_at?.getTime() ?? 0) - 15 * 60_000);
    }
    // The source task is the instance of its own due time: the series made no second task for it.
    const rows = await instanceRows(stack.recurringSchema, series?.id ?? '');
    assert.deepEqual(
      rows.filter((r) => r.origin === 'source').map((r) => [r.task_id, r.due_at.toISOString(), r.state]),
      [[source.id, source.dueAt, 'open']],
    );
    assert.ok(rows.every((r) => r.state === 'open' && r.task_id !== null));
  });

  it('when every event of the run is delivered again, then no series, row or task is added or changed', async () => {
    const before = { tasks: await taskRows(stack.tasksSchema, 'alice'), series: await seriesOf(alice) };
    const events = [...stack.sidecar.published];
    assert.ok(events.some((e) => e.type === 'task.created') && events.some((e) => e.type === 'series.created') && events.some((e) => e.type === 'instances.generated'));

    for (const event of events) {
      assert.deepEqual(await stack.sidecar.redeliver(event), ['SUCCESS'], `${event.type} ${event.id}`);
    }
    // Both at once, as two replicas would receive a redelivery.
    const created = events.filter((e) => e.type === 'task.created' || e.type === 'series.created');
    await Promise.all(created.flatMap((event) => [stack.sidecar.redeliver(event), stack.sidecar.redeliver(event)]));
    await stack.sidecar.idle();

    assert.deepEqual(await taskRows(stack.tasksSchema, 'alice'), before.tasks);
    assert.deepEqual(await seriesOf(alice), before.series);
  });

  it('when the answer of the tasks app was lost after it made a task, then the next run records that same task instead of making another', async () => {
    const [series] = await seriesOf(alice);
    const rows = await instanceRows(stack.recurringSchema, series?.id ?? '');
    const lost = rows.find((r) => r.origin === 'generated');
    assert.ok(lost?.task_id);
    const tasksBefore = await taskRows(stack.tasksSchema, 'alice');

    // As if the process died between POST /tasks and recording its answer.
    await query(`UPDATE "${stack.recurringSchema}".instances SET state = 'pending', task_id = NULL, task_version = NULL WHERE id = $1`, [lost.id]);
    const result = await generateInstances(stack.recurring.deps, series?.id ?? '');
    assert.equal(result.created, 1);

    const after = await instanceRows(stack.recurringSchema, series?.id ?? '');
    assert.deepEqual(after.find((r) => r.id === lost.id)?.task_id, lost.task_id);
    assert.deepEqual(await taskRows(stack.tasksSchema, 'alice'), tasksBefore);
  });
});
