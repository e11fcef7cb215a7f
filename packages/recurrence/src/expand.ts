import { wallClockMs } from './local-date-time.ts';
import type { Recurrence } from './recurrence.ts';
import { emptinessReason } from './rule-emptiness.ts';
import { eachWallTime, untilOf } from './rule-iterator.ts';
import { MAX_ZONE_OFFSET_MS, zoneClock } from './time-zone.ts';

/** The smallest `limit` distinct instants seen so far, ascending. */
class SmallestInstants {
  readonly #limit: number;
  readonly values: number[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  get full(): boolean {
    return this.values.length >= this.#limit;
  }

  /** The largest kept instant; meaningful once full. */
  get last(): number {
    return this.values[this.values.length - 1] ?? Number.POSITIVE_INFINITY;
  }

  add(instant: number): void {
    const values = this.values;
    if (this.full && instant >= this.last) return;
    // Instants arrive nearly sorted (only a DST gap reorders them), so the insert point is almost always the end.
    let at = values.length;
    while (at > 0 && (values[at - 1] ?? 0) > instant) at--;
    if (values[at - 1] === instant) return;
    values.splice(at, 0, instant);
    if (values.length > this.#limit) values.pop();
  }
}

/** Throws RangeError unless from and to are valid Dates and limit a non-negative integer. */
export function assertWindow(from: Date, to: Date, limit: number): void {
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) throw new RangeError('from is not a valid Date');
  if (!(to instanceof Date) || Number.isNaN(to.getTime())) throw new RangeError('to is not a valid Date');
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, not ${limit}`);
}

/**
 * UTC instants of the occurrences with from <= t < to, ascending, at most `limit`. Synchronous and pure.
 *
 * The RRULE is expanded in wall-clock time of the rule's zone (so 08:00 stays 08:00 across DST), each wall time
 * is mapped to its instant (RFC 5545 §3.3.5: gap -> offset before it, overlap -> first), then EXDATEs are removed
 * (after COUNT, which counts rule occurrences) and RDATEs added; an instant appears once.
 *
 * Walks the calendar from DTSTART: a rule that never matches walks to year 9999, which can take seconds. Expand
 * user-supplied rules through RecurrenceEvaluator, which bounds the time.
 */
export function occurrencesBetween(rule: Recurrence, from: Date, to: Date, limit: number): Date[] {
  assertWindow(from, to, limit);
  const lo = from.getTime();
  const hi = to.getTime();
  if (limit === 0 || lo >= hi) return [];
  const excluded = new Set(rule.exdates.map((d) => d.getTime()));
  const picked = new SmallestInstants(limit);

  if (emptinessReason(rule) === undefined) {
    const clock = zoneClock(rule.tzid);
    const until = untilOf(rule);
    eachWallTime(rule, (wall) => {
      // Every instant lies within MAX_ZONE_OFFSET_MS of its wall time, and wall times come in order: once the
      // wall time is that far past a bound, no later occurrence can fall inside it.
      const earliestInstant = wall - MAX_ZONE_OFFSET_MS;
      if (earliestInstant >= hi) return false;
      if (picked.full && earliestInstant > picked.last) return false;
      if (until?.kind === 'instant' && earliestInstant > until.at) return false;
      if (until?.kind === 'date' && wall >= until.endWall) return false;
      if (wall + MAX_ZONE_OFFSET_MS < lo) return true;
      const instant = clock.instantOf(wall);
      if (until?.kind === 'instant' && instant > until.at) return true;
      if (instant >= lo && instant < hi && !excluded.has(instant)) picked.add(instant);
      return true;
    });
  }
  for (const rdate of rule.rdates) {
    const instant = rdate.getTime();
    if (instant >= lo && instant < hi && !excluded.has(instant)) picked.add(instant);
  }
  return picked.values.map((instant) => new Date(instant));
}

/** The instant of the series start: DTSTART mapped to UTC by the same rule as every occurrence. */
export function startInstant(rule: Recurrence): Date {
  return new Date(zoneClock(rule.tzid).instantOf(wallClockMs(rule.start)));
}
