import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RecurrenceEvaluator, firstOccurrence, occurrencesBetween } from '../src/index.ts';
import { iso, rule } from './support/expect.ts';

const START = 'DTSTART;TZID=Europe/Berlin:20261201T080000';
// Never matches (day 1 of the year is never in February) and cannot be decided from its parts: rrule walks
// every day to year 9999, which takes seconds.
const PATHOLOGICAL = `${START}\nRRULE:FREQ=HOURLY;BYMONTH=2;BYYEARDAY=1`;

const SAMPLES = [
  `${START}\nRRULE:FREQ=DAILY;COUNT=10`,
  'DTSTART;TZID=Europe/Berlin:20260328T023000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE;TZID=Europe/Berlin:20260330T023000\nRDATE:20260401T120000Z',
  'DTSTART;TZID=America/New_York:19970929T090000\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2',
  `${START}\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30`,
  `${START}\nRRULE:FREQ=DAILY;COUNT=2\nEXDATE:20261201T070000Z,20261202T070000Z`,
];

describe('RecurrenceEvaluator', () => {
  let evaluator: RecurrenceEvaluator;
  before(async () => {
    evaluator = new RecurrenceEvaluator({ timeoutMs: 300, workers: 1 });
    await evaluator.warmUp();
  });
  after(async () => {
    await evaluator.close();
  });

  it('when rules are evaluated in the worker, then the answers equal the synchronous functions (one implementation)', async () => {
    const from = new Date('1990-01-01T00:00:00Z');
    const to = new Date('2030-01-01T00:00:00Z');
    for (const text of SAMPLES) {
      const sync = firstOccurrence(rule(text));
      const expected = sync.kind === 'occurs' ? { kind: 'occurs', first: sync.first.toISOString() } : sync;
      assert.deepEqual(await evaluator.firstOccurrence(text), expected, text);
      assert.deepEqual(await evaluator.occurrences(text, from, to, 20), { kind: 'ok', instants: iso(occurrencesBetween(rule(text), from, to, 20)) }, text);
    }
  });

  it('when a rule is invalid, then both questions answer invalid with the parts that are wrong', async () => {
    const text = `${START}\nRRULE:FREQ=DAILY;BYHOUR=99`;
    const first = await evaluator.firstOccurrence(text);
    assert.equal(first.kind, 'invalid');
    assert.deepEqual(first.kind === 'invalid' && first.issues.map((i) => i.part), ['BYHOUR']);
    assert.match(first.kind === 'invalid' ? first.message : '', /^BYHOUR: /);
    const list = await evaluator.occurrences(text, new Date(0), new Date(), 5);
    assert.deepEqual(list.kind === 'invalid' && list.issues.map((i) => i.part), ['BYHOUR']);
  });

  it('when a rule would take seconds to prove empty, then it is too-complex within the budget and the evaluator keeps working', async () => {
    const started = Date.now();
    assert.deepEqual(await evaluator.firstOccurrence(PATHOLOGICAL), { kind: 'too-complex' });
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started}ms`);
    // The worker that ran over was replaced.
    assert.deepEqual(await evaluator.firstOccurrence(`${START}\nRRULE:FREQ=WEEKLY;COUNT=2`), { kind: 'occurs', first: '2026-12-01T07:00:00.000Z' });
  });

  it('when a window is asked of a pathological rule, then it is too-complex too', async () => {
    assert.deepEqual(await evaluator.occurrences(PATHOLOGICAL, new Date(0), new Date('2100-01-01T00:00:00Z'), 5), { kind: 'too-complex' });
  });

  it('when many rules are asked at once, then each gets its own answer in any order', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `${START}\nRRULE:FREQ=DAILY;COUNT=${i % 3}`);
    const answers = await Promise.all(texts.map((text) => evaluator.firstOccurrence(text)));
    assert.deepEqual(
      answers.map((a) => a.kind),
      texts.map((_, i) => (i % 3 === 0 ? 'never' : 'occurs')),
    );
  });

  it('when the window arguments are not valid, then the call rejects with RangeError before any work', async () => {
    await assert.rejects(evaluator.occurrences(`${START}\nRRULE:FREQ=DAILY`, new Date('x'), new Date(), 1), RangeError);
    await assert.rejects(evaluator.occurrences(`${START}\nRRULE:FREQ=DAILY`, new Date(0), new Date(), -3), RangeError);
  });
});

describe('RecurrenceEvaluator limits', () => {
  it('when the queue is full, then further rules are answered busy at once', async () => {
    const evaluator = new RecurrenceEvaluator({ timeoutMs: 300, workers: 1, maxQueue: 1 });
    try {
      const running = evaluator.firstOccurrence(PATHOLOGICAL);
      const queued = evaluator.firstOccurrence(`${START}\nRRULE:FREQ=DAILY`);
      assert.deepEqual(await evaluator.firstOccurrence(`${START}\nRRULE:FREQ=DAILY`), { kind: 'busy' });
      assert.deepEqual(await running, { kind: 'too-complex' });
      assert.equal((await queued).kind, 'occurs');
    } finally {
      await evaluator.close();
    }
  });

  it('when the evaluator is closed, then waiting and later rules are answered busy', async () => {
    const evaluator = new RecurrenceEvaluator({ timeoutMs: 5000, workers: 1 });
    const running = evaluator.firstOccurrence(PATHOLOGICAL);
    const waiting = evaluator.firstOccurrence(`${START}\nRRULE:FREQ=DAILY`);
    await evaluator.close();
    assert.deepEqual(await running, { kind: 'busy' });
    assert.deepEqual(await waiting, { kind: 'busy' });
    assert.deepEqual(await evaluator.occurrences(`${START}\nRRULE:FREQ=DAILY`, new Date(0), new Date(), 1), { kind: 'busy' });
  });

  it('when the options make no sense, then the constructor refuses them', () => {
    assert.throws(() => new RecurrenceEvaluator({ timeoutMs: 0, workers: 1 }), RangeError);
    assert.throws(() => new RecurrenceEvaluator({ timeoutMs: 100, workers: 0 }), RangeError);
  });
});
