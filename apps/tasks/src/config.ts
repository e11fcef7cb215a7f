import { z } from 'zod';
import { envInt, loadConfig } from '@lifeline/kit';

export const tasksConfigShape = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection URL')
    // @lifeline/db sets search_path through the connection options; an options= parameter would replace it.
    .refine((url) => !/[?&]options=/i.test(url), 'must not carry an options= parameter (the app sets search_path itself)'),
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lowercase Postgres schema name')
    .default('tasks'),
  DB_POOL_MAX: envInt(1, 200).default(10),
  /** Fallback poll of the outbox relay; local commits wake it at once. */
  OUTBOX_POLL_MS: envInt(10, 60_000).default(250),
  OUTBOX_BATCH: envInt(1, 1000).default(100),
  /** Published outbox rows are kept this long for "was it sent, and when?" questions, then deleted. */
  OUTBOX_RETENTION_HOURS: envInt(0, 24 * 365).default(168),
};

export type TasksConfig = ReturnType<typeof loadTasksConfig>;

export function loadTasksConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(tasksConfigShape, env);
}
