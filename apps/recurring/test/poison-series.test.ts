// Issue 10: a series row that can no longer be expanded (written around the API) must not stop the horizon
// refill of anyone else's series; it is recorded for operators and cleared once it works again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SeriesState } from '@lifeline/contracts';
import { call, eventually } from '@lifeline/kit/testing';
import { REFILL_SET_ASIDE_WORK } from '../src/domain/refill-horizons.ts';
import { expectSeries } from './support/api.ts';
import { instanceRows } from './support/rows.ts';
import { query } from './support/database.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { rule, tomorrowAt } from './support/times.ts';

describe('poison series in the horizon refill', () => {
  const start = new Date();
  let stack: Stack;
  let owner: string;

  before(async () => {
    stack = await startStack({
      label: 'poison_series',
      env: { FUTURE_INSTANCES_HORIZON_DAYS: '10', MAX_INSTANCES_PER_GENERATION: '2', HORIZON_REFILL_BATCH: '1', HORIZON_REFILL_MIN_INTERVAL_MINUTES: '0' },
    });
    owner = await bearer('olga');
  });
  after(async () => {
    await stack?.close();
  });

  const daily = async (title: string, hour: number): Promise<SeriesState> =>
    expectSeries(await call(stack.recurring.url, '/recurring/series', owner, { method: 'POST', body: { title, recurrence: rule(tomorrowAt(start, hour), 'FREQ=DAILY') } }), 201);
  const made = async (id: string) => (await instanceRows(stack.recurringSchema, id)).filter((r) => r.state === 'open').length;
  const setAside = () => query<{ work: string; item_key: string; reason: string }>(`SELECT work, item_key, reason FROM "${stack.recurringSchema}".set_aside`);
  const tick = () => fetch(`${stack.recurring.url}/recurring-horizon-cron`, { method: 'POST' });

  it('when one series row is broken in the database, then the cron still refills every other series, records the broken one and clears it once fixed', async () => {
    const poison = await daily('Broken', 8);
    const good = await daily('Good', 9);
    await eventually(async () => (await made(poison.id)) === 2 && (await made(good.id)) === 2 ? true : undefined, 'the first generations');
    await stack.sidecar.idle();
    const [{ recurrence } = { recurrence: '' }] = await query<{ recurrence: string }>(`SELECT recurrence FROM "${stack.recurringSchema}".series WHERE id = $1`, [poison.id]);
    await query(`UPDATE "${stack.recurringSchema}".series SET recurrence = 'RRULE:FREQ=FORTNIGHTLY' WHERE id = $1`, [poison.id]);

    // The broken series sorts first (oldest refill, batch of 1): the good one must still get its turn.
    const res = await tick();
    assert.equal(res.status, 500, 'a tick with a failure says so to daprd, after doing the others');
    await stack.sidecar.idle();
    assert.equal(await made(good.id), 4);
    assert.deepEqual((await setAside()).map((r) => [r.work, r.item_key]), [[REFILL_SET_ASIDE_WORK, poison.id]]);
    const metrics = await (await fetch(`${stack.recurring.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`^set_aside_total\\{work="${REFILL_SET_ASIDE_WORK}"[^}]*\\} 1$`, 'm'));

    await query(`UPDATE "${stack.recurringSchema}".series SET recurrence = $2 WHERE id = $1`, [poison.id, recurrence]);
    assert.equal((await tick()).status, 200);
    await stack.sidecar.idle();
    assert.deepEqual(await setAside(), []);
  });
});
