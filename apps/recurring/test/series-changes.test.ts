import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SeriesState } from '@lifeline/contracts';
import { call, eventually, expectProblem } from '@lifeline/kit/testing';
import { expectSeries, expectTask } from './support/api.ts';
import { instanceRows, instanceTasks, type TaskRecord } from './support/rows.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { DAY_MS, dailyInstants, rule, tomorrowAt } from './support/times.ts';

const iso = (t: TaskRecord) => t.due_at?.toISOString();

describe('PATCH and DELETE of a series', () => {
  const now = new Date();
  const horizonDays = 6;
  const horizon = new Date(now.getTime() + horizonDays * DAY_MS);
  let stack: Stack;
  let bob: string;

  before(async () => {
    stack = await startStack({ label: 'changes', now: () => now, env: { FUTURE_INSTANCES_HORIZON_DAYS: String(horizonDays) } });
    bob = await bearer('bob');
  });
  after(async () => {
    await stack?.close();
  });

  async function createDailySeries(hour: number): Promise<SeriesState> {
    const series = await expectSeries(
      await call(stack.recurring.url, '/recurring/series', bob, {
        method: 'POST',
        body: { title: 'Walk the dog', recurrence: rule(tomorrowAt(now, hour), 'FREQ=DAILY'), remindBeforeMinutes: 10 },
      }),
      201,
    );
    const expected = dailyInstants(now, horizon, hour).filter((t) => t >= series.startsAt);
    await eventually(async () => (await tasksOf(series.id)).length === expected.length, `${expected.length} instances`);
    await stack.sidecar.idle();
    return series;
  }

  /** The tasks the series' instance rows point to. */
  async function tasksOf(seriesId: string): Promise<TaskRecord[]> {
    const ids = new Set((await instanceRows(stack.recurringSchema, seriesId)).map((r) => r.task_id));
    return (await instanceTasks(stack.tasksSchema, 'bob')).filter((t) => ids.has(t.id));
  }

  it('when the rule changes, then future instances nobody started are cancelled and replaced, while done and user-changed ones stay', async () => {
    const series = await createDailySeries(8);
    const [done, edited, ...untouched] = await instanceTasks(stack.tasksSchema, 'bob', 'open');
    assert.ok(done && edited && untouched.length > 0);

    await expectTask(await call(stack.tasksUrl, `/tasks/${done.id}/complete`, bob, { method: 'POST' }));
    await expectTask(await call(stack.tasksUrl, `/tasks/${edited.id}`, bob, { method: 'PATCH', body: { notes: 'the long way round' }, headers: { 'if-match': '"1"' } }));
    await eventually(async () => {
      const rows = await instanceRows(stack.recurringSchema, series.id);
      return rows.find((r) => r.task_id === done.id)?.state === 'done' && rows.find((r) => r.task_id === edited.id)?.state === 'detached';
    }, 'the completion and the edit to be tracked');
    await stack.sidecar.idle();

    const patched = await expectSeries(
      await call(stack.recurring.url, `/recurring/series/${series.id}`, bob, {
        method: 'PATCH',
        body: { recurrence: rule(tomorrowAt(now, 9), 'FREQ=DAILY'), title: 'Walk the dog (later)' },
        headers: { 'if-match': `"${series.version}"` },
      }),
    );
    assert.equal(patched.revision, 2);
    assert.equal(patched.title, 'Walk the dog (later)');

    const nineOClock = dailyInstants(now, horizon, 9).filter((t) => t >= patched.startsAt);
    await eventually(async () => (await instanceTasks(stack.tasksSchema, 'bob', 'open')).filter((t) => t.title === 'Walk the dog (later)').length === nineOClock.length, 'the replacements');
    await stack.sidecar.idle();

    const tasks = await instanceTasks(stack.tasksSchema, 'bob');
    assert.deepEqual(tasks.filter((t) => t.status === 'cancelled').map(iso).sort(), untouched.map(iso).sort());
    assert.deepEqual(tasks.filter((t) => t.status === 'done').map((t) => t.id), [done.id]);
    const kept = tasks.find((t) => t.id === edited.id);
    assert.deepEqual([kept?.status, kept?.notes, kept?.title], ['open', 'the long way round', 'Walk the dog']);
    const replacements = tasks.filter((t) => t.title === 'Walk the dog (later)');
    assert.deepEqual(replacements.map(iso), nineOClock);
    assert.ok(replacements.every((t) => t.status === 'open' && t.remind_at?.getTime() === (t.due_at?.getTime() ?? 0) - 10 * 60_000));

    const rows = await instanceRows(stack.recurringSchema, series.id);
    assert.deepEqual(rows.filter((r) => r.state === 'cancelled').length, untouched.length);
    assert.ok(rows.filter((r) => r.revision === 2).every((r) => r.state === 'open'));
  });

  it('when a PATCH changes nothing, then the series and its instances stay as they are', async () => {
    const [series] = ((await (await call(stack.recurring.url, '/recurring/series', bob)).json()) as { items: SeriesState[] }).items;
    assert.ok(series);
    const rows = await instanceRows(stack.recurringSchema, series.id);
    const same = await expectSeries(await call(stack.recurring.url, `/recurring/series/${series.id}`, bob, { method: 'PATCH', body: { title: series.title, priority: series.priority } }));
    assert.deepEqual(same, series);
    await stack.sidecar.idle();
    assert.deepEqual(await instanceRows(stack.recurringSchema, series.id), rows);
  });

  it('when the series is deleted, then it ends, its future open instances are cancelled, and it accepts no more changes', async () => {
    const series = await createDailySeries(18);
    const [finished, ...rest] = await tasksOf(series.id);
    assert.ok(finished && rest.length > 0);
    await expectTask(await call(stack.tasksUrl, `/tasks/${finished.id}/complete`, bob, { method: 'POST' }));
    await eventually(async () => (await instanceRows(stack.recurringSchema, series.id)).some((r) => r.task_id === finished.id && r.state === 'done'), 'the completion');
    await stack.sidecar.idle();

    const res = await call(stack.recurring.url, `/recurring/series/${series.id}`, bob, { method: 'DELETE', headers: { 'if-match': `"${series.version}"` } });
    assert.equal(res.status, 204);
    await eventually(async () => (await instanceTasks(stack.tasksSchema, 'bob', 'cancelled')).filter((t) => rest.some((r) => r.id === t.id)).length === rest.length, 'the cancellations');
    await stack.sidecar.idle();

    const ended = await expectSeries(await call(stack.recurring.url, `/recurring/series/${series.id}`, bob));
    assert.deepEqual([ended.status, ended.endReason], ['ended', 'series-deleted']);
    assert.equal((await instanceTasks(stack.tasksSchema, 'bob')).find((t) => t.id === finished.id)?.status, 'done');
    assert.ok(stack.sidecar.published.some((e) => e.type === 'series.ended' && (e.data as { data: { seriesId: string } }).data.seriesId === series.id));

    // Ending an ended series changes nothing; changing it is refused.
    assert.equal((await call(stack.recurring.url, `/recurring/series/${series.id}`, bob, { method: 'DELETE' })).status, 204);
    await expectProblem(await call(stack.recurring.url, `/recurring/series/${series.id}`, bob, { method: 'PATCH', body: { title: 'Again' } }), 409, 'series-ended');
    assert.deepEqual(await expectSeries(await call(stack.recurring.url, `/recurring/series/${series.id}`, bob)), ended);
  });
});
