import { occurrencesBetween } from './expand.ts';
import type { Recurrence } from './recurrence.ts';
import { emptinessReason } from './rule-emptiness.ts';

export type FirstOccurrence = { kind: 'occurs'; first: Date } | { kind: 'never'; reason: string };

// The whole range a Date can hold: "first" means first ever, RDATEs before DTSTART included.
const EARLIEST = new Date(-8.64e15);
const LATEST = new Date(8.64e15);

function whyNever(rule: Recurrence): string {
  const reason = emptinessReason(rule);
  if (reason !== undefined) return reason;
  // Only a finite rule can have every occurrence excluded; asking an endless one again could walk to year 9999.
  const finite = rule.parts.has('COUNT') || rule.parts.has('UNTIL');
  if (finite && rule.exdates.length > 0 && occurrencesBetween({ ...rule, exdates: [] }, EARLIEST, LATEST, 1).length > 0) {
    return 'EXDATE removes every occurrence, so the rule never occurs.';
  }
  return 'No date matches all of its parts together, so the rule never occurs.';
}

/** The first occurrence of the whole recurrence set, or why there is none. Unbounded time: see occurrencesBetween. */
export function firstOccurrence(rule: Recurrence): FirstOccurrence {
  const [first] = occurrencesBetween(rule, EARLIEST, LATEST, 1);
  return first === undefined ? { kind: 'never', reason: whyNever(rule) } : { kind: 'occurs', first };
}
