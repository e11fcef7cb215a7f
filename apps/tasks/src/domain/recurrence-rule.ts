/**
 * Reads a task's recurrence (RFC 5545: a DTSTART line with TZID and one RRULE line) part by part, so a bad
 * rule is refused with the part that is wrong. The rrule library accepts many invalid rules silently
 * (BYHOUR=99 just yields odd dates) and words its errors poorly, so the grammar is checked here first.
 */

export interface RecurrenceIssue {
  /** The part that is wrong: "DTSTART", "RRULE", "BYHOUR", ... */
  part: string;
  message: string;
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface RecurrenceRule {
  /** Canonical text: "DTSTART;TZID=<zone>:<local>\nRRULE:<parts>", what is stored and handed to rrule. */
  text: string;
  tzid: string;
  start: LocalDateTime;
  /** RRULE parts in the order given, names upper-cased. */
  parts: Map<string, string>;
}

export type ParsedRecurrence = { ok: true; rule: RecurrenceRule } | { ok: false; issues: RecurrenceIssue[] };

const FREQS = ['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
const WEEKDAY = '(MO|TU|WE|TH|FR|SA|SU)';
const EXAMPLE = 'DTSTART;TZID=Europe/Berlin:20261201T080000\\nRRULE:FREQ=DAILY;COUNT=10';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** YYYYMMDD or YYYYMMDDTHHMMSS with real calendar values; undefined when it is not one. */
export function parseBasicDateTime(text: string): LocalDateTime | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { year, month, day, hour, minute, second };
}

/** The zone's canonical spelling, or undefined when the runtime's zone database does not know it. */
export function canonicalZone(zone: string): string | undefined {
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function parseDtstart(line: string, issues: RecurrenceIssue[]): { tzid: string; start: LocalDateTime; value: string } | undefined {
  const colon = line.indexOf(':');
  if (colon < 0) {
    issues.push({ part: 'DTSTART', message: `expected "DTSTART;TZID=<zone>:<YYYYMMDDTHHMMSS>", e.g. ${EXAMPLE}` });
    return undefined;
  }
  const params = line.slice('DTSTART'.length, colon).split(';').slice(1);
  const value = line.slice(colon + 1).trim();
  let tzid: string | undefined;
  for (const param of params) {
    const [name = '', paramValue = ''] = param.split('=', 2);
    switch (name.toUpperCase()) {
      case 'TZID':
        tzid = canonicalZone(paramValue);
        if (tzid === undefined) {
          issues.push({ part: 'DTSTART', message: `TZID "${paramValue}" is not a known IANA time zone such as "Europe/Berlin"` });
          return undefined;
        }
        break;
      case 'VALUE':
        if (paramValue.toUpperCase() !== 'DATE-TIME') {
          issues.push({ part: 'DTSTART', message: 'only VALUE=DATE-TIME is supported: a start needs a time of day' });
          return undefined;
        }
        break;
      default:
        issues.push({ part: 'DTSTART', message: `unsupported parameter "${name}"; only TZID (and VALUE=DATE-TIME) are understood` });
        return undefined;
    }
  }
  if (tzid === undefined) {
    issues.push({ part: 'DTSTART', message: `needs a TZID so the rule follows local time across DST changes, e.g. ${EXAMPLE}` });
    return undefined;
  }
  if (value.endsWith('Z') || value.endsWith('z')) {
    issues.push({ part: 'DTSTART', message: 'with a TZID the start is a local time: drop the trailing "Z"' });
    return undefined;
  }
  const start = /^\d{8}T\d{6}$/.test(value) ? parseBasicDateTime(value) : undefined;
  if (start === undefined) {
    issues.push({ part: 'DTSTART', message: `"${value}" is not a local date-time YYYYMMDDTHHMMSS with valid values` });
    return undefined;
  }
  return { tzid, start, value };
}

type PartCheck = (value: string) => string | undefined;

function intList(min: number, max: number, nonZero = false): PartCheck {
  return (value) => {
    for (const item of value.split(',')) {
      if (!/^[+-]?\d{1,4}$/.test(item)) return `"${item}" is not an integer`;
      const n = Number(item);
      if (n < min || n > max || (nonZero && n === 0)) return `${item} is out of range ${min}..${max}${nonZero ? ' (not 0)' : ''}`;
    }
    return undefined;
  };
}

const PART_CHECKS: Record<string, PartCheck> = {
  FREQ: (v) => ((FREQS as readonly string[]).includes(v) ? undefined : `"${v}" is not one of ${FREQS.join(', ')}`),
  INTERVAL: (v) => (/^\d{1,5}$/.test(v) && Number(v) >= 1 ? undefined : `"${v}" is not a positive integer (at most 99999)`),
  COUNT: (v) => (/^\d{1,6}$/.test(v) ? undefined : `"${v}" is not a non-negative integer (at most 999999)`),
  UNTIL: (v) => {
    // RFC 5545 §3.3.10: with a TZID start, UNTIL is a date or a UTC date-time.
    const m = /^(\d{8})(T\d{6}Z)?$/.exec(v);
    if (!m || parseBasicDateTime(v.replace(/Z$/, '')) === undefined) return `"${v}" is not YYYYMMDD or a UTC date-time YYYYMMDDTHHMMSSZ`;
    return undefined;
  },
  BYSECOND: intList(0, 60),
  BYMINUTE: intList(0, 59),
  BYHOUR: intList(0, 23),
  BYMONTHDAY: intList(-31, 31, true),
  BYYEARDAY: intList(-366, 366, true),
  BYWEEKNO: intList(-53, 53, true),
  BYMONTH: intList(1, 12),
  BYSETPOS: intList(-366, 366, true),
  BYDAY: (v) => {
    for (const item of v.split(',')) {
      const m = new RegExp(`^([+-]?\\d{1,2})?${WEEKDAY}$`).exec(item);
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
  if (parts.has('BYSETPOS') && ![...parts.keys()].some((k) => k.startsWith('BY') && k !== 'BYSETPOS')) {
    issues.push({ part: 'BYSETPOS', message: 'needs another BYxxx part to select from' });
  }
  return issues;
}

function parseRrule(line: string, issues: RecurrenceIssue[]): Map<string, string> | undefined {
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
  if (issues.length === 0) issues.push(...combinationIssues(parts));
  return issues.length === 0 ? parts : undefined;
}

/** Checks the grammar and values of every part; semantics (does it ever occur?) are a separate, bounded step. */
export function parseRecurrence(input: string): ParsedRecurrence {
  const lines = input
    .split(/\r\n|\r|\n|\\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const issues: RecurrenceIssue[] = [];
  const dtstartLines = lines.filter((l) => /^DTSTART[;:]/i.test(l));
  const rruleLines = lines.filter((l) => /^RRULE:/i.test(l));
  const others = lines.filter((l) => !/^DTSTART[;:]/i.test(l) && !/^RRULE:/i.test(l));

  if (others.length > 0) {
    const name = /^[A-Za-z-]+/.exec(others[0] ?? '')?.[0]?.toUpperCase() ?? 'RRULE';
    issues.push({ part: name, message: `unexpected line "${others[0]}": expected one DTSTART line and one RRULE line, e.g. ${EXAMPLE}` });
  }
  if (dtstartLines.length !== 1) issues.push({ part: 'DTSTART', message: dtstartLines.length === 0 ? `is required, e.g. ${EXAMPLE}` : 'is given more than once' });
  if (rruleLines.length !== 1) issues.push({ part: 'RRULE', message: rruleLines.length === 0 ? `an RRULE: line is required, e.g. ${EXAMPLE}` : 'only one RRULE line is supported' });
  const [dtstartLine, rruleLine] = [dtstartLines[0], rruleLines[0]];
  if (issues.length > 0 || dtstartLine === undefined || rruleLine === undefined) return { ok: false, issues };

  const dtstart = parseDtstart(dtstartLine.replace(/^dtstart/i, 'DTSTART'), issues);
  const parts = parseRrule(rruleLine, issues);
  if (dtstart === undefined || parts === undefined) return { ok: false, issues };

  const rrule = [...parts].map(([name, value]) => `${name}=${value}`).join(';');
  return {
    ok: true,
    rule: { text: `DTSTART;TZID=${dtstart.tzid}:${dtstart.value}\nRRULE:${rrule}`, tzid: dtstart.tzid, start: dtstart.start, parts },
  };
}
