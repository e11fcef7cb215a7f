import { wallClockMs } from './local-date-time.ts';
import type { Recurrence } from './recurrence.ts';
import { untilOf } from './rule-iterator.ts';
import { zoneClock } from './time-zone.ts';

// The longest each month can be (February in a leap year).
const LONGEST_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why the RRULE (RDATEs aside) cannot yield an occurrence, when that is decidable from its parts alone;
 * undefined otherwise. Saves walking the calendar to year 9999 to find nothing, and says why in the user's terms.
 */
export function emptinessReason(rule: Recurrence): string | undefined {
  const p = rule.parts;
  if (p.get('COUNT') === '0') return 'COUNT=0 allows no occurrence.';

  const until = untilOf(rule);
  const startWall = wallClockMs(rule.start);
  const startDay = Date.UTC(rule.start.year, rule.start.month - 1, rule.start.day + 1);
  if ((until?.kind === 'instant' && until.at < zoneClock(rule.tzid).instantOf(startWall)) || (until?.kind === 'date' && until.endWall < startDay)) {
    return `UNTIL=${p.get('UNTIL')} is before DTSTART: the rule ends before it starts.`;
  }

  const byMonth = p.get('BYMONTH');
  const byMonthDay = p.get('BYMONTHDAY');
  if (byMonth !== undefined && byMonthDay !== undefined) {
    const days = byMonthDay.split(',').map((d) => Math.abs(Number(d)));
    const someMonthHasADay = byMonth.split(',').some((m) => days.some((d) => d <= (LONGEST_MONTH[Number(m) - 1] ?? 0)));
    if (!someMonthHasADay) return `No month in BYMONTH=${byMonth} has a day BYMONTHDAY=${byMonthDay}, so the rule never occurs.`;
  }
  return undefined;
}
