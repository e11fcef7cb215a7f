import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ZoneClock } from '../src/time-zone.ts';

const HOUR = 3_600_000;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'Pacific/Apia', 'UTC'];

const formats = new Map(
  ZONES.map((zone) => [
    zone,
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }),
  ]),
);

/** Wall time minus UTC at an instant, read by formatToParts: independent of the clock's own formatting. */
function referenceOffset(zone: string, instant: number): number {
  const parts = formats.get(zone)?.formatToParts(instant) ?? [];
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - instant;
}

/** A deterministic spread of instants (a linear congruential sequence), so a failure can be replayed. */
function* instants(count: number, seed: number): Generator<number> {
  let x = seed;
  const from = Date.UTC(1970, 0, 1);
  const span = Date.UTC(2037, 0, 1) - from;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield from + Math.floor((x / 2 ** 31) * (span / 60_000)) * 60_000;
  }
}

describe('ZoneClock', () => {
  for (const zone of ZONES) {
    it(`when offsets in ${zone} are asked in any order, then they equal Intl's (the span cache never answers wrongly)`, () => {
      const clock = new ZoneClock(zone);
      // Runs of nearby instants (what a series asks) mixed with jumps (what a new window asks).
      for (const start of instants(300, zone.length)) {
        for (const step of [0, HOUR, 25 * HOUR, 49 * HOUR, -30 * HOUR]) {
          const at = start + step;
          assert.equal(clock.offsetAt(at), referenceOffset(zone, at), `${zone} at ${new Date(at).toISOString()}`);
        }
      }
    });

    it(`when a wall time in ${zone} exists exactly once, then instantOf maps it back to itself`, () => {
      const clock = new ZoneClock(zone);
      for (const wall of instants(300, 7 * zone.length)) {
        const offsets = new Set([-24 * HOUR, 0, 24 * HOUR].map((d) => referenceOffset(zone, wall + d)));
        if (offsets.size > 1) continue; // near a change: the DST tests cover those
        const instant = clock.instantOf(wall);
        assert.equal(instant + referenceOffset(zone, instant), wall, `${zone} wall ${new Date(wall).toISOString()}`);
      }
    });
  }

  it('when a whole day does not exist (Pacific/Apia skipped 30 December 2011), then its wall times take the offset before the gap', () => {
    const clock = new ZoneClock('Pacific/Apia');
    // 30 December 08:00 read at -10:00 is 18:00Z, which Apia shows as 31 December 08:00 (+14:00).
    assert.equal(new Date(clock.instantOf(Date.UTC(2011, 11, 30, 8))).toISOString(), '2011-12-30T18:00:00.000Z');
    assert.equal(new Date(clock.instantOf(Date.UTC(2011, 11, 31, 8))).toISOString(), '2011-12-30T18:00:00.000Z');
  });
});
