import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SeriesState } from '@lifeline/contracts';
import { call, eventually, expectProblem, type Call } from '@lifeline/kit/testing';
import { expectSeries } from './support/api.ts';
import { instanceRows, snapshot } from './support/rows.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { rule, tomorrowAt } from './support/times.ts';

describe('bad input on every endpoint', () => {
  const now = new Date();
  let stack: Stack;
  let dave: string;
  let series: SeriesState;

  before(async () => {
    stack = await startStack({ label: 'bad_input', now: () => now, env: { FUTURE_INSTANCES_HORIZON_DAYS: '3' } });
    dave = await bearer('dave');
    series = await expectSeries(
      await call(stack.recurring.url, '/recurring/series', dave, { method: 'POST', body: { title: 'Water the plants', recurrence: rule(tomorrowAt(now, 7), 'FREQ=DAILY') } }),
      201,
    );
    await eventually(async () => (await instanceRows(stack.recurringSchema, series.id)).some((r) => r.state === 'open'), 'the first instances');
    await stack.sidecar.idle();
  });
  after(async () => {
    await stack?.close();
  });

  /** Sends the request, expects the problem, and checks that nothing anywhere changed. */
  async function refused(path: string, authorization: string | undefined, opts: Call, status: number, type?: string): Promise<Record<string, unknown>> {
    const before = await snapshot(stack.recurringSchema);
    const published = stack.sidecar.published.length;
    const problem = await expectProblem(await call(stack.recurring.url, path, authorization, opts), status, type);
    assert.deepEqual(await snapshot(stack.recurringSchema), before, `${opts.method ?? 'GET'} ${path} changed something`);
    assert.equal(stack.sidecar.published.length, published);
    return problem;
  }

  const post = (body: unknown, headers?: Record<string, string>): Call => ({ method: 'POST', body, ...(headers ? { headers } : {}) });
  const valid = () => ({ title: 'Stretch', recurrence: rule(tomorrowAt(now, 6), 'FREQ=DAILY') });

  it('when POST /series gets bad input, then 4xx problem+json names the problem and nothing is written', async () => {
    await refused('/recurring/series', undefined, post(valid()), 401, 'unauthorized');
    await refused('/recurring/series', await bearer('olga', ['compliance']), post(valid()), 403, 'forbidden');
    await refused('/recurring/series', dave, post('{"title":'), 400, 'malformed-json');
    await refused('/recurring/series', dave, { method: 'POST', body: 'title=x', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported-media-type');
    const unknown = await refused('/recurring/series', dave, post({ ...valid(), colour: 'red' }), 400, 'validation-error');
    assert.match(JSON.stringify(unknown.errors), /colour/);
    const blank = await refused('/recurring/series', dave, post({ ...valid(), title: '   ' }), 400, 'validation-error');
    assert.deepEqual((blank.errors as Array<{ path: string }>).map((e) => e.path), ['title']);
    await refused('/recurring/series', dave, post({ title: 'No rule' }), 400, 'validation-error');
    await refused('/recurring/series', dave, post({ ...valid(), remindBeforeMinutes: -5 }), 400, 'validation-error');
    await refused('/recurring/series', dave, post({ ...valid(), ownerId: 'erin' }), 403, 'forbidden');
  });

  it('when POST /series gets a rule that is wrong, never occurs or is over, then 422 says which part or why', async () => {
    const badPart = await refused('/recurring/series', dave, post({ ...valid(), recurrence: rule(tomorrowAt(now, 6), 'FREQ=DAILY;BYHOUR=25') }), 422, 'invalid-recurrence');
    assert.match(String(badPart.detail), /BYHOUR/);
    assert.ok((badPart.errors as Array<{ part: string }>).some((e) => e.part === 'BYHOUR'));
    const noFreq = await refused('/recurring/series', dave, post({ ...valid(), recurrence: 'DTSTART;TZID=Europe/Berlin:20300101T080000\nRRULE:INTERVAL=2' }), 422, 'invalid-recurrence');
    assert.match(String(noFreq.detail), /FREQ/);
    await refused('/recurring/series', dave, post({ ...valid(), recurrence: 'DTSTART;TZID=Mars/Olympus:20300101T080000\nRRULE:FREQ=DAILY' }), 422, 'invalid-recurrence');
    await refused('/recurring/series', dave, post({ ...valid(), recurrence: 'DTSTART;TZID=Europe/Berlin:20300101T080000\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' }), 422, 'recurrence-without-occurrence');
    await refused('/recurring/series', dave, post({ ...valid(), recurrence: 'DTSTART;TZID=Europe/Berlin:20200101T080000\nRRULE:FREQ=DAILY;COUNT=3' }), 422, 'recurrence-without-occurrence');
  });

  it('when GET /series or GET /series/{id} gets bad input, then 4xx and nothing is written', async () => {
    await refused('/recurring/series?limit=0', dave, {}, 400, 'validation-error');
    await refused('/recurring/series?colour=red', dave, {}, 400, 'validation-error');
    await refused('/recurring/series?after=not-a-uuid', dave, {}, 400, 'validation-error');
    await refused(`/recurring/series?after=${crypto.randomUUID()}`, dave, {}, 400, 'invalid-cursor');
    await refused('/recurring/series?ownerId=erin', dave, {}, 403, 'forbidden');
    await refused('/recurring/series/not-a-uuid', dave, {}, 400, 'validation-error');
    await refused(`/recurring/series/${crypto.randomUUID()}`, dave, {}, 404, 'series-not-found');
    // Someone else's series answers like a missing one.
    await refused(`/recurring/series/${series.id}`, await bearer('mallory'), {}, 404, 'series-not-found');
    await refused(`/recurring/series/${series.id}`, undefined, {}, 401, 'unauthorized');
  });

  it('when the occurrence preview gets a bad range, then 400 and nothing is written', async () => {
    const base = `/recurring/series/${series.id}/occurrences`;
    await refused(`${base}?from=yesterday`, dave, {}, 400, 'validation-error');
    await refused(`${base}?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`, dave, {}, 400, 'validation-error');
    await refused(`${base}?to=2000-01-01T00:00:00Z`, dave, {}, 400, 'validation-error');
    await refused(`${base}?limit=5000`, dave, {}, 400, 'validation-error');
    await refused(`${base}?step=1`, dave, {}, 400, 'validation-error');
    await refused(`/recurring/series/${crypto.randomUUID()}/occurrences`, dave, {}, 404, 'series-not-found');
  });

  it('when an instant is outside 1900-9999, a string holds NUL or a lone surrogate, or a path does not decode, then 400 and nothing is written (issue 10)', async () => {
    const base = `/recurring/series/${series.id}/occurrences`;
    await refused(`${base}?from=0000-01-01T00:00:00Z`, dave, {}, 400, 'validation-error');
    await refused(`${base}?to=10000-01-01T00:00:00Z`, dave, {}, 400, 'validation-error');
    await refused(`${base}?from=2030-01-01T00:00:00%00`, dave, {}, 400, 'validation-error');
    await refused('/recurring/series', dave, post({ ...valid(), tags: ['a\u0000b'] }), 400, 'validation-error');
    await refused('/recurring/series', dave, post({ ...valid(), title: 'pills \ud800' }), 400, 'validation-error');
    await refused('/recurring/series/%FF', dave, {}, 400, 'malformed-path');
    await refused(`/recurring/series/${series.id}%00`, dave, {}, 400, 'malformed-path');
  });

  it('when PATCH /series/{id} gets bad input, then 4xx, the series keeps its version and no instance changes', async () => {
    const path = `/recurring/series/${series.id}`;
    const patch = (body: unknown, headers?: Record<string, string>): Call => ({ method: 'PATCH', body, ...(headers ? { headers } : {}) });
    await refused(path, dave, patch({}), 400, 'validation-error');
    await refused(path, dave, patch({ version: 1 }), 400, 'validation-error');
    await refused(path, dave, patch({ title: '' }), 400, 'validation-error');
    await refused(path, dave, patch({ status: 'ended' }), 400, 'validation-error');
    await refused(path, dave, patch({ title: 'Later' }, { 'if-match': 'version-1' }), 400, 'invalid-if-match');
    // A weak tag is well-formed but never matches (If-Match compares strongly): 412, as in the tasks app.
    await refused(path, dave, patch({ title: 'Later' }, { 'if-match': 'W/"1"' }), 412, 'version-conflict');
    await refused(path, dave, patch({ title: 'Later', version: 2 }, { 'if-match': '"1"' }), 400, 'validation-error');
    const stale = await refused(path, dave, patch({ title: 'Later' }, { 'if-match': '"7"' }), 412, 'version-conflict');
    assert.equal(stale.currentVersion, 1);
    await refused(path, dave, patch({ recurrence: 'RRULE:FREQ=DAILY' }), 422, 'invalid-recurrence');
    await refused(path, dave, patch({ recurrence: 'DTSTART;TZID=Europe/Berlin:20300101T080000\nRRULE:FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31' }), 422, 'recurrence-without-occurrence');
    await refused(path, await bearer('mallory'), patch({ title: 'Mine now' }), 404, 'series-not-found');
    await refused(path, dave, { method: 'PATCH', body: 'title=x', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported-media-type');
  });

  it('when DELETE /series/{id} gets bad input, then 4xx and the series stays active', async () => {
    await refused('/recurring/series/not-a-uuid', dave, { method: 'DELETE' }, 400, 'validation-error');
    await refused(`/recurring/series/${crypto.randomUUID()}`, dave, { method: 'DELETE' }, 404, 'series-not-found');
    await refused(`/recurring/series/${series.id}`, dave, { method: 'DELETE', headers: { 'if-match': '"9"' } }, 412, 'version-conflict');
    await refused(`/recurring/series/${series.id}`, await bearer('mallory'), { method: 'DELETE' }, 404, 'series-not-found');
    assert.equal((await expectSeries(await call(stack.recurring.url, `/recurring/series/${series.id}`, dave))).status, 'active');
  });
});
