import { parseBasicDateTime } from './local-date-time.ts';
import type { RecurrenceIssue } from './recurrence.ts';

/**
 * The RRULE line, checked part by part (RFC 5545 §3.3.10). rrule.js accepts many invalid rules silently
 * (BYHOUR=99 just yields odd dates) and words its errors poorly, so the grammar is checked here, before it.
 */

export const FREQS = ['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
export type Freq = (typeof FREQS)[number];

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const WEEKDAY = `(${WEEKDAYS.join('|')})`;
export const BYDAY_ITEM = new RegExp(`^([+-]?\\d{1,2})?${WEEKDAY}$`);

type PartCheck = (value: string) => string | undefined;

function intList(min: number, max: number, nonZero = false, note = ''): PartCheck {
  return (value) => {
    for (const item of value.split(',')) {
      if (!/^[+-]?\d{1,4}$/.test(item)) return `"${item}" is not an integer`;
      const n = Number(item);
      if (n < min || n > max || (nonZero && n === 0)) return `${item} is out of range ${min}..${max}${nonZero ? ' (not 0)' : ''}${note}`;
    }
    return undefined;
  };
}

const PART_CHECKS: Record<string, PartCheck> = {
  FREQ: (v) => ((FREQS as readonly string[]).includes(v) ? undefined : `"${v}" is not one of ${FREQS.join(', ')}`),
  INTERVAL: (v) => (/^\d{1,5}$/.test(v) && Number(v) >= 1 ? undefined : `"${v}" is not a positive integer (at most 99999)`),
  COUNT: (v) => (/^\d{1,6}$/.test(v) ? undefined : `"${v}" is not a non-negative integer (at most 999999)`),
  UNTIL: (v) => {
    // RFC 5545 §3.3.10: with a TZID start, UNTIL is a UTC date-time; a plain date is accepted too (see README).
    const m = /^(\d{8})(T\d{6}Z)?$/.exec(v);
    if (!m || parseBasicDateTime(v.replace(/Z$/, '')) === undefined) return `"${v}" is not YYYYMMDD or a UTC date-time YYYYMMDDTHHMMSSZ`;
    return undefined;
  },
  // RFC 5545 allows 60 for a leap second, which no zone's wall clock ever shows.
  BYSECOND: intList(0, 59, false, ' (a leap second 60 never occurs on a zone clock)'),
  BYMINUTE: intList(0, 59),
  BYHOUR: intList(0, 23),
  BYMONTHDAY: intList(-31, 31, true),
  BYYEARDAY: intList(-366, 366, true),
  BYWEEKNO: intList(-53, 53, true),
  BYMONTH: intList(1, 12),
  BYSETPOS: intList(-366, 366, true),
  BYDAY: (v) => {
    for (const item of v.split(',')) {
      const m = BYDAY_ITEM.exec(item);
      if (!m) return `"${item}" is not a weekday such as MO or 1MO / -1FR`;
      const n = m[1] === undefined ? undefined : Number(m[1]);
      if (n !== undefined && (n === 0 || Math.abs(n) > 53)) return `${item}: the ordinal must be 1..53 or -53..-1`;
    }
    return undefined;
  },
  WKST: (v) => (new RegExp(`^${WEEKDAY}$`).test(v) ? undefined : `"${v}" is not a weekday (MO..SU)`),
};

/** RFC 5545 §3.3.10 combinations that are errors rather than rules that merely never match. */
function combinationIssues(parts: Map<string, string>): RecurrenceIssue[] {
  const issues: RecurrenceIssue[] = [];
  const freq = parts.get('FREQ');
  if (parts.has('COUNT') && parts.has('UNTIL')) issues.push({ part: 'RRULE', message: 'COUNT and UNTIL must not both be given' });
  if (parts.has('BYWEEKNO') && freq !== 'YEARLY') issues.push({ part: 'BYWEEKNO', message: 'is only valid with FREQ=YEARLY' });
  if (parts.has('BYYEARDAY') && (freq === 'DAILY' || freq === 'WEEKLY' || freq === 'MONTHLY')) {
    issues.push({ part: 'BYYEARDAY', message: `is not valid with FREQ=${freq}` });
  }
  if (parts.has('BYMONTHDAY') && freq === 'WEEKLY') issues.push({ part: 'BYMONTHDAY', message: 'is not valid with FREQ=WEEKLY' });
  const byday = parts.get('BYDAY');
  if (byday !== undefined && /\d/.test(byday) && freq !== 'MONTHLY' && freq !== 'YEARLY') {
    issues.push({ part: 'BYDAY', message: 'ordinal weekdays (e.g. 1MO) need FREQ=MONTHLY or FREQ=YEARLY' });
  }
  if (byday !== undefined && /\d/.test(byday) && freq === 'YEARLY' && parts.has('BYWEEKNO')) {
    issues.push({ part: 'BYDAY', message: 'ordinal weekdays (e.g. 1MO) must not be combined with BYWEEKNO' });
  }
  if (parts.has('BYSETPOS') && ![...parts.keys()].some((k) => k.startsWith('BY') && k !== 'BYSETPOS')) {
    issues.push({ part: 'BYSETPOS', message: 'needs another BYxxx part to select from' });
  }
  return issues;
}

/** The parts of "RRULE:<parts>", or undefined with the issues added when any part is wrong. */
export function parseRruleLine(line: string, issues: RecurrenceIssue[]): Map<string, string> | undefined {
  const before = issues.length;
  if (!line.startsWith('RRULE:')) {
    issues.push({ part: 'RRULE', message: 'takes no parameters: write "RRULE:<parts>", e.g. RRULE:FREQ=DAILY' });
    return undefined;
  }
  const body = line.slice('RRULE:'.length).trim();
  const parts = new Map<string, string>();
  for (const part of body.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toUpperCase();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim().toUpperCase();
    const check = PART_CHECKS[name];
    if (check === undefined) {
      issues.push({ part: name || 'RRULE', message: `unknown RRULE part "${name}"` });
      continue;
    }
    if (parts.has(name)) {
      issues.push({ part: name, message: 'is given more than once' });
      continue;
    }
    if (value === '') {
      issues.push({ part: name, message: 'has no value' });
      continue;
    }
    const problem = check(value);
    if (problem !== undefined) issues.push({ part: name, message: problem });
    parts.set(name, value);
  }
  if (!parts.has('FREQ')) issues.push({ part: 'FREQ', message: 'is required, e.g. FREQ=DAILY' });
  if (issues.length === before) issues.push(...combinationIssues(parts));
  return issues.length === before ? parts : undefined;
}
