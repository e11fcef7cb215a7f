import { envInt, loadConfig } from '@lifeline/kit';
import { databaseConfigShape, outboxConfigShape } from '@lifeline/db';

export const tasksConfigShape = {
  ...databaseConfigShape('tasks'),
  ...outboxConfigShape,
  /** Reminders written per transaction by one cron tick; a tick keeps going while batches come back full. */
  REMINDER_BATCH: envInt(1, 5000).default(200),
  /** How long an Idempotency-Key of POST /tasks is remembered. */
  IDEMPOTENCY_TTL_HOURS: envInt(1, 24 * 30).default(24),
  /** Budget for proving that an RRULE yields an occurrence; a rule that needs longer is refused (422). */
  RRULE_CHECK_TIMEOUT_MS: envInt(50, 30_000).default(1000),
  /** Worker threads that evaluate RRULEs, so a pathological rule never blocks the event loop. */
  RRULE_WORKERS: envInt(1, 16).default(2),
};

export type TasksConfig = ReturnType<typeof loadTasksConfig>;

export function loadTasksConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(tasksConfigShape, env);
}
