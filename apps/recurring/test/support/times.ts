import { DateTime } from 'luxon';

export const BERLIN = 'Europe/Berlin';

/** A wall-clock time in `zone` as RFC 5545 basic format (DTSTART;TZID=...:<this>). */
export function basic(local: DateTime): string {
  return local.toFormat("yyyyMMdd'T'HHmmss");
}

/** "DTSTART;TZID=<zone>:<start>\nRRULE:<rrule>" */
export function rule(start: DateTime, rrule: string): string {
  return `DTSTART;TZID=${start.zoneName ?? BERLIN}:${basic(start)}\nRRULE:${rrule}`;
}

/** Tomorrow at `hour`:00 local time in `zone`, seen from `now`. */
export function tomorrowAt(now: Date, hour: number, zone = BERLIN): DateTime {
  return DateTime.fromJSDate(now, { zone }).plus({ days: 1 }).set({ hour, minute: 0, second: 0, millisecond: 0 });
}

/** The instants of a daily `hour`:00 local time in `zone` that fall in [from, to), computed independently of the app. */
export function dailyInstants(from: Date, to: Date, hour: number, zone = BERLIN): string[] {
  const out: string[] = [];
  let day = DateTime.fromJSDate(from, { zone }).startOf('day').minus({ days: 1 });
  while (day.toJSDate() < to) {
    const at = day.set({ hour, minute: 0, second: 0, millisecond: 0 }).toJSDate();
    if (at >= from && at < to) out.push(at.toISOString());
    day = day.plus({ days: 1 });
  }
  return out;
}

/** The last Sunday of `month` in `year`: the day Europe switches DST (March forward, October back). */
export function lastSunday(year: number, month: number, zone = BERLIN): DateTime {
  const end = DateTime.fromObject({ year, month, day: 1 }, { zone }).endOf('month').startOf('day');
  return end.minus({ days: end.weekday % 7 });
}

export const DAY_MS = 24 * 60 * 60 * 1000;
