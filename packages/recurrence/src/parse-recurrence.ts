import { MAX_LISTED_DATES, parseDateList } from './date-lists.ts';
import { parseBasicDateTime, type LocalDateTime } from './local-date-time.ts';
import type { ParsedRecurrence, RecurrenceIssue } from './recurrence.ts';
import { parseRruleLine } from './rrule-parts.ts';
import { canonicalZone } from './time-zone.ts';

const EXAMPLE = 'DTSTART;TZID=Europe/Berlin:20261201T080000\\nRRULE:FREQ=DAILY;COUNT=10';
const LINE_NAMES = ['DTSTART', 'RRULE', 'EXDATE', 'RDATE'] as const;
type LineName = (typeof LINE_NAMES)[number];

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

/** The lines of the text by property name; the name of anything that is not one of ours is reported. */
function groupLines(input: string, issues: RecurrenceIssue[]): Map<LineName, string[]> {
  const groups = new Map<LineName, string[]>(LINE_NAMES.map((name) => [name, []]));
  const lines = input
    // A literal "\n" is accepted too: it is how a rule travels inside a JSON string typed by hand.
    .split(/\r\n|\r|\n|\\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  for (const line of lines) {
    const name = /^([A-Za-z-]+)[;:]/.exec(line)?.[1]?.toUpperCase();
    const group = name === undefined ? undefined : groups.get(name as LineName);
    if (group === undefined) {
      issues.push({
        part: name ?? /^[A-Za-z-]+/.exec(line)?.[0]?.toUpperCase() ?? 'RRULE',
        message: `unexpected line "${line}": expected one DTSTART line, one RRULE line and optional EXDATE/RDATE lines, e.g. ${EXAMPLE}`,
      });
      continue;
    }
    // Property names are case-insensitive (RFC 5545 §3.1); the rest of the line keeps its case until each part is read.
    group.push(`${name}${line.slice(name?.length ?? 0)}`);
  }
  return groups;
}

/**
 * Reads a recurrence part by part: one DTSTART with TZID, one RRULE, optional EXDATE and RDATE lines. A bad
 * rule is refused with the part that is wrong. Whether it ever occurs is a separate, bounded question
 * (firstOccurrence, or RecurrenceEvaluator for untrusted rules).
 */
export function parseRecurrence(input: string): ParsedRecurrence {
  const issues: RecurrenceIssue[] = [];
  const groups = groupLines(input, issues);
  const dtstartLines = groups.get('DTSTART') ?? [];
  const rruleLines = groups.get('RRULE') ?? [];
  if (dtstartLines.length !== 1) issues.push({ part: 'DTSTART', message: dtstartLines.length === 0 ? `is required, e.g. ${EXAMPLE}` : 'is given more than once' });
  if (rruleLines.length !== 1) issues.push({ part: 'RRULE', message: rruleLines.length === 0 ? `an RRULE: line is required, e.g. ${EXAMPLE}` : 'only one RRULE line is supported' });
  const [dtstartLine, rruleLine] = [dtstartLines[0], rruleLines[0]];
  if (issues.length > 0 || dtstartLine === undefined || rruleLine === undefined) return { ok: false, issues };

  const dtstart = parseDtstart(dtstartLine, issues);
  const parts = parseRruleLine(rruleLine, issues);
  if (dtstart === undefined) return { ok: false, issues };

  const lists = { RDATE: [] as string[], EXDATE: [] as string[] };
  const instants = { RDATE: [] as number[], EXDATE: [] as number[] };
  for (const name of ['RDATE', 'EXDATE'] as const) {
    for (const line of groups.get(name) ?? []) {
      const list = parseDateList(name, line, dtstart.tzid, issues);
      if (list === undefined) continue;
      lists[name].push(list.line);
      instants[name].push(...list.instants);
    }
    if (instants[name].length > MAX_LISTED_DATES) issues.push({ part: name, message: `lists ${instants[name].length} dates; at most ${MAX_LISTED_DATES} are accepted` });
  }
  if (parts === undefined || issues.length > 0) return { ok: false, issues };

  const rrule = [...parts].map(([name, value]) => `${name}=${value}`).join(';');
  const text = [`DTSTART;TZID=${dtstart.tzid}:${dtstart.value}`, `RRULE:${rrule}`, ...lists.RDATE, ...lists.EXDATE].join('\n');
  return {
    ok: true,
    rule: {
      text,
      tzid: dtstart.tzid,
      start: dtstart.start,
      parts,
      rdates: instants.RDATE.map((t) => new Date(t)),
      exdates: instants.EXDATE.map((t) => new Date(t)),
    },
  };
}
