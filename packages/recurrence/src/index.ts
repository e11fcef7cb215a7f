export type { Recurrence, RecurrenceIssue, ParsedRecurrence } from './recurrence.ts';
export type { LocalDateTime } from './local-date-time.ts';
export { parseRecurrence } from './parse-recurrence.ts';
export { occurrencesBetween, startInstant } from './expand.ts';
export { firstOccurrence, type FirstOccurrence } from './first-occurrence.ts';
export { canonicalZone } from './time-zone.ts';
export { RecurrenceEvaluator, type Evaluation, type EvaluatorOptions, type OccurrencesEvaluation } from './evaluator.ts';
export { END_OF_TIME, checkRecurrence, occurrencesOf, type CheckOptions } from './recurrence-problems.ts';
