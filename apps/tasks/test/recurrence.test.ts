import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpProblem } from '@lifeline/kit';
import { RecurrenceEvaluator, checkRecurrence, parseRecurrence } from '@lifeline/recurrence';
import { call, expectProblem } from '@lifeline/kit/testing';
import { as, createTaskAs, expectTask } from './support/api.ts';
import { createTestSchema, dropSchema, tableSnapshot } from './support/database.ts';
import { closedPort } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

const START = 'DTSTART;TZID=Europe/Berlin:20261201T080000';
const rule = (rrule: string, dtstart = START) => `${dtstart}\n${rrule}`;
// Never matches (day 1 of the year is never in February), and only walking the calendar to year 9999 shows it.
const PATHOLOGICAL = rule('RRULE:FREQ=HOURLY;BYMONTH=2;BYYEARDAY=1');

// The rule language itself is tested in packages/recurrence; these tests pin what the tasks API makes of it.
describe('recurrence rules (parsing)', () => {
  it('when a rule has DTSTART with TZID and an RRULE, then it parses into canonical text', () => {
    const parsed = parseRecurrence('dtstart;tzid=europe/berlin:20261201T080000\r\nRRULE:freq=daily;count=10\n');
    assert.ok(parsed.ok);
    assert.equal(parsed.rule.text, 'DTSTART;TZID=Europe/Berlin:20261201T080000\nRRULE:FREQ=DAILY;COUNT=10');
    assert.equal(parsed.rule.tzid, 'Europe/Berlin');
  });

  const wrong: Array<[string, string, string]> = [
    ['the RRULE line is missing', START, 'RRULE'],
    ['DTSTART is missing', 'RRULE:FREQ=DAILY', 'DTSTART'],
    ['DTSTART has no TZID', rule('RRULE:FREQ=DAILY', 'DTSTART:20261201T080000Z'), 'DTSTART'],
    ['the TZID is unknown', rule('RRULE:FREQ=DAILY', 'DTSTART;TZID=Mars/Olympus:20261201T080000'), 'DTSTART'],
    ['DTSTART is not a date-time', rule('RRULE:FREQ=DAILY', 'DTSTART;TZID=Europe/Berlin:2026120'), 'DTSTART'],
    ['DTSTART is February 30th', rule('RRULE:FREQ=DAILY', 'DTSTART;TZID=Europe/Berlin:20260230T080000'), 'DTSTART'],
    ['FREQ is misspelt', rule('RRULE:FREQ=DAILIY;COUNT=3'), 'FREQ'],
    ['FREQ is missing', rule('RRULE:COUNT=3'), 'FREQ'],
    ['BYHOUR is out of range', rule('RRULE:FREQ=DAILY;BYHOUR=99'), 'BYHOUR'],
    ['BYDAY is not a weekday', rule('RRULE:FREQ=WEEKLY;BYDAY=MO,XX'), 'BYDAY'],
    ['an unknown part is given', rule('RRULE:FREQ=DAILY;FOO=1'), 'FOO'],
    ['a part is given twice', rule('RRULE:FREQ=DAILY;COUNT=2;COUNT=3'), 'COUNT'],
    ['COUNT and UNTIL are both given', rule('RRULE:FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z'), 'RRULE'],
    ['UNTIL is a local time', rule('RRULE:FREQ=DAILY;UNTIL=20270101T000000'), 'UNTIL'],
    ['INTERVAL is 0', rule('RRULE:FREQ=DAILY;INTERVAL=0'), 'INTERVAL'],
    ['BYWEEKNO is used with FREQ=DAILY', rule('RRULE:FREQ=DAILY;BYWEEKNO=3'), 'BYWEEKNO'],
    ['an unknown line is given', `${rule('RRULE:FREQ=DAILY')}\nEXRULE:FREQ=WEEKLY`, 'EXRULE'],
    ['an EXDATE is a floating time', `${rule('RRULE:FREQ=DAILY')}\nEXDATE:20261202T080000`, 'EXDATE'],
  ];
  for (const [when, text, part] of wrong) {
    it(`when ${when}, then the issue names ${part}`, () => {
      const parsed = parseRecurrence(text);
      assert.ok(!parsed.ok, `expected ${JSON.stringify(text)} to be refused`);
      assert.ok(parsed.issues.some((i) => i.part === part), JSON.stringify(parsed.issues));
    });
  }
});

describe('recurrence rules (evaluation)', () => {
  let evaluator: RecurrenceEvaluator;
  before(() => {
    evaluator = new RecurrenceEvaluator({ timeoutMs: 300, workers: 1 });
  });
  after(async () => {
    await evaluator.close();
  });

  async function problemOf(text: string): Promise<HttpProblem> {
    try {
      await checkRecurrence(evaluator, text);
    } catch (err) {
      assert.ok(err instanceof HttpProblem, String(err));
      return err;
    }
    assert.fail(`expected ${JSON.stringify(text)} to be refused`);
  }

  it('when a rule occurs, then it is accepted', async () => {
    const accepted = await checkRecurrence(evaluator, rule('RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=12'));
    assert.equal(accepted.parts.get('BYDAY'), '-1FR');
  });

  it('when COUNT=0, then 422 says it allows no occurrence', async () => {
    const problem = await problemOf(rule('RRULE:FREQ=DAILY;COUNT=0'));
    assert.equal(problem.status, 422);
    assert.equal(problem.type, 'recurrence-without-occurrence');
    assert.match(problem.message, /COUNT=0/);
  });

  it('when UNTIL is before DTSTART, then 422 says the rule ends before it starts', async () => {
    const problem = await problemOf(rule('RRULE:FREQ=DAILY;UNTIL=20251201T000000Z'));
    assert.equal(problem.type, 'recurrence-without-occurrence');
    assert.match(problem.message, /UNTIL=20251201T000000Z is before DTSTART/);
  });

  it('when no date matches (BYMONTHDAY=31;BYMONTH=2), then 422 says it never occurs', async () => {
    const problem = await problemOf(rule('RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31'));
    assert.equal(problem.type, 'recurrence-without-occurrence');
    assert.match(problem.message, /never occurs/);
  });

  it('when no month in BYMONTH has the BYMONTHDAY, then 422 says so at once, whatever the FREQ', async () => {
    const started = Date.now();
    const problem = await problemOf(rule('RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30'));
    assert.equal(problem.type, 'recurrence-without-occurrence');
    assert.match(problem.message, /BYMONTH=2 has a day BYMONTHDAY=30, so the rule never occurs/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started}ms`);
  });

  it('when EXDATE removes every occurrence, then 422 says so', async () => {
    const problem = await problemOf(`${rule('RRULE:FREQ=DAILY;COUNT=2')}\nEXDATE;TZID=Europe/Berlin:20261201T080000,20261202T080000`);
    assert.equal(problem.type, 'recurrence-without-occurrence');
    assert.match(problem.message, /EXDATE removes every occurrence/);
  });

  it('when a rule would take seconds to prove empty, then it is refused within the budget and the evaluator keeps working', async () => {
    const started = Date.now();
    const problem = await problemOf(PATHOLOGICAL);
    assert.equal(problem.type, 'recurrence-too-complex');
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started}ms`);
    // The worker that ran over was replaced.
    await checkRecurrence(evaluator, rule('RRULE:FREQ=WEEKLY;COUNT=2'));
  });

  it('when many rules are checked at once, then each gets its own answer', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => checkRecurrence(evaluator, rule(i % 2 === 0 ? 'RRULE:FREQ=DAILY;COUNT=1' : 'RRULE:FREQ=DAILY;COUNT=0'))),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'fulfilled' : 'rejected')),
    );
  });
});

describe('recurrence through the API', () => {
  let schema: string;
  let app: RunningTasksApp;

  before(async () => {
    schema = await createTestSchema('recurrence');
    app = await startTasksApp({ schema, daprPort: await closedPort(), env: { RRULE_CHECK_TIMEOUT_MS: '300' } });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  it('when a task is created with the RRULE of the brief, then 201 stores it and the timezone follows its TZID', async () => {
    const task = await createTaskAs(app.url, await as.user('alice'), { title: 'Pills', recurrence: rule('RRULE:FREQ=DAILY;COUNT=10') });
    assert.equal(task.recurrence, 'DTSTART;TZID=Europe/Berlin:20261201T080000\nRRULE:FREQ=DAILY;COUNT=10');
    assert.equal(task.timezone, 'Europe/Berlin');
  });

  it('when the rule has EXDATE and RDATE lines, then 201 stores them in canonical form', async () => {
    const task = await createTaskAs(app.url, await as.user('alice'), {
      title: 'Pills',
      recurrence: `${rule('RRULE:FREQ=DAILY;COUNT=10')}\nexdate;tzid=Europe/Berlin:20261203T080000\nRDATE:20261224t170000z`,
    });
    assert.equal(task.recurrence, `${START}\nRRULE:FREQ=DAILY;COUNT=10\nRDATE:20261224T170000Z\nEXDATE;TZID=Europe/Berlin:20261203T080000`);
  });

  it('when the timezone is given too, then it is kept as given', async () => {
    const task = await createTaskAs(app.url, await as.user('alice'), { title: 'Pills', timezone: 'UTC', recurrence: rule('RRULE:FREQ=WEEKLY;BYDAY=MO,TH') });
    assert.equal(task.timezone, 'UTC');
  });

  const refused: Array<[string, string, string, RegExp]> = [
    ['the rule is prose', 'every day', 'invalid-recurrence', /DTSTART/],
    ['BYHOUR is out of range', rule('RRULE:FREQ=DAILY;BYHOUR=99'), 'invalid-recurrence', /BYHOUR/],
    ['FREQ is misspelt', rule('RRULE:FREQ=DAILIY'), 'invalid-recurrence', /FREQ/],
    ['UNTIL is before DTSTART', rule('RRULE:FREQ=DAILY;UNTIL=20251201T000000Z'), 'recurrence-without-occurrence', /before DTSTART/],
    ['COUNT=0', rule('RRULE:FREQ=DAILY;COUNT=0'), 'recurrence-without-occurrence', /COUNT=0/],
    ['February 31st every year', rule('RRULE:FREQ=YEARLY;BYMONTHDAY=31;BYMONTH=2'), 'recurrence-without-occurrence', /never occurs/],
    ['it is pathological', PATHOLOGICAL, 'recurrence-too-complex', /too sparse or too complex/],
    ['an EXDATE names another zone', `${rule('RRULE:FREQ=DAILY')}\nEXDATE;TZID=America/New_York:20261202T080000`, 'invalid-recurrence', /EXDATE/],
  ];
  for (const [when, recurrence, type, detail] of refused) {
    it(`when ${when}, then 422 ${type} and nothing is written`, async () => {
      const snapshot = await tableSnapshot(schema);
      const res = await call(app.url, '/tasks', await as.user('alice'), { method: 'POST', body: { title: 'Bad rule', recurrence } });
      const problem = await expectProblem(res, 422, type);
      assert.match(String(problem.detail), detail);
      assert.ok(Array.isArray(problem.errors) && problem.errors.length > 0);
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });
  }

  it('when a PATCH sets a rule that never occurs, then 422 and the task is unchanged', async () => {
    const task = await createTaskAs(app.url, await as.user('alice'), { title: 'Keep me' });
    const snapshot = await tableSnapshot(schema);
    const res = await call(app.url, `/tasks/${task.id}`, await as.user('alice'), {
      method: 'PATCH',
      headers: { 'if-match': '"1"' },
      body: { recurrence: rule('RRULE:FREQ=DAILY;COUNT=0') },
    });
    await expectProblem(res, 422, 'recurrence-without-occurrence');
    assert.deepEqual(await tableSnapshot(schema), snapshot);
  });

  it('when a PATCH sets a valid rule, then it is stored canonically, and null removes it', async () => {
    const task = await createTaskAs(app.url, await as.user('alice'), { title: 'Walk' });
    const withRule = await expectTask(
      await call(app.url, `/tasks/${task.id}`, await as.user('alice'), { method: 'PATCH', headers: { 'if-match': '"1"' }, body: { recurrence: rule('rrule:freq=weekly;byday=sa') } }),
    );
    assert.equal(withRule.recurrence, 'DTSTART;TZID=Europe/Berlin:20261201T080000\nRRULE:FREQ=WEEKLY;BYDAY=SA');
    const without = await expectTask(
      await call(app.url, `/tasks/${task.id}`, await as.user('alice'), { method: 'PATCH', headers: { 'if-match': '"2"' }, body: { recurrence: null } }),
    );
    assert.equal(without.recurrence, null);
  });
});
