import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { occurrencesBetween, startInstant } from '../src/index.ts';
import { iso, rule } from './support/expect.ts';

const EVER = [new Date('1900-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z')] as const;
const all = (text: string, limit = 1000) => iso(occurrencesBetween(rule(text), EVER[0], EVER[1], limit));

/** The wall time of an instant in a zone, read by Intl: a check that does not go through the code under test. */
function wallTime(instant: string, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(new Date(instant));
}

// Europe/Berlin in 2026: clocks go 02:00 CET -> 03:00 CEST on 29 March (01:00Z) and 03:00 CEST -> 02:00 CET on 25 October (01:00Z).
describe('TZID: wall-clock time across DST changes', () => {
  it('when a task is due daily at 08:00 Europe/Berlin across the March change, then it stays at 08:00 local (07:00Z, then 06:00Z)', () => {
    assert.deepEqual(all('DTSTART;TZID=Europe/Berlin:20260327T080000\nRRULE:FREQ=DAILY;COUNT=5'), [
      '2026-03-27T07:00:00.000Z',
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
      '2026-03-31T06:00:00.000Z',
    ]);
  });

  it('when a task is due daily at 08:00 Europe/Berlin across the October change, then it stays at 08:00 local (06:00Z, then 07:00Z)', () => {
    assert.deepEqual(all('DTSTART;TZID=Europe/Berlin:20261023T080000\nRRULE:FREQ=DAILY;COUNT=5'), [
      '2026-10-23T06:00:00.000Z',
      '2026-10-24T06:00:00.000Z',
      '2026-10-25T07:00:00.000Z',
      '2026-10-26T07:00:00.000Z',
      '2026-10-27T07:00:00.000Z',
    ]);
  });

  it('when a daily 08:00 Europe/Berlin series runs a whole year, then every occurrence reads 08:00 in Berlin and the UTC hour changes exactly twice', () => {
    const instants = all('DTSTART;TZID=Europe/Berlin:20260101T080000\nRRULE:FREQ=DAILY;UNTIL=20261231T235959Z');
    assert.equal(instants.length, 365);
    assert.deepEqual(new Set(instants.map((i) => wallTime(i, 'Europe/Berlin'))), new Set(['08:00']));
    const utcHours = instants.map((i) => new Date(i).getUTCHours());
    assert.equal(utcHours.filter((h, n) => n > 0 && h !== utcHours[n - 1]).length, 2);
  });

  it('when a daily 02:30 Europe/Berlin falls into the spring-forward gap, then that day it is 03:30 CEST (offset before the gap) and is still counted', () => {
    const instants = all('DTSTART;TZID=Europe/Berlin:20260328T023000\nRRULE:FREQ=DAILY;COUNT=3');
    assert.deepEqual(instants, ['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    assert.deepEqual(instants.map((i) => wallTime(i, 'Europe/Berlin')), ['02:30', '03:30', '02:30']);
  });

  it('when a daily 02:30 Europe/Berlin occurs twice on the fall-back night, then the first of the two (02:30 CEST) is taken', () => {
    const instants = all('DTSTART;TZID=Europe/Berlin:20261024T023000\nRRULE:FREQ=DAILY;COUNT=3');
    assert.deepEqual(instants, ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('when DTSTART itself is in the gap, then the series starts at 03:30 CEST', () => {
    assert.equal(startInstant(rule('DTSTART;TZID=Europe/Berlin:20260329T023000\nRRULE:FREQ=DAILY')).toISOString(), '2026-03-29T01:30:00.000Z');
  });

  it('when the gap is 30 minutes (Australia/Lord_Howe), then a wall time in it moves by 30 minutes', () => {
    // 4 October 2026: 02:00 +10:30 -> 02:30 +11:00; 02:15 that night is read with +10:30.
    assert.deepEqual(all('DTSTART;TZID=Australia/Lord_Howe:20261003T021500\nRRULE:FREQ=DAILY;COUNT=3'), [
      '2026-10-02T15:45:00.000Z',
      '2026-10-03T15:45:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
  });

  it('when an HOURLY rule crosses the gap, then the nonexistent 02:00 and the real 03:00 are one instant and appear once', () => {
    assert.deepEqual(all('DTSTART;TZID=Europe/Berlin:20260329T000000\nRRULE:FREQ=HOURLY;COUNT=5'), [
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ]);
  });
});

describe('TZID: America/New_York', () => {
  it('when a time is in the March 2007 gap, then it is read with the offset before it (RFC 5545 §3.3.5: 02:30 -> 3:30 EDT)', () => {
    assert.equal(startInstant(rule('DTSTART;TZID=America/New_York:20070311T023000\nRRULE:FREQ=DAILY')).toISOString(), '2007-03-11T07:30:00.000Z');
  });

  it('when a time occurs twice in November 2007, then it is the first (RFC 5545 §3.3.5: 01:30 -> 1:30 EDT)', () => {
    assert.equal(startInstant(rule('DTSTART;TZID=America/New_York:20071104T013000\nRRULE:FREQ=DAILY')).toISOString(), '2007-11-04T05:30:00.000Z');
    assert.deepEqual(all('DTSTART;TZID=America/New_York:20071103T013000\nRRULE:FREQ=DAILY;COUNT=3'), [
      '2007-11-03T05:30:00.000Z',
      '2007-11-04T05:30:00.000Z',
      '2007-11-05T06:30:00.000Z',
    ]);
  });

  it('when a weekly Monday 09:00 series crosses both 2026 changes, then it stays at 09:00 local', () => {
    const instants = all('DTSTART;TZID=America/New_York:20260302T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261110T000000Z');
    assert.equal(instants[0], '2026-03-02T14:00:00.000Z');
    assert.equal(instants[1], '2026-03-09T13:00:00.000Z');
    assert.ok(instants.includes('2026-10-26T13:00:00.000Z') && instants.includes('2026-11-02T14:00:00.000Z'));
    assert.deepEqual(new Set(instants.map((i) => wallTime(i, 'America/New_York'))), new Set(['09:00']));
  });
});

describe('TZID: independent of the process time zone', () => {
  it('when the same rule is expanded in a process running with TZ=Pacific/Chatham, then the instants are the same', () => {
    const text = 'DTSTART;TZID=Europe/Berlin:20260327T023000\nRRULE:FREQ=DAILY;COUNT=4';
    const script = `import { parseRecurrence, occurrencesBetween } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};
      const parsed = parseRecurrence(${JSON.stringify(text)});
      if (parsed.ok) console.log(JSON.stringify(occurrencesBetween(parsed.rule, new Date(0), new Date(4e12), 10)));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      env: { ...process.env, TZ: 'Pacific/Chatham' },
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), all(text));
  });
});
