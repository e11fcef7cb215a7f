import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isHttpProblem, problemType } from '@lifeline/kit';
import { END_OF_TIME, RecurrenceEvaluator, checkRecurrence, occurrencesOf } from '../src/index.ts';

const START = 'DTSTART;TZID=Europe/Berlin:20261201T080000';
const PATHOLOGICAL = `${START}\nRRULE:FREQ=HOURLY;BYMONTH=2;BYYEARDAY=1`;
const PAST_ONLY = 'DTSTART;TZID=Europe/Berlin:20200101T080000\nRRULE:FREQ=DAILY;COUNT=3';

async function problemOf(work: Promise<unknown>): Promise<{ status: number; type: string; detail: string; errors: unknown; headers: Record<string, string> }> {
  try {
    await work;
  } catch (err) {
    assert.ok(isHttpProblem(err), String(err));
    return { status: err.status, type: err.typeUri, detail: err.detail ?? '', errors: err.extra['errors'], headers: err.headers };
  }
  assert.fail('expected a problem');
}

describe('recurrence problems', () => {
  let evaluator: RecurrenceEvaluator;
  let closed: RecurrenceEvaluator;
  before(async () => {
    evaluator = new RecurrenceEvaluator({ timeoutMs: 300, workers: 1 });
    await evaluator.warmUp();
    closed = new RecurrenceEvaluator({ timeoutMs: 300, workers: 1 });
    await closed.close();
  });
  after(async () => {
    await evaluator.close();
  });

  it('when a rule parses and occurs, then checkRecurrence returns it in canonical form', async () => {
    const rule = await checkRecurrence(evaluator, 'dtstart;tzid=europe/berlin:20261201T080000\nrrule:freq=daily;count=2');
    assert.equal(rule.text, `${START}\nRRULE:FREQ=DAILY;COUNT=2`);
  });

  it('when a part is wrong, then 422 invalid-recurrence names that part', async () => {
    const problem = await problemOf(checkRecurrence(evaluator, `${START}\nRRULE:FREQ=DAILY;BYHOUR=99`));
    assert.equal(problem.status, 422);
    assert.equal(problem.type, problemType('invalid-recurrence'));
    assert.match(problem.detail, /^The recurrence is not a valid rule: BYHOUR: /);
    assert.deepEqual((problem.errors as Array<{ path: string; part: string }>).map((e) => [e.path, e.part]), [['recurrence', 'BYHOUR']]);
  });

  it('when a rule never occurs, then 422 recurrence-without-occurrence says why', async () => {
    const problem = await problemOf(checkRecurrence(evaluator, `${START}\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30`));
    assert.equal(problem.status, 422);
    assert.equal(problem.type, problemType('recurrence-without-occurrence'));
    assert.match(problem.detail, /^The recurrence yields no occurrence\. ./);
  });

  it('when a rule is too expensive to prove, then 422 recurrence-too-complex, for a check and for a window', async () => {
    for (const work of [checkRecurrence(evaluator, PATHOLOGICAL), occurrencesOf(evaluator, PATHOLOGICAL, new Date(0), END_OF_TIME, 5)]) {
      const problem = await problemOf(work);
      assert.equal(problem.status, 422);
      assert.equal(problem.type, problemType('recurrence-too-complex'));
    }
  });

  it('when every occurrence is past, then it is accepted as such, but refused when it must still occur from now on', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    assert.equal((await checkRecurrence(evaluator, PAST_ONLY)).text, PAST_ONLY);
    const problem = await problemOf(checkRecurrence(evaluator, PAST_ONLY, { now }));
    assert.equal(problem.status, 422);
    assert.equal(problem.type, problemType('recurrence-without-occurrence'));
    assert.deepEqual(problem.errors, [{ path: 'recurrence', message: 'no occurrence from now on' }]);
    assert.equal((await checkRecurrence(evaluator, `${START}\nRRULE:FREQ=DAILY`, { now })).text, `${START}\nRRULE:FREQ=DAILY`);
  });

  it('when the evaluator cannot take the rule, then 503 with Retry-After, never a 4xx blaming the client', async () => {
    for (const work of [checkRecurrence(closed, `${START}\nRRULE:FREQ=DAILY`), occurrencesOf(closed, `${START}\nRRULE:FREQ=DAILY`, new Date(0), END_OF_TIME, 1)]) {
      const problem = await problemOf(work);
      assert.equal(problem.status, 503);
      assert.deepEqual(problem.headers, { 'Retry-After': '1' });
    }
  });

  it('when a window is expanded, then occurrencesOf gives the instants as dates, at most limit of them', async () => {
    const instants = await occurrencesOf(evaluator, `${START}\nRRULE:FREQ=DAILY;COUNT=10`, new Date('2026-12-03T00:00:00Z'), END_OF_TIME, 2);
    assert.deepEqual(instants, [new Date('2026-12-03T07:00:00Z'), new Date('2026-12-04T07:00:00Z')]);
    const problem = await problemOf(occurrencesOf(evaluator, `${START}\nRRULE:FREQ=DAILY;BYHOUR=99`, new Date(0), END_OF_TIME, 1));
    assert.equal(problem.type, problemType('invalid-recurrence'));
  });
});
