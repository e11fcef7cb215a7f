import type { RecurrenceEvaluator } from '@lifeline/recurrence';
import type { TasksClient } from '../clients/tasks-client.ts';
import type { PrismaClient } from '../data/db.ts';
import type { RecurringMetrics } from '../recurring-metrics.ts';

/** What the series use cases need; built once in createApp. */
export interface RecurringDeps {
  prisma: PrismaClient;
  /** Expands rules in worker threads within a time budget. */
  evaluator: RecurrenceEvaluator;
  tasks: TasksClient;
  /** Called after a transaction that wrote outbox rows has committed: the relay publishes at once. */
  outboxWritten: () => void;
  metrics: RecurringMetrics;
  horizonDays: number;
  maxPerGeneration: number;
  /** How long an Idempotency-Key of POST /series replays its first answer. */
  idempotencyTtlHours: number;
  /** The `sub` this app's service token carries: task changes made by it are not the user's. */
  serviceId: string;
  now?: () => Date;
}

export function nowOf(deps: Pick<RecurringDeps, 'now'>): Date {
  return deps.now?.() ?? new Date();
}

export function horizonEnd(deps: Pick<RecurringDeps, 'now' | 'horizonDays'>, now = nowOf(deps)): Date {
  return new Date(now.getTime() + deps.horizonDays * 24 * 60 * 60 * 1000);
}
