import { occurrencesBetween } from './expand.ts';
import { firstOccurrence } from './first-occurrence.ts';
import { parseRecurrence } from './parse-recurrence.ts';
import type { RecurrenceIssue } from './recurrence.ts';

/**
 * What travels between RecurrenceEvaluator and its workers. The worker runs exactly these functions, the same
 * parseRecurrence / firstOccurrence / occurrencesBetween the synchronous API exports: one implementation.
 */

export type JobRequest =
  | { id: number; op: 'first'; text: string }
  | { id: number; op: 'between'; text: string; from: number; to: number; limit: number };

export type JobOutcome =
  | { kind: 'invalid'; issues: RecurrenceIssue[] }
  | { kind: 'occurs'; first: string }
  | { kind: 'never'; reason: string }
  | { kind: 'ok'; instants: string[] }
  | { kind: 'failed'; message: string };

export type JobReply = { id: number; outcome: JobOutcome } | { ready: true };

export function runJob(job: JobRequest): JobOutcome {
  try {
    const parsed = parseRecurrence(job.text);
    if (!parsed.ok) return { kind: 'invalid', issues: parsed.issues };
    if (job.op === 'first') {
      const first = firstOccurrence(parsed.rule);
      return first.kind === 'occurs' ? { kind: 'occurs', first: first.first.toISOString() } : first;
    }
    const instants = occurrencesBetween(parsed.rule, new Date(job.from), new Date(job.to), job.limit);
    return { kind: 'ok', instants: instants.map((d) => d.toISOString()) };
  } catch (err) {
    return { kind: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}
