import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstOccurrence, occurrencesBetween, startInstant } from '../src/index.ts';
import { iso, rule } from './support/expect.ts';

const EVER = [new Date('1900-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z')] as const;
const all = (text: string, limit = 1000) => iso(occurrencesBetween(rule(text), EVER[0], EVER[1], limit));
// In UTC the wall times are the instants, which keeps these expectations about the calendar alone.
const utc = (dtstart: string, ...lines: string[]) => [`DTSTART;TZID=UTC:${dtstart}`, ...lines].join('\n');
const at8 = (...dates: string[]) => dates.map((d) => `${d}T08:00:00.000Z`);

describe('invalid dates are skipped and not counted', () => {
  it('when a monthly rule starts on the 31st with COUNT=5, then months without a 31st are skipped and the five are all real', () => {
    assert.deepEqual(all(utc('20260131T080000', 'RRULE:FREQ=MONTHLY;COUNT=5')), at8('2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31', '2026-08-31'));
  });

  it('when BYMONTHDAY=30 meets February with COUNT=3, then 30 February is skipped and not counted', () => {
    assert.deepEqual(all(utc('20270130T080000', 'RRULE:FREQ=MONTHLY;BYMONTHDAY=30;COUNT=3')), at8('2027-01-30', '2027-03-30', '2027-04-30'));
  });

  it('when a yearly rule starts on 29 February, then it occurs only in leap years', () => {
    assert.deepEqual(all(utc('20240229T080000', 'RRULE:FREQ=YEARLY;COUNT=3')), at8('2024-02-29', '2028-02-29', '2032-02-29'));
  });
});

describe('BYxxx parts', () => {
  it('when BYMONTHDAY=-1, then it is the last day of every month, 28th, 29th, 30th or 31st', () => {
    assert.deepEqual(all(utc('20270131T080000', 'RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=5')), at8('2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31'));
    assert.deepEqual(all(utc('20280131T080000', 'RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=2')), at8('2028-01-31', '2028-02-29'));
  });

  it('when BYDAY=MO..FR with BYSETPOS=-1, then it is the last workday of each month', () => {
    assert.deepEqual(
      all(utc('20260130T080000', 'RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6')),
      at8('2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30', '2026-05-29', '2026-06-30'),
    );
  });

  it('when BYDAY=2MO, then it is the second Monday of each month', () => {
    assert.deepEqual(all(utc('20260112T080000', 'RRULE:FREQ=MONTHLY;BYDAY=2MO;COUNT=4')), at8('2026-01-12', '2026-02-09', '2026-03-09', '2026-04-13'));
  });

  it('when BYDAY=-1FR, then it is the last Friday of each month', () => {
    assert.deepEqual(all(utc('20260130T080000', 'RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=4')), at8('2026-01-30', '2026-02-27', '2026-03-27', '2026-04-24'));
  });

  it('when BYMONTH narrows a weekly rule, then only those months have occurrences', () => {
    const instants = all(utc('20260105T080000', 'RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=1,3;UNTIL=20260401T000000Z'));
    assert.deepEqual(new Set(instants.map((i) => i.slice(5, 7))), new Set(['01', '03']));
    assert.equal(instants.length, 4 + 5);
  });

  it('when DTSTART does not match the rule, then DTSTART is not an occurrence: the series is what the rule generates from it', () => {
    // 1 December 2026 is a Tuesday.
    assert.deepEqual(all(utc('20261201T080000', 'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2')), at8('2026-12-07', '2026-12-14'));
  });
});

describe('COUNT, UNTIL, EXDATE and RDATE', () => {
  it('when an EXDATE hits one of COUNT=5 occurrences, then four remain: COUNT is applied first', () => {
    assert.deepEqual(
      all(utc('20261201T080000', 'RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;TZID=UTC:20261203T080000')),
      at8('2026-12-01', '2026-12-02', '2026-12-04', '2026-12-05'),
    );
  });

  it('when the EXDATE is given in UTC for a Europe/Berlin series, then it removes the occurrence at that instant', () => {
    assert.deepEqual(all('DTSTART;TZID=Europe/Berlin:20261201T080000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE:20261202T070000Z'), [
      '2026-12-01T07:00:00.000Z',
      '2026-12-03T07:00:00.000Z',
    ]);
  });

  it('when an EXDATE names a wall time in the gap, then it removes the occurrence moved out of the gap', () => {
    const text = 'DTSTART;TZID=Europe/Berlin:20260328T023000\nRRULE:FREQ=DAILY;COUNT=3\nEXDATE;TZID=Europe/Berlin:20260329T023000';
    assert.deepEqual(all(text), ['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('when RDATEs are given, then they are added (before DTSTART and beyond COUNT too) and one equal to an occurrence appears once', () => {
    const text = utc('20261201T080000', 'RRULE:FREQ=DAILY;COUNT=2', 'RDATE;TZID=UTC:20261124T170000,20261202T080000', 'RDATE:20261224T170000Z');
    assert.deepEqual(all(text), ['2026-11-24T17:00:00.000Z', ...at8('2026-12-01', '2026-12-02'), '2026-12-24T17:00:00.000Z']);
  });

  it('when an EXDATE equals an RDATE, then the EXDATE wins', () => {
    assert.deepEqual(all(utc('20261201T080000', 'RRULE:FREQ=DAILY;COUNT=1', 'RDATE:20261224T170000Z', 'EXDATE:20261224T170000Z')), at8('2026-12-01'));
  });

  it('when UNTIL is exactly an occurrence, then that occurrence is included', () => {
    assert.deepEqual(all(utc('20261201T080000', 'RRULE:FREQ=DAILY;UNTIL=20261203T080000Z')), at8('2026-12-01', '2026-12-02', '2026-12-03'));
  });

  it('when UNTIL is a date, then it includes every occurrence on that local date', () => {
    assert.deepEqual(all('DTSTART;TZID=Europe/Berlin:20261201T233000\nRRULE:FREQ=DAILY;UNTIL=20261203'), [
      '2026-12-01T22:30:00.000Z',
      '2026-12-02T22:30:00.000Z',
      '2026-12-03T22:30:00.000Z',
    ]);
  });
});

describe('occurrencesBetween windows', () => {
  const daily = rule(utc('20260101T080000', 'RRULE:FREQ=DAILY'));

  it('when a window is given, then from is inclusive, to is exclusive, and the result ascends', () => {
    assert.deepEqual(iso(occurrencesBetween(daily, new Date('2026-01-03T08:00:00Z'), new Date('2026-01-05T08:00:00Z'), 10)), at8('2026-01-03', '2026-01-04'));
  });

  it('when the limit is smaller than the window, then the earliest ones are returned', () => {
    assert.deepEqual(iso(occurrencesBetween(daily, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 2)), at8('2026-01-01', '2026-01-02'));
  });

  it('when the window lies twenty years after DTSTART, then it still holds exactly the days in it', () => {
    assert.deepEqual(iso(occurrencesBetween(daily, new Date('2046-06-01T00:00:00Z'), new Date('2046-06-04T00:00:00Z'), 10)), at8('2046-06-01', '2046-06-02', '2046-06-03'));
  });

  it('when the limit is 0 or the window is empty, then nothing is returned', () => {
    assert.deepEqual(occurrencesBetween(daily, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'), 0), []);
    assert.deepEqual(occurrencesBetween(daily, new Date('2027-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'), 5), []);
  });

  it('when a window argument is not a valid Date or the limit is negative, then RangeError', () => {
    assert.throws(() => occurrencesBetween(daily, new Date('nonsense'), new Date(), 1), RangeError);
    assert.throws(() => occurrencesBetween(daily, new Date(0), new Date(), -1), RangeError);
    assert.throws(() => occurrencesBetween(daily, new Date(0), new Date(), 1.5), RangeError);
  });

  it('when startInstant is asked, then it is DTSTART in UTC', () => {
    assert.equal(startInstant(rule('DTSTART;TZID=Europe/Berlin:20261201T080000\nRRULE:FREQ=DAILY')).toISOString(), '2026-12-01T07:00:00.000Z');
  });
});

describe('firstOccurrence', () => {
  const first = (text: string) => firstOccurrence(rule(text));

  it('when the rule occurs, then the first instant is returned', () => {
    assert.deepEqual(first(utc('20261201T080000', 'RRULE:FREQ=MONTHLY;BYDAY=-1FR')), { kind: 'occurs', first: new Date('2026-12-25T08:00:00Z') });
  });

  const never: Array<[string, string, RegExp]> = [
    ['COUNT=0', 'RRULE:FREQ=DAILY;COUNT=0', /COUNT=0 allows no occurrence/],
    ['UNTIL is before DTSTART', 'RRULE:FREQ=DAILY;UNTIL=20251201T000000Z', /UNTIL=20251201T000000Z is before DTSTART/],
    ['UNTIL is a date before DTSTART', 'RRULE:FREQ=DAILY;UNTIL=20261130', /UNTIL=20261130 is before DTSTART/],
    ['no month in BYMONTH has the BYMONTHDAY (even for FREQ=DAILY, decided without walking the calendar)', 'RRULE:FREQ=DAILY;BYMONTH=2,4;BYMONTHDAY=31', /BYMONTH=2,4 .*BYMONTHDAY=31.*never occurs/],
    ['EXDATE removes every occurrence', 'RRULE:FREQ=DAILY;COUNT=2\nEXDATE:20261201T080000Z,20261202T080000Z', /EXDATE removes every occurrence/],
    ['nothing matches all parts', 'RRULE:FREQ=YEARLY;BYMONTH=1;BYWEEKNO=20', /never occurs/],
  ];
  for (const [when, rrule, reason] of never) {
    it(`when ${when}, then it never occurs and says why`, () => {
      const result = first(utc('20261201T080000', rrule));
      assert.equal(result.kind, 'never');
      assert.match(result.kind === 'never' ? result.reason : '', reason);
    });
  }

  it('when the rule is empty but an RDATE is given, then the RDATE is the first occurrence', () => {
    assert.deepEqual(first(utc('20261201T080000', 'RRULE:FREQ=DAILY;COUNT=0', 'RDATE:20261224T170000Z')), { kind: 'occurs', first: new Date('2026-12-24T17:00:00Z') });
  });
});
