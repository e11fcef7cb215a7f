import { parseRecurrence, type Recurrence, type RecurrenceEvaluator } from '@lifeline/recurrence';
import { serviceUnavailable, unprocessable, type HttpProblem } from '@lifeline/kit';

/** Later than any occurrence a calendar rule can produce: "is there any occurrence from here on?". */
export const END_OF_TIME = new Date(Date.UTC(9999, 11, 31));

function tooComplex(): HttpProblem {
  return unprocessable('The recurrence could not be evaluated within its time budget; it is too sparse or too complex. Simplify it.', {
    type: 'recurrence-too-complex',
    extra: { errors: [{ path: 'recurrence', message: 'too expensive to evaluate' }] },
  });
}

function busy(): HttpProblem {
  return serviceUnavailable('Recurrence rules cannot be evaluated right now; try again shortly.', { headers: { 'Retry-After': '1' } });
}

function invalid(issues: ReadonlyArray<{ part: string; message: string }>): HttpProblem {
  const first = issues[0];
  return unprocessable(`The recurrence is not a valid rule: ${first ? `${first.part}: ${first.message}` : 'it cannot be read'}`, {
    type: 'invalid-recurrence',
    extra: { errors: issues.map((i) => ({ path: 'recurrence', part: i.part, message: `${i.part}: ${i.message}` })) },
  });
}

/**
 * UTC instants of the rule's occurrences in [from, to), at most `limit`, evaluated in a worker within the time
 * budget. A failure is an HttpProblem, so request paths answer it as it is and event paths retry on it.
 */
export async function occurrencesOf(evaluator: RecurrenceEvaluator, text: string, from: Date, to: Date, limit: number): Promise<Date[]> {
  const result = await evaluator.occurrences(text, from, to, limit);
  switch (result.kind) {
    case 'ok':
      return result.instants.map((instant) => new Date(instant));
    case 'too-complex':
      throw tooComplex();
    case 'busy':
      throw busy();
    case 'invalid':
      throw invalid(result.issues);
    case 'failed':
      throw new Error(`recurrence evaluator failed: ${result.message}`);
  }
}

/**
 * Accepts a user's recurrence only when it parses part by part (422 naming the wrong part), occurs at all
 * (422), and still has an occurrence from `now` on (422: a series whose every occurrence is past would never
 * make a task). Returns the rule in its canonical form.
 */
export async function checkRecurrence(evaluator: RecurrenceEvaluator, text: string, now: Date): Promise<Recurrence> {
  const parsed = parseRecurrence(text);
  if (!parsed.ok) throw invalid(parsed.issues);
  const rule = parsed.rule;

  const first = await evaluator.firstOccurrence(rule.text);
  switch (first.kind) {
    case 'occurs':
      break;
    case 'never':
      throw unprocessable(`The recurrence yields no occurrence. ${first.reason}`, {
        type: 'recurrence-without-occurrence',
        extra: { errors: [{ path: 'recurrence', message: first.reason }] },
      });
    case 'too-complex':
      throw tooComplex();
    case 'busy':
      throw busy();
    case 'invalid':
      throw invalid(first.issues);
    case 'failed':
      throw new Error(`recurrence evaluator failed: ${first.message}`);
  }

  const [next] = await occurrencesOf(evaluator, rule.text, now, END_OF_TIME, 1);
  if (next === undefined) {
    throw unprocessable('Every occurrence of the recurrence lies in the past, so the series would never make a task.', {
      type: 'recurrence-without-occurrence',
      extra: { errors: [{ path: 'recurrence', message: 'no occurrence from now on' }] },
    });
  }
  return rule;
}
