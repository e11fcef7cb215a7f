import { z } from 'zod';
import { envInt, loadConfig } from '@lifeline/kit';
import { databaseConfigShape, outboxConfigShape } from '@lifeline/db';

export const recurringConfigShape = {
  ...databaseConfigShape('recurring'),
  ...outboxConfigShape,
  /** The tasks app's Dapr app id: instances are created there through service invocation. */
  TASKS_APP_ID: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'expected a Dapr app id such as "tasks"').default('tasks'),
  /** Instances are generated this far ahead. */
  FUTURE_INSTANCES_HORIZON_DAYS: envInt(1, 3650).default(90),
  /** At most this many instance tasks per generation run; the contract's instances.generated holds 12 at most. */
  MAX_INSTANCES_PER_GENERATION: envInt(1, 12).default(12),
  /** Series one horizon-cron transaction claims; a tick keeps claiming batches until none is left or its budget is spent. */
  HORIZON_REFILL_BATCH: envInt(1, 1000).default(50),
  /** A tick stops claiming new batches after this long; the rest waits for the next tick. */
  HORIZON_REFILL_BUDGET_MS: envInt(1000, 3_600_000).default(300_000),
  /** A series refilled less than this long ago is skipped by the tick (other replicas fire the same cron). */
  HORIZON_REFILL_MIN_INTERVAL_MINUTES: envInt(0, 7 * 24 * 60).default(60),
  /** Lifetime of the service token this app presents to the tasks app. */
  SERVICE_TOKEN_TTL_SECONDS: envInt(10, 3600).default(120),
  /** An Idempotency-Key of POST /series is remembered this long. */
  IDEMPOTENCY_TTL_HOURS: envInt(1, 24 * 30).default(24),
  /** Consumed event ids are remembered this long; longer than any broker redelivery window. */
  INBOX_RETENTION_HOURS: envInt(1, 24 * 365).default(168),
  /** Budget for evaluating an RRULE; a user's rule that needs longer is refused (422). */
  RRULE_TIMEOUT_MS: envInt(50, 30_000).default(1000),
  /** Worker threads that evaluate RRULEs, so a pathological rule never blocks the event loop. */
  RRULE_WORKERS: envInt(1, 16).default(2),
};

export type RecurringConfig = ReturnType<typeof loadRecurringConfig>;

export function loadRecurringConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(recurringConfigShape, env);
}
