import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { occurrencesBetween } from '../src/index.ts';
import { at, days, edt, est, iso, rule } from './support/expect.ts';

/**
 * The examples of RFC 5545 §3.8.5.3 ("All examples assume the Eastern United States time zone"), with the
 * dates the RFC gives (and its verified errata). A finite rule must yield exactly these; for a "forever" rule, these are its first ones.
 */
interface Example {
  title: string;
  lines: string;
  expected: string[];
  forever?: boolean;
}

const NY = 'DTSTART;TZID=America/New_York:';
const EVER = [new Date('1900-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z')] as const;

const examples: Example[] = [
  { title: 'Daily for 10 occurrences', lines: `${NY}19970902T090000\nRRULE:FREQ=DAILY;COUNT=10`, expected: edt(days(1997, 9, [2, 11])) },
  {
    title: 'Daily until December 24, 1997',
    lines: `${NY}19970902T090000\nRRULE:FREQ=DAILY;UNTIL=19971224T000000Z`,
    expected: [...edt(days(1997, 9, [2, 30]), days(1997, 10, [1, 25])), ...est(days(1997, 10, [26, 31]), days(1997, 11, [1, 30]), days(1997, 12, [1, 23]))],
  },
  {
    title: 'Every other day - forever',
    lines: `${NY}19970902T090000\nRRULE:FREQ=DAILY;INTERVAL=2`,
    expected: [
      ...edt(days(1997, 9, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), days(1997, 10, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24)),
      ...est(days(1997, 10, 26, 28, 30), days(1997, 11, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29), days(1997, 12, 1, 3)),
    ],
    forever: true,
  },
  { title: 'Every 10 days, 5 occurrences', lines: `${NY}19970902T090000\nRRULE:FREQ=DAILY;INTERVAL=10;COUNT=5`, expected: edt(days(1997, 9, 2, 12, 22), days(1997, 10, 2, 12)) },
  {
    title: 'Every day in January, for 3 years (yearly form)',
    lines: `${NY}19980101T090000\nRRULE:FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA`,
    expected: est(days(1998, 1, [1, 31]), days(1999, 1, [1, 31]), days(2000, 1, [1, 31])),
  },
  {
    title: 'Every day in January, for 3 years (daily form)',
    lines: `${NY}19980101T090000\nRRULE:FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1`,
    expected: est(days(1998, 1, [1, 31]), days(1999, 1, [1, 31]), days(2000, 1, [1, 31])),
  },
  {
    title: 'Weekly for 10 occurrences',
    lines: `${NY}19970902T090000\nRRULE:FREQ=WEEKLY;COUNT=10`,
    expected: [...edt(days(1997, 9, 2, 9, 16, 23, 30), days(1997, 10, 7, 14, 21)), ...est(days(1997, 10, 28), days(1997, 11, 4))],
  },
  {
    title: 'Weekly until December 24, 1997',
    lines: `${NY}19970902T090000\nRRULE:FREQ=WEEKLY;UNTIL=19971224T000000Z`,
    expected: [...edt(days(1997, 9, 2, 9, 16, 23, 30), days(1997, 10, 7, 14, 21)), ...est(days(1997, 10, 28), days(1997, 11, 4, 11, 18, 25), days(1997, 12, 2, 9, 16, 23))],
  },
  {
    title: 'Every other week - forever',
    lines: `${NY}19970902T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU`,
    expected: [...edt(days(1997, 9, 2, 16, 30), days(1997, 10, 14)), ...est(days(1997, 10, 28), days(1997, 11, 11, 25), days(1997, 12, 9, 23), days(1998, 1, 6, 20), days(1998, 2, 3, 17))],
    forever: true,
  },
  {
    title: 'Weekly on Tuesday and Thursday for five weeks (UNTIL)',
    lines: `${NY}19970902T090000\nRRULE:FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH`,
    expected: edt(days(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30), days(1997, 10, 2)),
  },
  {
    title: 'Weekly on Tuesday and Thursday for five weeks (COUNT)',
    lines: `${NY}19970902T090000\nRRULE:FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH`,
    expected: edt(days(1997, 9, 2, 4, 9, 11, 16, 18, 23, 25, 30), days(1997, 10, 2)),
  },
  {
    title: 'Every other week on Monday, Wednesday, and Friday until December 24, 1997',
    lines: `${NY}19970901T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR`,
    expected: [
      ...edt(days(1997, 9, 1, 3, 5, 15, 17, 19, 29), days(1997, 10, 1, 3, 13, 15, 17)),
      ...est(days(1997, 10, 27, 29, 31), days(1997, 11, 10, 12, 14, 24, 26, 28), days(1997, 12, 8, 10, 12, 22)),
    ],
  },
  {
    title: 'Every other week on Tuesday and Thursday, for 8 occurrences',
    lines: `${NY}19970902T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH`,
    expected: edt(days(1997, 9, 2, 4, 16, 18, 30), days(1997, 10, 2, 14, 16)),
  },
  {
    title: 'Monthly on the first Friday for 10 occurrences',
    lines: `${NY}19970905T090000\nRRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR`,
    expected: [
      ...edt(days(1997, 9, 5), days(1997, 10, 3)),
      ...est(days(1997, 11, 7), days(1997, 12, 5), days(1998, 1, 2), days(1998, 2, 6), days(1998, 3, 6), days(1998, 4, 3)),
      ...edt(days(1998, 5, 1), days(1998, 6, 5)),
    ],
  },
  {
    title: 'Monthly on the first Friday until December 24, 1997',
    lines: `${NY}19970905T090000\nRRULE:FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR`,
    expected: [...edt(days(1997, 9, 5), days(1997, 10, 3)), ...est(days(1997, 11, 7), days(1997, 12, 5))],
  },
  {
    title: 'Every other month on the first and last Sunday of the month for 10 occurrences',
    lines: `${NY}19970907T090000\nRRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU`,
    expected: [...edt(days(1997, 9, 7, 28)), ...est(days(1997, 11, 2, 30), days(1998, 1, 4, 25), days(1998, 3, 1, 29)), ...edt(days(1998, 5, 3, 31))],
  },
  {
    title: 'Monthly on the second-to-last Monday of the month for 6 months',
    lines: `${NY}19970922T090000\nRRULE:FREQ=MONTHLY;COUNT=6;BYDAY=-2MO`,
    expected: [...edt(days(1997, 9, 22), days(1997, 10, 20)), ...est(days(1997, 11, 17), days(1997, 12, 22), days(1998, 1, 19), days(1998, 2, 16))],
  },
  {
    title: 'Monthly on the third-to-the-last day of the month, forever',
    lines: `${NY}19970928T090000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-3`,
    expected: [...edt(days(1997, 9, 28)), ...est(days(1997, 10, 29), days(1997, 11, 28), days(1997, 12, 29), days(1998, 1, 29), days(1998, 2, 26))],
    forever: true,
  },
  {
    title: 'Monthly on the 2nd and 15th of the month for 10 occurrences',
    lines: `${NY}19970902T090000\nRRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15`,
    expected: [...edt(days(1997, 9, 2, 15), days(1997, 10, 2, 15)), ...est(days(1997, 11, 2, 15), days(1997, 12, 2, 15), days(1998, 1, 2, 15))],
  },
  {
    title: 'Monthly on the first and last day of the month for 10 occurrences',
    lines: `${NY}19970930T090000\nRRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1`,
    expected: [...edt(days(1997, 9, 30), days(1997, 10, 1)), ...est(days(1997, 10, 31), days(1997, 11, 1, 30), days(1997, 12, 1, 31), days(1998, 1, 1, 31), days(1998, 2, 1))],
  },
  {
    title: 'Every 18 months on the 10th thru 15th of the month for 10 occurrences',
    lines: `${NY}19970910T090000\nRRULE:FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15`,
    expected: [...edt(days(1997, 9, [10, 15])), ...est(days(1999, 3, [10, 13]))],
  },
  {
    title: 'Every Tuesday, every other month',
    lines: `${NY}19970902T090000\nRRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=TU`,
    expected: [...edt(days(1997, 9, 2, 9, 16, 23, 30)), ...est(days(1997, 11, 4, 11, 18, 25), days(1998, 1, 6, 13, 20, 27), days(1998, 3, 3, 10, 17, 24, 31))],
    forever: true,
  },
  {
    title: 'Yearly in June and July for 10 occurrences',
    lines: `${NY}19970610T090000\nRRULE:FREQ=YEARLY;COUNT=10;BYMONTH=6,7`,
    expected: edt(...[1997, 1998, 1999, 2000, 2001].flatMap((y) => [days(y, 6, 10), days(y, 7, 10)])),
  },
  {
    title: 'Every other year on January, February, and March for 10 occurrences',
    lines: `${NY}19970310T090000\nRRULE:FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3`,
    expected: est(days(1997, 3, 10), ...[1999, 2001, 2003].flatMap((y) => [days(y, 1, 10), days(y, 2, 10), days(y, 3, 10)])),
  },
  {
    title: 'Every third year on the 1st, 100th, and 200th day for 10 occurrences',
    lines: `${NY}19970101T090000\nRRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200`,
    expected: [
      ...est(days(1997, 1, 1)),
      ...edt(days(1997, 4, 10), days(1997, 7, 19)),
      ...est(days(2000, 1, 1)),
      ...edt(days(2000, 4, 9), days(2000, 7, 18)),
      ...est(days(2003, 1, 1)),
      ...edt(days(2003, 4, 10), days(2003, 7, 19)),
      ...est(days(2006, 1, 1)),
    ],
  },
  {
    title: 'Every 20th Monday of the year, forever',
    lines: `${NY}19970519T090000\nRRULE:FREQ=YEARLY;BYDAY=20MO`,
    expected: edt(days(1997, 5, 19), days(1998, 5, 18), days(1999, 5, 17)),
    forever: true,
  },
  {
    title: 'Monday of week number 20 (where the default start of the week is Monday), forever',
    lines: `${NY}19970512T090000\nRRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO`,
    expected: edt(days(1997, 5, 12), days(1998, 5, 11), days(1999, 5, 17)),
    forever: true,
  },
  {
    title: 'Every Thursday in March, forever',
    lines: `${NY}19970313T090000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=TH`,
    expected: est(days(1997, 3, 13, 20, 27), days(1998, 3, 5, 12, 19, 26), days(1999, 3, 4, 11, 18, 25)),
    forever: true,
  },
  {
    title: 'Every Thursday, but only during June, July, and August, forever',
    lines: `${NY}19970605T090000\nRRULE:FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8`,
    expected: edt(
      days(1997, 6, 5, 12, 19, 26),
      days(1997, 7, 3, 10, 17, 24, 31),
      days(1997, 8, 7, 14, 21, 28),
      days(1998, 6, 4, 11, 18, 25),
      days(1998, 7, 2, 9, 16, 23, 30),
      days(1998, 8, 6, 13, 20, 27),
      days(1999, 6, 3, 10, 17, 24),
      days(1999, 7, 1, 8, 15, 22, 29),
      days(1999, 8, 5, 12, 19, 26),
    ),
    forever: true,
  },
  {
    title: 'Every Friday the 13th, forever (EXDATE of the start)',
    lines: `${NY}19970902T090000\nEXDATE;TZID=America/New_York:19970902T090000\nRRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13`,
    expected: [...est(days(1998, 2, 13), days(1998, 3, 13), days(1998, 11, 13)), ...edt(days(1999, 8, 13), days(2000, 10, 13))],
    forever: true,
  },
  {
    title: 'The first Saturday that follows the first Sunday of the month, forever',
    lines: `${NY}19970913T090000\nRRULE:FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13`,
    expected: [
      ...edt(days(1997, 9, 13), days(1997, 10, 11)),
      ...est(days(1997, 11, 8), days(1997, 12, 13), days(1998, 1, 10), days(1998, 2, 7), days(1998, 3, 7)),
      ...edt(days(1998, 4, 11), days(1998, 5, 9), days(1998, 6, 13)),
    ],
    forever: true,
  },
  {
    title: 'Every 4 years, the first Tuesday after a Monday in November, forever (U.S. Presidential Election day)',
    lines: `${NY}19961105T090000\nRRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8`,
    expected: est(days(1996, 11, 5), days(2000, 11, 7), days(2004, 11, 2)),
    forever: true,
  },
  {
    title: 'The third instance into the month of one of Tuesday, Wednesday, or Thursday, for the next 3 months',
    lines: `${NY}19970904T090000\nRRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3`,
    expected: [...edt(days(1997, 9, 4), days(1997, 10, 7)), ...est(days(1997, 11, 6))],
  },
  {
    title: 'The second-to-last weekday of the month',
    lines: `${NY}19970929T090000\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2`,
    expected: [...edt(days(1997, 9, 29)), ...est(days(1997, 10, 30), days(1997, 11, 27), days(1997, 12, 30), days(1998, 1, 29), days(1998, 2, 26), days(1998, 3, 30))],
    forever: true,
  },
  {
    // As corrected by verified erratum EID 3883: the printed UNTIL=19970902T170000Z is 13:00 EDT, which
    // contradicts the printed 15:00; 5:00 PM EDT is 21:00Z.
    title: 'Every 3 hours from 9:00 AM to 5:00 PM on a specific day',
    lines: `${NY}19970902T090000\nRRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T210000Z`,
    expected: ['09:00', '12:00', '15:00'].flatMap((t) => at('-04:00', `${t}:00`, ['1997-09-02'])),
  },
  {
    title: 'Every 3 hours until the UNTIL printed before erratum EID 3883 (17:00Z, i.e. 13:00 EDT)',
    lines: `${NY}19970902T090000\nRRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z`,
    expected: ['09:00', '12:00'].flatMap((t) => at('-04:00', `${t}:00`, ['1997-09-02'])),
  },
  {
    title: 'Every 15 minutes for 6 occurrences',
    lines: `${NY}19970902T090000\nRRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=6`,
    expected: ['09:00', '09:15', '09:30', '09:45', '10:00', '10:15'].flatMap((t) => at('-04:00', `${t}:00`, ['1997-09-02'])),
  },
  {
    title: 'Every hour and a half for 4 occurrences',
    lines: `${NY}19970902T090000\nRRULE:FREQ=MINUTELY;INTERVAL=90;COUNT=4`,
    expected: ['09:00', '10:30', '12:00', '13:30'].flatMap((t) => at('-04:00', `${t}:00`, ['1997-09-02'])),
  },
  ...['FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40', 'FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16'].map((rrule) => ({
    title: `Every 20 minutes from 9:00 AM to 4:40 PM every day (${rrule.split(';')[0]})`,
    lines: `${NY}19970902T090000\nRRULE:${rrule}`,
    expected: ['1997-09-02', '1997-09-03'].flatMap((day) =>
      [9, 10, 11, 12, 13, 14, 15, 16].flatMap((h) => [0, 20, 40].flatMap((m) => at('-04:00', `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`, [day]))),
    ),
    forever: true,
  })),
  {
    title: 'An example where the days generated makes a difference because of WKST (WKST=MO)',
    lines: `${NY}19970805T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO`,
    expected: edt(days(1997, 8, 5, 10, 19, 24)),
  },
  {
    title: 'An example where the days generated makes a difference because of WKST (WKST=SU)',
    lines: `${NY}19970805T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU`,
    expected: edt(days(1997, 8, 5, 17, 19, 31)),
  },
  {
    title: 'An example where an invalid date (i.e., February 30) is ignored',
    lines: `${NY}20070115T090000\nRRULE:FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5`,
    expected: [...est(days(2007, 1, 15, 30), days(2007, 2, 15)), ...edt(days(2007, 3, 15, 30))],
  },
];

describe('RFC 5545 §3.8.5.3 examples', () => {
  for (const example of examples) {
    it(`when "${example.title}" is expanded, then it yields the RFC's dates`, () => {
      // One more than expected is asked for: a finite rule must not yield anything beyond the RFC's list.
      const limit = example.forever ? example.expected.length : example.expected.length + 1;
      assert.deepEqual(iso(occurrencesBetween(rule(example.lines), EVER[0], EVER[1], limit)), example.expected);
    });
  }
});
