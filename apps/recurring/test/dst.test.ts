import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import type { SeriesState } from '@lifeline/contracts';
import { call, eventually } from '@lifeline/kit/testing';
import { expectSeries } from './support/api.ts';
import { instanceRows, instanceTasks } from './support/rows.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { BERLIN, lastSunday, rule } from './support/times.ts';

// Fixed dates on purpose: the app's clock is pinned, so these stay in "the future" whenever the test runs.
const SPRING = lastSunday(2027, 3); // 2027-03-28: 02:00 CET -> 03:00 CEST
const AUTUMN = lastSunday(2027, 10); // 2027-10-31: 03:00 CEST -> 02:00 CET

describe('08:00 Europe/Berlin across the DST changes', () => {
  let clock = SPRING.minus({ days: 4 }).toJSDate();
  let stack: Stack;
  let carol: string;

  before(async () => {
    stack = await startStack({ label: 'dst', now: () => clock, env: { FUTURE_INSTANCES_HORIZON_DAYS: '30' } });
    carol = await bearer('carol');
  });
  after(async () => {
    await stack?.close();
  });

  async function dailyAroundSwitch(day: DateTime): Promise<{ series: SeriesState; dueAts: string[] }> {
    const start = day.minus({ days: 3 }).set({ hour: 8 });
    clock = start.minus({ days: 1 }).toJSDate();
    const series = await expectSeries(
      await call(stack.recurring.url, '/recurring/series', carol, { method: 'POST', body: { title: 'Morning pills', recurrence: rule(start, 'FREQ=DAILY;COUNT=7') } }),
      201,
    );
    const rows = await eventually(async () => {
      const found = await instanceRows(stack.recurringSchema, series.id);
      return found.length === 7 && found.every((r) => r.state === 'open') && found;
    }, 'seven open instances');
    await stack.sidecar.idle();
    return { series, dueAts: rows.map((r) => r.due_at.toISOString()) };
  }

  const local = (instant: string) => DateTime.fromISO(instant, { zone: BERLIN }).toFormat('yyyy-MM-dd HH:mm ZZ');

  it('when a daily 08:00 series spans the spring change, then every instance is due at 08:00 local: 07:00Z before it, 06:00Z after', async () => {
    const { series, dueAts } = await dailyAroundSwitch(SPRING);
    assert.deepEqual(dueAts, [
      '2027-03-25T07:00:00.000Z',
      '2027-03-26T07:00:00.000Z',
      '2027-03-27T07:00:00.000Z',
      '2027-03-28T06:00:00.000Z',
      '2027-03-29T06:00:00.000Z',
      '2027-03-30T06:00:00.000Z',
      '2027-03-31T06:00:00.000Z',
    ]);
    const tasks = (await instanceTasks(stack.tasksSchema, 'carol')).filter((t) => dueAts.includes(t.due_at?.toISOString() ?? ''));
    assert.deepEqual(tasks.map((t) => t.due_at?.toISOString()), dueAts);
    assert.ok(tasks.every((t) => t.timezone === BERLIN));
    assert.equal(series.timezone, BERLIN);
  });

  it('when a daily 08:00 series spans the autumn change, then every instance is due at 08:00 local: 06:00Z before it, 07:00Z after', async () => {
    const { dueAts } = await dailyAroundSwitch(AUTUMN);
    assert.deepEqual(dueAts.map(local), [
      '2027-10-28 08:00 +02:00',
      '2027-10-29 08:00 +02:00',
      '2027-10-30 08:00 +02:00',
      '2027-10-31 08:00 +01:00',
      '2027-11-01 08:00 +01:00',
      '2027-11-02 08:00 +01:00',
      '2027-11-03 08:00 +01:00',
    ]);
  });

  it('when the preview spans a DST change, then it lists 08:00 local with the offset of the day, beside the instances made, and writes nothing', async () => {
    const [series] = ((await (await call(stack.recurring.url, '/recurring/series', carol)).json()) as { items: SeriesState[] }).items;
    assert.ok(series);
    const before = await instanceRows(stack.recurringSchema, series.id);
    const res = await call(stack.recurring.url, `/recurring/series/${series.id}/occurrences?from=2027-03-27T00:00:00Z&to=2027-03-30T00:00:00Z`, carol);
    assert.equal(res.status, 200);
    const page = (await res.json()) as { items: Array<{ dueAt: string; localDueAt: string; instance: { state: string } | null }>; truncated: boolean };
    assert.deepEqual(
      page.items.map((o) => [o.dueAt, o.localDueAt, o.instance?.state]),
      [
        ['2027-03-27T07:00:00.000Z', '2027-03-27T08:00:00+01:00', 'open'],
        ['2027-03-28T06:00:00.000Z', '2027-03-28T08:00:00+02:00', 'open'],
        ['2027-03-29T06:00:00.000Z', '2027-03-29T08:00:00+02:00', 'open'],
      ],
    );
    assert.equal(page.truncated, false);
    assert.deepEqual(await instanceRows(stack.recurringSchema, series.id), before);
  });

  it('when COUNT is used up, then the series ends as rule-exhausted and its last instances stay open', async () => {
    const res = await call(stack.recurring.url, '/recurring/series?status=ended', carol);
    const ended = ((await res.json()) as { items: SeriesState[] }).items;
    assert.equal(ended.length, 2);
    assert.ok(ended.every((s) => s.status === 'ended' && s.endReason === 'rule-exhausted'));
    assert.equal((await instanceTasks(stack.tasksSchema, 'carol', 'open')).length, 14);
  });
});
