import type { RecurrenceEvaluator } from '@lifeline/recurrence';
import type { PrismaClient } from '../data/db.ts';

/** What the task use cases need; built once in createApp. */
export interface TaskDeps {
  prisma: PrismaClient;
  /** Called after a transaction that wrote outbox rows has committed: the relay publishes without waiting for its next poll. */
  outboxWritten: () => void;
  /** Proves in worker threads, within a time budget, that a recurrence occurs at all. */
  recurrence: RecurrenceEvaluator;
  /** How long an Idempotency-Key of a create is remembered. */
  idempotencyTtlHours: number;
  now?: () => Date;
}

export function nowIso(deps: Pick<TaskDeps, 'now'>): string {
  return (deps.now?.() ?? new Date()).toISOString();
}
