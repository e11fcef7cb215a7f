import { serviceUnavailable, unprocessable, type HttpProblem } from '@lifeline/kit';
import type { RecurrenceEvaluator } from './evaluator.ts';
import { parseRecurrence } from './parse-recurrence.ts';
import type { Recurrence, RecurrenceIssue } from './recurrence.ts';

/**
 * What a rule's evaluation means to the client that sent it, as problem+json: one mapping for every app,
 * so a rule gets the same answer (422 naming the part, 422 never occurs, 422 too complex, 503 busy) wherever
 * it is sent.
 */

/** Later than any occurrence a calendar rule can produce (DTSTART years stop at 9999): "any occurrence from here on?". */
export const END_OF_TIME = new Date(Date.UTC(9999, 11, 31));

function invalid(issues: readonly RecurrenceIssue[]): HttpProblem {
  const first = issues[0];
  return unprocessable(`The recurrence is not a valid rule: ${first ? `${first.part}: ${first.message}` : 'it cannot be read'}`, {
    type: 'invalid-recurrence',
    extra: { errors: issues.map((i) => ({ path: 'recurrence', part: i.part, message: `${i.part}: ${i.message}` })) },
  });
}

function withoutOccurrence(detail: string, reason: string): HttpProblem {
  return unprocessable(detail, { type: 'recurrence-without-occurrence', extra: { errors: [{ path: 'recurrence', message: reason }] } });
}

function tooComplex(): HttpProblem {
  return unprocessable('The recurrence could not be evaluated within its time budget; it is too sparse or too complex. Simplify it.', {
    type: 'recurrence-too-complex',
    extra: { errors: [{ path: 'recurrence', message: 'too expensive to evaluate' }] },
  });
}

function busy(): HttpProblem {
  return serviceUnavailable('Recurrence rules cannot be evaluated right now; try again shortly.', { headers: { 'Retry-After': '1' } });
}

// The worker itself broke: our fault, not the rule's, so a 500 (and a retry on event paths), never a 4xx.
function evaluatorFailed(message: string): Error {
  return new Error(`recurrence evaluator failed: ${message}`);
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
      throw evaluatorFailed(result.message);
  }
}

export interface CheckOptions {
  /** When set, the rule must also still occur at or after this instant (a series whose every occurrence is past would never make anything). */
  now?: Date;
}

/**
 * Accepts a client's recurrence only when it parses part by part (422 naming the wrong part) and provably
 * occurs at least once (422 saying why it never does), and, with `now`, still occurs from then on. Returns
 * the rule, whose text is the canonical form to store.
 */
export async function checkRecurrence(evaluator: RecurrenceEvaluator, text: string, opts: CheckOptions = {}): Promise<Recurrence> {
  // Parsed here first: a malformed rule is refused without a trip to a worker.
  const parsed = parseRecurrence(text);
  if (!parsed.ok) throw invalid(parsed.issues);
  const rule = parsed.rule;

  const first = await evaluator.firstOccurrence(rule.text);
  switch (first.kind) {
    case 'occurs':
      break;
    case 'never':
      throw withoutOccurrence(`The recurrence yields no occurrence. ${first.reason}`, first.reason);
    case 'too-complex':
      throw tooComplex();
    case 'busy':
      throw busy();
    case 'invalid':
      throw invalid(first.issues);
    case 'failed':
      throw evaluatorFailed(first.message);
  }

  if (opts.now !== undefined) {
    const [next] = await occurrencesOf(evaluator, rule.text, opts.now, END_OF_TIME, 1);
    if (next === undefined) throw withoutOccurrence('Every occurrence of the recurrence lies in the past, so it would never occur again.', 'no occurrence from now on');
  }
  return rule;
}
