import { HttpProblem, serviceUnavailable, unprocessable } from '@lifeline/kit';
import { parseRecurrence, type Recurrence, type RecurrenceEvaluator, type RecurrenceIssue } from '@lifeline/recurrence';

function invalid(issues: RecurrenceIssue[]): HttpProblem {
  const first = issues[0];
  return unprocessable(`The recurrence is not a valid rule: ${first?.part}: ${first?.message}`, {
    type: 'invalid-recurrence',
    extra: { errors: issues.map((i) => ({ path: 'recurrence', part: i.part, message: `${i.part}: ${i.message}` })) },
  });
}

function noOccurrence(reason: string): HttpProblem {
  return unprocessable(`The recurrence yields no occurrence. ${reason}`, {
    type: 'recurrence-without-occurrence',
    extra: { errors: [{ path: 'recurrence', message: reason }] },
  });
}

/**
 * Accepts a recurrence only when it parses part by part and provably occurs at least once; answers 422
 * naming the wrong part or saying why it never occurs. Returns the rule, whose text is the canonical form.
 */
export async function checkRecurrence(evaluator: RecurrenceEvaluator, text: string): Promise<Recurrence> {
  // Parsed here first: a malformed rule is refused without a trip to a worker.
  const parsed = parseRecurrence(text);
  if (!parsed.ok) throw invalid(parsed.issues);

  const evaluation = await evaluator.firstOccurrence(parsed.rule.text);
  switch (evaluation.kind) {
    case 'occurs':
      return parsed.rule;
    case 'never':
      throw noOccurrence(evaluation.reason);
    case 'too-complex':
      throw unprocessable('The recurrence could not be evaluated within its time budget; it is too sparse or too complex. Simplify it.', {
        type: 'recurrence-too-complex',
        extra: { errors: [{ path: 'recurrence', message: 'too expensive to evaluate' }] },
      });
    case 'invalid':
      throw invalid(evaluation.issues);
    case 'busy':
      throw serviceUnavailable('Recurrence rules cannot be checked right now; try again shortly.', { headers: { 'Retry-After': '1' } });
    case 'failed':
      throw new Error(`recurrence evaluator failed: ${evaluation.message}`);
  }
}
