import rrulePackage, { type Options, type RRule as RRuleInstance } from 'rrule';
import { parseBasicDateTime, wallClockMs } from './local-date-time.ts';
import type { Recurrence } from './recurrence.ts';
import { BYDAY_ITEM, FREQS, WEEKDAYS, type Freq } from './rrule-parts.ts';

// rrule ships CommonJS for Node (its ESM build has no "exports" entry), so its classes come off the default export.
const { RRule, Weekday } = rrulePackage;

/** Where the RRULE stops, when it has an UNTIL (RFC 5545 §3.3.10: inclusive). */
export type Until =
  /** UNTIL=<UTC date-time>: an occurrence whose instant is later than this is past the end. */
  | { kind: 'instant'; at: number }
  /** UNTIL=<date>: every occurrence on that local date or before it, i.e. wall times before the next midnight. */
  | { kind: 'date'; endWall: number };

const FREQUENCY: Record<Freq, number> = {
  YEARLY: RRule.YEARLY,
  MONTHLY: RRule.MONTHLY,
  WEEKLY: RRule.WEEKLY,
  DAILY: RRule.DAILY,
  HOURLY: RRule.HOURLY,
  MINUTELY: RRule.MINUTELY,
  SECONDLY: RRule.SECONDLY,
};

/** A Recurrence is only ever built by parseRecurrence; a part it would have refused means someone built one by hand. */
function notParsed(part: string, value: string | undefined): never {
  throw new TypeError(`${part}=${value} did not come from parseRecurrence; build rules with it`);
}

export function untilOf(rule: Recurrence): Until | undefined {
  const until = rule.parts.get('UNTIL');
  if (until === undefined) return undefined;
  const local = parseBasicDateTime(until.replace(/Z$/, '')) ?? notParsed('UNTIL', until);
  if (until.endsWith('Z')) return { kind: 'instant', at: wallClockMs(local) };
  return { kind: 'date', endWall: Date.UTC(local.year, local.month - 1, local.day + 1) };
}

const numbers = (value: string | undefined) => (value === undefined ? null : value.split(',').map(Number));

function weekday(day: string | undefined): number {
  const index = WEEKDAYS.indexOf(day as (typeof WEEKDAYS)[number]);
  return index >= 0 ? index : notParsed('weekday', day);
}

function weekdays(value: string | undefined): InstanceType<typeof Weekday>[] | null {
  if (value === undefined) return null;
  return value.split(',').map((item) => {
    const [, ordinal, day] = BYDAY_ITEM.exec(item) ?? notParsed('BYDAY', item);
    return new Weekday(weekday(day), ordinal === undefined ? undefined : Number(ordinal));
  });
}

/**
 * rrule.js as a floating-time iterator: DTSTART's wall time goes in as if it were UTC and no tzid is given,
 * so every date it computes is a wall time of the series' zone, free of DST and of the process's TZ.
 * UNTIL is left out on purpose: it is an instant, and only the caller knows the instant of a wall time.
 */
function compile(rule: Recurrence): RRuleInstance {
  const p = rule.parts;
  const freq = p.get('FREQ');
  const options: Partial<Options> = {
    freq: FREQS.includes(freq as Freq) ? FREQUENCY[freq as Freq] : notParsed('FREQ', freq),
    dtstart: new Date(wallClockMs(rule.start)),
    tzid: null,
    interval: Number(p.get('INTERVAL') ?? 1),
    count: p.has('COUNT') ? Number(p.get('COUNT')) : null,
    wkst: weekday(p.get('WKST') ?? 'MO'),
    byweekday: weekdays(p.get('BYDAY')),
    bymonthday: numbers(p.get('BYMONTHDAY')),
    bymonth: numbers(p.get('BYMONTH')),
    byyearday: numbers(p.get('BYYEARDAY')),
    byweekno: numbers(p.get('BYWEEKNO')),
    byhour: numbers(p.get('BYHOUR')),
    byminute: numbers(p.get('BYMINUTE')),
    bysecond: numbers(p.get('BYSECOND')),
    bysetpos: numbers(p.get('BYSETPOS')),
  };
  // noCache: a rule is expanded over ever-new windows; rrule's per-instance cache would only grow.
  return new RRule(options, true);
}

const compiled = new WeakMap<Recurrence, RRuleInstance>();

/**
 * Calls `visit` with the wall time (ms on the floating clock) of each RRULE occurrence in order, until it
 * returns false or the rule ends (COUNT, or year 9999). Invalid dates such as 30 February are never produced,
 * so they are neither visited nor counted (RFC 5545 §3.3.10).
 */
export function eachWallTime(rule: Recurrence, visit: (wallMs: number) => boolean): void {
  let iterator = compiled.get(rule);
  if (iterator === undefined) {
    iterator = compile(rule);
    compiled.set(rule, iterator);
  }
  iterator.all((date) => visit(date.getTime()));
}
