import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SeriesState, TaskState } from '@lifeline/contracts';
import { call, eventually } from '@lifeline/kit/testing';
import { expectSeries, expectTask } from './support/api.ts';
import { instanceRows, instanceTasks } from './support/rows.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { rule, tomorrowAt } from './support/times.ts';

describe('a series follows the recurrence of its source task', () => {
  const now = new Date();
  let stack: Stack;
  let frank: string;

  before(async () => {
    stack = await startStack({ label: 'source', now: () => now, env: { FUTURE_INSTANCES_HORIZON_DAYS: '4' } });
    frank = await bearer('frank');
  });
  after(async () => {
    await stack?.close();
  });

  async function createTask(title: string, recurrence: string | null): Promise<TaskState> {
    return expectTask(await call(stack.tasksUrl, '/tasks', frank, { method: 'POST', body: { title, recurrence, dueAt: tomorrowAt(now, 10).toISO() } }), 201);
  }

  async function seriesFrom(task: TaskState): Promise<SeriesState> {
    return eventually(async () => {
      const res = await call(stack.recurring.url, '/recurring/series?limit=200', frank);
      return ((await res.json()) as { items: SeriesState[] }).items.find((s) => s.sourceTaskId === task.id);
    }, `the series of ${task.title}`);
  }

  async function openTasksOf(series: SeriesState): Promise<string[]> {
    const ids = new Set((await instanceRows(stack.recurringSchema, series.id)).filter((r) => r.origin === 'generated').map((r) => r.task_id));
    return (await instanceTasks(stack.tasksSchema, 'frank', 'open')).filter((t) => ids.has(t.id)).map((t) => t.id);
  }

  async function patchTask(task: TaskState, body: Record<string, unknown>): Promise<TaskState> {
    const current = await expectTask(await call(stack.tasksUrl, `/tasks/${task.id}`, frank));
    return expectTask(await call(stack.tasksUrl, `/tasks/${task.id}`, frank, { method: 'PATCH', body, headers: { 'if-match': `"${current.version}"` } }));
  }

  it('when the source task gets another recurrence, then the series is revised and its untouched instances are replaced', async () => {
    const task = await createTask('Stretch', rule(tomorrowAt(now, 10), 'FREQ=DAILY'));
    const series = await seriesFrom(task);
    const old = await eventually(async () => {
      const ids = await openTasksOf(series);
      return ids.length > 0 && ids;
    }, 'the first instances');
    await stack.sidecar.idle();

    await patchTask(task, { recurrence: rule(tomorrowAt(now, 11), 'FREQ=DAILY') });
    const revised = await eventually(async () => {
      const current = await expectSeries(await call(stack.recurring.url, `/recurring/series/${series.id}`, frank));
      return current.revision === 2 && current;
    }, 'the revision');
    assert.match(revised.recurrence, /T110000/);
    await eventually(async () => (await instanceTasks(stack.tasksSchema, 'frank', 'cancelled')).filter((t) => old.includes(t.id)).length === old.length, 'the old instances cancelled');
    await stack.sidecar.idle();
    const fresh = await instanceTasks(stack.tasksSchema, 'frank', 'open');
    assert.ok(fresh.some((t) => t.due_at?.getTime() === tomorrowAt(now, 11).plus({ days: 1 }).toMillis()));
    // The source task itself is the user's: it is never cancelled by the series.
    assert.equal((await expectTask(await call(stack.tasksUrl, `/tasks/${task.id}`, frank))).status, 'open');
  });

  it('when the recurrence is removed from the source task, then the series ends and its future open instances are cancelled', async () => {
    const task = await createTask('Meditate', rule(tomorrowAt(now, 10), 'FREQ=DAILY'));
    const series = await seriesFrom(task);
    await eventually(async () => (await openTasksOf(series)).length > 0, 'instances');
    await stack.sidecar.idle();

    await patchTask(task, { recurrence: null });
    await eventually(async () => (await openTasksOf(series)).length === 0, 'the cancellations');
    const ended = await expectSeries(await call(stack.recurring.url, `/recurring/series/${series.id}`, frank));
    assert.deepEqual([ended.status, ended.endReason], ['ended', 'recurrence-removed']);
  });

  it('when the source task is deleted, then the series ends as task-deleted', async () => {
    const task = await createTask('Read', rule(tomorrowAt(now, 10), 'FREQ=DAILY'));
    const series = await seriesFrom(task);
    await eventually(async () => (await openTasksOf(series)).length > 0, 'instances');
    await stack.sidecar.idle();

    assert.equal((await call(stack.tasksUrl, `/tasks/${task.id}`, frank, { method: 'DELETE' })).status, 204);
    await eventually(async () => (await openTasksOf(series)).length === 0, 'the cancellations');
    const ended = await expectSeries(await call(stack.recurring.url, `/recurring/series/${series.id}`, frank));
    assert.deepEqual([ended.status, ended.endReason], ['ended', 'task-deleted']);
  });

  it('when a recurrence is added to a task that had none, then a series starts from it', async () => {
    const task = await createTask('Journal', null);
    await patchTask(task, { recurrence: rule(tomorrowAt(now, 10), 'FREQ=WEEKLY') });
    const series = await seriesFrom(task);
    assert.deepEqual([series.status, series.title, series.ownerId], ['active', 'Journal', 'frank']);
    await stack.sidecar.idle();
    // Weekly within a 4-day horizon: the source task covers the only occurrence, so no instance is made.
    assert.deepEqual(await openTasksOf(series), []);
  });

  it('when all of these events are delivered again, then nothing changes', async () => {
    await stack.sidecar.idle();
    const tasks = await instanceTasks(stack.tasksSchema, 'frank');
    const seriesList = await (await call(stack.recurring.url, '/recurring/series?limit=200', frank)).json();
    for (const event of [...stack.sidecar.published]) await stack.sidecar.redeliver(event);
    await stack.sidecar.idle();
    assert.deepEqual(await instanceTasks(stack.tasksSchema, 'frank'), tasks);
    assert.deepEqual(await (await call(stack.recurring.url, '/recurring/series?limit=200', frank)).json(), seriesList);
  });
});
