import type { LocalDateTime } from './local-date-time.ts';

export interface RecurrenceIssue {
  /** The part that is wrong: "DTSTART", "RRULE", "BYHOUR", "EXDATE", ... */
  part: string;
  message: string;
}

/** A parsed, checked recurrence: what the expansion functions take. Build it with parseRecurrence. */
export interface Recurrence {
  /** Canonical text, what is stored: DTSTART, RRULE, then any RDATE and EXDATE lines, joined by "\n". */
  text: string;
  /** Canonical IANA zone of DTSTART; every wall time of the series is read in it. */
  tzid: string;
  start: LocalDateTime;
  /** RRULE parts in the order given, names and values upper-cased. */
  parts: ReadonlyMap<string, string>;
  /** RDATE instants (wall times already mapped to UTC by the same DST rule as every occurrence). */
  rdates: readonly Date[];
  /** EXDATE instants, mapped the same way; an occurrence at one of these instants is left out. */
  exdates: readonly Date[];
}

export type ParsedRecurrence = { ok: true; rule: Recurrence } | { ok: false; issues: RecurrenceIssue[] };
