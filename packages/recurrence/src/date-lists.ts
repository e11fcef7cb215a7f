import { canonicalZone, zoneClock } from './time-zone.ts';
import { parseBasicDateTime, wallClockMs } from './local-date-time.ts';
import type { RecurrenceIssue } from './recurrence.ts';

/** Bounds the work a single rule can ask for; a series with more exceptions than this is better split. */
export const MAX_LISTED_DATES = 1000;

export interface DateList {
  /** The line in canonical form: "EXDATE;TZID=<zone>:v1,v2" or "EXDATE:v1Z,v2Z". */
  line: string;
  instants: number[];
}

/**
 * An EXDATE or RDATE line (RFC 5545 §3.8.5.1/2): date-times in DTSTART's zone (TZID=<the same zone>) or in
 * UTC (values ending in Z). Floating times and other zones are refused: a series has one clock, and an
 * exception written against another would silently miss the occurrence it meant.
 */
export function parseDateList(name: 'EXDATE' | 'RDATE', line: string, tzid: string, issues: RecurrenceIssue[]): DateList | undefined {
  const colon = line.indexOf(':');
  const example = `${name};TZID=${tzid}:20261224T080000 or ${name}:20261224T070000Z`;
  if (colon < 0) {
    issues.push({ part: name, message: `expected "${name};TZID=<zone>:<YYYYMMDDTHHMMSS>,..." or "${name}:<YYYYMMDDTHHMMSSZ>,...", e.g. ${example}` });
    return undefined;
  }
  let zone: string | undefined;
  for (const param of line.slice(name.length, colon).split(';').slice(1)) {
    const [paramName = '', value = ''] = param.split('=', 2);
    switch (paramName.toUpperCase()) {
      case 'TZID':
        zone = canonicalZone(value);
        if (zone !== tzid) {
          issues.push({ part: name, message: `TZID "${value}" differs from DTSTART's "${tzid}": use DTSTART's zone or UTC values ending in Z` });
          return undefined;
        }
        break;
      case 'VALUE':
        if (value.toUpperCase() !== 'DATE-TIME') {
          issues.push({ part: name, message: `only VALUE=DATE-TIME is supported, like DTSTART's (not ${value.toUpperCase() || 'an empty VALUE'})` });
          return undefined;
        }
        break;
      default:
        issues.push({ part: name, message: `unsupported parameter "${paramName}"; only TZID (and VALUE=DATE-TIME) are understood` });
        return undefined;
    }
  }
  const values = line
    .slice(colon + 1)
    .split(',')
    .map((v) => v.trim().toUpperCase());
  const instants: number[] = [];
  for (const value of values) {
    const utc = value.endsWith('Z');
    const local = /^\d{8}T\d{6}Z?$/.test(value) ? parseBasicDateTime(value.replace(/Z$/, '')) : undefined;
    if (local === undefined) {
      issues.push({ part: name, message: `"${value}" is not a date-time YYYYMMDDTHHMMSS (with TZID) or YYYYMMDDTHHMMSSZ (UTC) with valid values` });
      return undefined;
    }
    if (zone !== undefined && utc) {
      issues.push({ part: name, message: `"${value}" ends in Z but the line has a TZID: drop the Z, or drop the TZID and give UTC values` });
      return undefined;
    }
    if (zone === undefined && !utc) {
      issues.push({ part: name, message: `"${value}" is a floating time (no TZID, no trailing Z); write e.g. ${example}` });
      return undefined;
    }
    const wall = wallClockMs(local);
    instants.push(zone === undefined ? wall : zoneClock(zone).instantOf(wall));
  }
  return { line: zone === undefined ? `${name}:${values.join(',')}` : `${name};TZID=${zone}:${values.join(',')}`, instants };
}
