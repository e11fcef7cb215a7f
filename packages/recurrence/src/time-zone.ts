const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * No zone in the tz database is further than this from UTC (Pacific/Kiritimati is +14, the westernmost -12),
 * so the instant of a wall time lies within this distance of the wall time read as UTC.
 */
export const MAX_ZONE_OFFSET_MS = 14 * HOUR_MS;

/** The zone's canonical spelling, or undefined when the runtime's zone database does not know it. */
export function canonicalZone(zone: string): string | undefined {
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * Maps wall times of one zone to instants. Asking Intl for an offset costs microseconds, and a series asks
 * thousands of times, so the clock remembers one span of instants known to share an offset.
 */
export class ZoneClock {
  readonly #format: Intl.DateTimeFormat;
  #span = { from: Number.NaN, to: Number.NaN, offset: 0 };

  constructor(zone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Wall time minus UTC at `instant`, in milliseconds. */
  offsetAt(instant: number): number {
    const span = this.#span;
    if (instant >= span.from && instant <= span.to) return span.offset;
    const offset = this.#exactOffset(instant);
    // Two instants at most two days apart with the same offset are taken to have no change between them:
    // the same assumption as the two-day look-around in instantOf (no zone changes its offset twice in 48 hours).
    if (offset === span.offset && instant > span.to && instant - span.to <= 2 * DAY_MS) span.to = instant;
    else if (offset === span.offset && instant < span.from && span.from - instant <= 2 * DAY_MS) span.from = instant;
    else this.#span = { from: instant, to: instant, offset };
    return offset;
  }

  /**
   * The instant of a wall time, per RFC 5545 §3.3.5 (which §3.3.10 applies to computed recurrence instances):
   * a wall time that occurs twice (the clock falls back) is its first occurrence; one that does not occur (the
   * clock springs forward) is read with the offset before the gap, so 02:30 in a 02:00->03:00 gap is 03:30.
   */
  instantOf(wallMs: number): number {
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    if (before === after) return wallMs - before;
    const withBefore = wallMs - before;
    const withAfter = wallMs - after;
    const beforeFits = this.offsetAt(withBefore) === before;
    const afterFits = this.offsetAt(withAfter) === after;
    if (beforeFits && afterFits) return Math.min(withBefore, withAfter);
    if (afterFits) return withAfter;
    return withBefore;
  }

  #exactOffset(instant: number): number {
    const whole = Math.floor(instant / 1000) * 1000;
    // format() and a regular expression are three times faster than formatToParts(); the parts are the fallback
    // should an ICU version ever punctuate "M/D/YYYY, HH:MM:SS" differently.
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{2}):(\d{2}):(\d{2})$/.exec(this.#format.format(whole));
    const fields = m
      ? { year: Number(m[3]), month: Number(m[1]), day: Number(m[2]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]) }
      : this.#fieldsFromParts(whole);
    // Series live in years 1900..9999 (DTSTART is checked), so Date.UTC's two-digit-year quirk cannot bite.
    return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second) - whole;
  }

  #fieldsFromParts(instant: number) {
    const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.#format.formatToParts(instant)) {
      if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
    }
    return fields;
  }
}

const clocks = new Map<string, ZoneClock>();

/** One clock per zone for the life of the process; zones are few and a clock is small. */
export function zoneClock(zone: string): ZoneClock {
  let clock = clocks.get(zone);
  if (clock === undefined) {
    clock = new ZoneClock(zone);
    clocks.set(zone, clock);
  }
  return clock;
}
