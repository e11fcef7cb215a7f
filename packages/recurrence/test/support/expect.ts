import { parseRecurrence, type Recurrence } from '../../src/index.ts';

/** Parses a rule that the test knows to be valid. */
export function rule(text: string): Recurrence {
  const parsed = parseRecurrence(text);
  if (!parsed.ok) throw new Error(`test rule refused: ${JSON.stringify(parsed.issues)}`);
  return parsed.rule;
}

/**
 * Days of one month as YYYY-MM-DD, written the way RFC 5545 lists them: single days and [first, last] ranges,
 * e.g. days(1997, 9, [2, 30]) or days(1997, 10, 2, 4, 6).
 */
export function days(year: number, month: number, ...items: Array<number | [number, number]>): string[] {
  const out: string[] = [];
  for (const item of items) {
    const [first, last] = typeof item === 'number' ? [item, item] : item;
    for (let day = first; day <= last; day++) out.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  }
  return out;
}

/**
 * ISO instants of `time` on each day at a fixed UTC offset. The expectations are written from the RFC's own
 * "(1997 9:00 AM EDT)" labels, so they do not depend on the zone code under test.
 */
export function at(offset: string, time: string, dates: string[]): string[] {
  return dates.map((d) => new Date(`${d}T${time}${offset}`).toISOString());
}

/** 9:00 AM Eastern Daylight Time (UTC-4) and Eastern Standard Time (UTC-5), the RFC examples' clock. */
export const edt = (...dates: string[][]) => at('-04:00', '09:00:00', dates.flat());
export const est = (...dates: string[][]) => at('-05:00', '09:00:00', dates.flat());

export const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
