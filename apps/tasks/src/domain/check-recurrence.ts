import { HttpProblem, serviceUnavailable, unprocessable } from '@lifeline/kit';
import type { RecurrenceEvaluator } from './recurrence-evaluator.ts';
import { parseBasicDateTime, parseRecurrence, type LocalDateTime, type RecurrenceRule } from './recurrence-rule.ts';

/** The instant a wall-clock time in `zone` denotes (the earlier one in a DST overlap; shifted in a gap). */
function zonedInstant(local: LocalDateTime, zone: string): number {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const offsetAt = (instant: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(instant);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - instant;
  };
  const first = asUtc - offsetAt(asUtc);
  return asUtc - offsetAt(first);
}

/** Why a rule the evaluator proved empty is empty, in the user's terms. */
function whyNoOccurrence(rule: RecurrenceRule): string {
  if (rule.parts.get('COUNT') === '0') return 'COUNT=0 allows no occurrence.';
  const until = rule.parts.get('UNTIL');
  const untilLocal = until === undefined ? undefined : parseBasicDateTime(until.replace(/Z$/, ''));
  if (until !== undefined && untilLocal !== undefined) {
    const untilInstant = Date.UTC(untilLocal.year, untilLocal.month - 1, untilLocal.day, untilLocal.hour, untilLocal.minute, untilLocal.second);
    if (untilInstant < zonedInstant(rule.start, rule.tzid)) return `UNTIL=${until} is before DTSTART: the rule ends before it starts.`;
  }
  return 'No date matches all of its parts (for example BYMONTH=2;BYMONTHDAY=31), so it never occurs.';
}

function noOccurrence(detail: string): HttpProblem {
  return unprocessable(`The recurrence yields no occurrence. ${detail}`, {
    type: 'recurrence-without-occurrence',
    extra: { errors: [{ path: 'recurrence', message: detail }] },
  });
}

/**
 * Accepts a recurrence only when it parses part by part and provably occurs at least once; answers 422
 * naming the wrong part or saying that it never occurs. Returns the rule in its canonical text.
 */
export async function checkRecurrence(evaluator: RecurrenceEvaluator, text: string): Promise<RecurrenceRule> {
  const parsed = parseRecurrence(text);
  if (!parsed.ok) {
    const first = parsed.issues[0];
    throw unprocessable(`The recurrence is not a valid rule: ${first?.part}: ${first?.message}`, {
      type: 'invalid-recurrence',
      extra: { errors: parsed.issues.map((i) => ({ path: 'recurrence', part: i.part, message: `${i.part}: ${i.message}` })) },
    });
  }
  const rule = parsed.rule;
  // Decided without the evaluator: nothing to search for.
  if (rule.parts.get('COUNT') === '0') throw noOccurrence(whyNoOccurrence(rule));

  const evaluation = await evaluator.firstOccurrence(rule.text);
  switch (evaluation.kind) {
    case 'occurs':
      return rule;
    case 'never':
      throw noOccurrence(whyNoOccurrence(rule));
    case 'too-complex':
      throw unprocessable('The recurrence could not be evaluated within its time budget; it is too sparse or too complex. Simplify it.', {
        type: 'recurrence-too-complex',
        extra: { errors: [{ path: 'recurrence', message: 'too expensive to evaluate' }] },
      });
    case 'invalid':
      throw unprocessable(`The recurrence is not a valid rule: ${evaluation.message}`, {
        type: 'invalid-recurrence',
        extra: { errors: [{ path: 'recurrence', part: 'RRULE', message: evaluation.message }] },
      });
    case 'busy':
      throw serviceUnavailable('Recurrence rules cannot be checked right now; try again shortly.', { headers: { 'Retry-After': '1' } });
    case 'failed':
      throw new Error(`recurrence evaluator failed: ${evaluation.message}`);
  }
}
