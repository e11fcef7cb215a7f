import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRecurrence } from '../src/index.ts';

const START = 'DTSTART;TZID=Europe/Berlin:20261201T080000';
const rule = (rrule: string, ...more: string[]) => [START, rrule, ...more].join('\n');

describe('parseRecurrence: accepted text', () => {
  it('when names, zone and parts are written in any case and lines end in CRLF, then the canonical text is returned', () => {
    const parsed = parseRecurrence('dtstart;tzid=europe/berlin:20261201T080000\r\nRRULE:freq=daily;count=10\n');
    assert.ok(parsed.ok);
    assert.equal(parsed.rule.text, 'DTSTART;TZID=Europe/Berlin:20261201T080000\nRRULE:FREQ=DAILY;COUNT=10');
    assert.equal(parsed.rule.tzid, 'Europe/Berlin');
    assert.deepEqual(parsed.rule.start, { year: 2026, month: 12, day: 1, hour: 8, minute: 0, second: 0 });
    assert.equal(parsed.rule.parts.get('COUNT'), '10');
  });

  it('when lines are separated by a literal backslash-n (a rule typed into JSON by hand), then they are split there too', () => {
    const parsed = parseRecurrence(`${START}\\nRRULE:FREQ=WEEKLY`);
    assert.ok(parsed.ok);
    assert.equal(parsed.rule.text, `${START}\nRRULE:FREQ=WEEKLY`);
  });

  it('when EXDATE and RDATE lines are given, then they follow DTSTART and RRULE in canonical form, RDATE before EXDATE', () => {
    const parsed = parseRecurrence(
      [START, 'exdate;tzid=Europe/Berlin:20261202T080000,20261203t080000', 'RRULE:FREQ=DAILY', 'RDATE:20261224T170000Z', 'EXDATE:20261205T070000Z'].join('\n'),
    );
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
    assert.equal(
      parsed.rule.text,
      [START, 'RRULE:FREQ=DAILY', 'RDATE:20261224T170000Z', 'EXDATE;TZID=Europe/Berlin:20261202T080000,20261203T080000', 'EXDATE:20261205T070000Z'].join('\n'),
    );
    assert.deepEqual(
      parsed.rule.exdates.map((d) => d.toISOString()),
      ['2026-12-02T07:00:00.000Z', '2026-12-03T07:00:00.000Z', '2026-12-05T07:00:00.000Z'],
    );
    assert.deepEqual(parsed.rule.rdates.map((d) => d.toISOString()), ['2026-12-24T17:00:00.000Z']);
  });

  it('when the canonical text is parsed again, then it is unchanged', () => {
    const first = parseRecurrence(rule('RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=12', 'RDATE;TZID=Europe/Berlin:20261224T170000', 'EXDATE:20270129T070000Z'));
    assert.ok(first.ok);
    const second = parseRecurrence(first.rule.text);
    assert.ok(second.ok);
    assert.equal(second.rule.text, first.rule.text);
  });
});

describe('parseRecurrence: refused text names the wrong part', () => {
  const wrong: Array<[string, string, string]> = [
    ['the text is prose', 'every day at eight', 'DTSTART'],
    ['the RRULE line is missing', START, 'RRULE'],
    ['DTSTART is missing', 'RRULE:FREQ=DAILY', 'DTSTART'],
    ['DTSTART is given twice', rule('RRULE:FREQ=DAILY', START), 'DTSTART'],
    ['two RRULE lines are given', rule('RRULE:FREQ=DAILY', 'RRULE:FREQ=WEEKLY'), 'RRULE'],
    ['DTSTART has no TZID', 'DTSTART:20261201T080000Z\nRRULE:FREQ=DAILY', 'DTSTART'],
    ['the TZID is unknown', 'DTSTART;TZID=Mars/Olympus:20261201T080000\nRRULE:FREQ=DAILY', 'DTSTART'],
    ['DTSTART with a TZID ends in Z', 'DTSTART;TZID=Europe/Berlin:20261201T080000Z\nRRULE:FREQ=DAILY', 'DTSTART'],
    ['DTSTART is a date without a time', 'DTSTART;VALUE=DATE;TZID=Europe/Berlin:20261201\nRRULE:FREQ=DAILY', 'DTSTART'],
    ['DTSTART is February 30th', 'DTSTART;TZID=Europe/Berlin:20260230T080000\nRRULE:FREQ=DAILY', 'DTSTART'],
    ['DTSTART is 24:00', 'DTSTART;TZID=Europe/Berlin:20261201T240000\nRRULE:FREQ=DAILY', 'DTSTART'],
    ['DTSTART has an unknown parameter', 'DTSTART;X-FOO=1;TZID=Europe/Berlin:20261201T080000\nRRULE:FREQ=DAILY', 'DTSTART'],
    ['FREQ is misspelt', rule('RRULE:FREQ=DAILIY;COUNT=3'), 'FREQ'],
    ['FREQ is missing', rule('RRULE:COUNT=3'), 'FREQ'],
    ['INTERVAL is 0', rule('RRULE:FREQ=DAILY;INTERVAL=0'), 'INTERVAL'],
    ['COUNT is negative', rule('RRULE:FREQ=DAILY;COUNT=-1'), 'COUNT'],
    ['UNTIL is a local time', rule('RRULE:FREQ=DAILY;UNTIL=20270101T000000'), 'UNTIL'],
    ['UNTIL is 31 April', rule('RRULE:FREQ=DAILY;UNTIL=20270431T000000Z'), 'UNTIL'],
    ['COUNT and UNTIL are both given', rule('RRULE:FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z'), 'RRULE'],
    ['BYHOUR is out of range', rule('RRULE:FREQ=DAILY;BYHOUR=99'), 'BYHOUR'],
    ['BYSECOND is a leap second', rule('RRULE:FREQ=DAILY;BYSECOND=60'), 'BYSECOND'],
    ['BYMONTHDAY is 0', rule('RRULE:FREQ=MONTHLY;BYMONTHDAY=0'), 'BYMONTHDAY'],
    ['BYMONTHDAY is 32', rule('RRULE:FREQ=MONTHLY;BYMONTHDAY=32'), 'BYMONTHDAY'],
    ['BYMONTH is 13', rule('RRULE:FREQ=YEARLY;BYMONTH=13'), 'BYMONTH'],
    ['BYDAY is not a weekday', rule('RRULE:FREQ=WEEKLY;BYDAY=MO,XX'), 'BYDAY'],
    ['a BYDAY ordinal is 0', rule('RRULE:FREQ=MONTHLY;BYDAY=0MO'), 'BYDAY'],
    ['a BYDAY ordinal is used with FREQ=WEEKLY', rule('RRULE:FREQ=WEEKLY;BYDAY=2MO'), 'BYDAY'],
    ['a BYDAY ordinal is combined with BYWEEKNO', rule('RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO'), 'BYDAY'],
    ['BYSETPOS has nothing to select from', rule('RRULE:FREQ=MONTHLY;BYSETPOS=-1'), 'BYSETPOS'],
    ['BYSETPOS is 0', rule('RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0'), 'BYSETPOS'],
    ['WKST is not a weekday', rule('RRULE:FREQ=WEEKLY;WKST=XX'), 'WKST'],
    ['BYWEEKNO is used with FREQ=DAILY', rule('RRULE:FREQ=DAILY;BYWEEKNO=3'), 'BYWEEKNO'],
    ['BYYEARDAY is used with FREQ=MONTHLY', rule('RRULE:FREQ=MONTHLY;BYYEARDAY=3'), 'BYYEARDAY'],
    ['BYMONTHDAY is used with FREQ=WEEKLY', rule('RRULE:FREQ=WEEKLY;BYMONTHDAY=3'), 'BYMONTHDAY'],
    ['an unknown part is given', rule('RRULE:FREQ=DAILY;FOO=1'), 'FOO'],
    ['a part is given twice', rule('RRULE:FREQ=DAILY;COUNT=2;COUNT=3'), 'COUNT'],
    ['a part has no value', rule('RRULE:FREQ=DAILY;COUNT='), 'COUNT'],
    ['the RRULE line has parameters', rule('RRULE;X-FOO=1:FREQ=DAILY'), 'RRULE'],
    ['an unknown line is given', rule('RRULE:FREQ=DAILY', 'EXRULE:FREQ=WEEKLY'), 'EXRULE'],
    ['an EXDATE is a floating time', rule('RRULE:FREQ=DAILY', 'EXDATE:20261202T080000'), 'EXDATE'],
    ['an EXDATE names another zone', rule('RRULE:FREQ=DAILY', 'EXDATE;TZID=America/New_York:20261202T080000'), 'EXDATE'],
    ['an EXDATE with a TZID ends in Z', rule('RRULE:FREQ=DAILY', 'EXDATE;TZID=Europe/Berlin:20261202T080000Z'), 'EXDATE'],
    ['an EXDATE is a date only', rule('RRULE:FREQ=DAILY', 'EXDATE;VALUE=DATE:20261202'), 'EXDATE'],
    ['an EXDATE is 31 November', rule('RRULE:FREQ=DAILY', 'EXDATE:20261131T080000Z'), 'EXDATE'],
    ['an RDATE is a period', rule('RRULE:FREQ=DAILY', 'RDATE;VALUE=PERIOD:20261202T080000Z/PT1H'), 'RDATE'],
    ['an RDATE has no value', rule('RRULE:FREQ=DAILY', 'RDATE'), 'RDATE'],
    ['more than 1000 EXDATEs are listed', rule('RRULE:FREQ=DAILY', `EXDATE:${Array.from({ length: 1001 }, () => '20261202T070000Z').join(',')}`), 'EXDATE'],
  ];
  for (const [when, text, part] of wrong) {
    it(`when ${when}, then the issue names ${part}`, () => {
      const parsed = parseRecurrence(text);
      assert.ok(!parsed.ok, `expected ${JSON.stringify(text.slice(0, 200))} to be refused`);
      assert.ok(
        parsed.issues.some((i) => i.part === part && i.message.length > 0),
        JSON.stringify(parsed.issues),
      );
    });
  }

  it('when several parts are wrong, then each is reported', () => {
    const parsed = parseRecurrence(rule('RRULE:FREQ=DAILY;BYHOUR=99;BYMINUTE=61;FOO=1'));
    assert.ok(!parsed.ok);
    assert.deepEqual(
      parsed.issues.map((i) => i.part),
      ['BYHOUR', 'BYMINUTE', 'FOO'],
    );
  });
});
