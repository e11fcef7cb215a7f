import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inQuietHours } from '../src/domain/quiet-hours.ts';

const at = (iso: string) => new Date(iso);

describe('quiet hours', () => {
  it('when the window crosses midnight, then late evening and early morning are quiet, the day is not', () => {
    const quiet = { start: '22:00', end: '07:00' };
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T23:30:00Z')), true);
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T06:59:00Z')), true);
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T07:00:00Z')), false);
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T21:59:00Z')), false);
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T22:00:00Z')), true);
  });

  it('when the window lies within a day, then only its inside is quiet (start inclusive, end exclusive)', () => {
    const quiet = { start: '13:00', end: '15:00' };
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T13:00:00Z')), true);
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T14:59:00Z')), true);
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T15:00:00Z')), false);
    assert.equal(inQuietHours(quiet, 'UTC', at('2026-03-10T12:00:00Z')), false);
  });

  it('when the user lives in another timezone, then the window is read on their wall clock, across DST', () => {
    const quiet = { start: '22:00', end: '07:00' };
    // 21:30 UTC is 22:30 in Berlin in winter (quiet) but 23:30 in summer (also quiet); 05:30 UTC is 06:30 / 07:30.
    assert.equal(inQuietHours(quiet, 'Europe/Berlin', at('2026-01-15T21:30:00Z')), true);
    assert.equal(inQuietHours(quiet, 'Europe/Berlin', at('2026-01-15T05:30:00Z')), true);
    assert.equal(inQuietHours(quiet, 'Europe/Berlin', at('2026-07-15T05:30:00Z')), false);
    assert.equal(inQuietHours(quiet, 'America/New_York', at('2026-01-15T21:30:00Z')), false);
  });

  it('when there are no quiet hours, then nothing is quiet', () => {
    assert.equal(inQuietHours(null, 'UTC', at('2026-03-10T03:00:00Z')), false);
  });
});
