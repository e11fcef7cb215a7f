import type { Express } from 'express';
import {
  createAuth,
  revocationRoutes,
  createServiceApp,
  createSubscriptions,
  finalize,
  sidecarReadinessCheck,
  type DaprClient,
  type Logger,
  type Metrics,
} from '@lifeline/kit';
import { databaseReadinessCheck, outboxRelayFromConfig, rawSql, setAsideReporter, type OutboxRelay } from '@lifeline/db';
import { RecurrenceEvaluator } from '@lifeline/recurrence';
import type { TasksConfig } from './config.ts';
import type { PrismaClient } from './data/db.ts';
import { deleteExpiredIdempotencyKeys } from './data/idempotency-repository.ts';
import type { TaskDeps } from './domain/task-deps.ts';
import { EVENT_SOURCE } from './domain/task-event.ts';
import { createTaskCursors } from './http/page-cursor.ts';
import { taskRoutes } from './http/task-routes.ts';
import { reminderCron } from './subscriptions/reminder-cron.ts';

export interface AppDeps {
  config: TasksConfig;
  prisma: PrismaClient;
  dapr: DaprClient;
  logger: Logger;
  metrics: Metrics;
}

export interface TasksApp {
  app: Express;
  /** Not started: the caller starts it beside the server and stops it on shutdown. */
  relay: OutboxRelay;
  /** Worker threads for RRULE checks; closed on shutdown. */
  recurrence: RecurrenceEvaluator;
}

export function createApp(deps: AppDeps): TasksApp {
  const { config, prisma, dapr, logger, metrics } = deps;

  const relay = outboxRelayFromConfig({
    prisma,
    dapr,
    logger,
    metrics,
    config,
    source: EVENT_SOURCE,
    housekeeping: [{ name: 'expired idempotency keys', run: (limit) => deleteExpiredIdempotencyKeys(prisma, limit) }],
  });
  const outboxWritten = () => relay.wake();
  const recurrence = new RecurrenceEvaluator({ timeoutMs: config.RRULE_CHECK_TIMEOUT_MS, workers: config.RRULE_WORKERS });
  const tasks: TaskDeps = { prisma, outboxWritten, recurrence, idempotencyTtlHours: config.IDEMPOTENCY_TTL_HOURS };

  const app = createServiceApp({
    config,
    logger,
    metrics,
    readiness: [
      sidecarReadinessCheck(dapr),
      databaseReadinessCheck(prisma),
    ],
  });
  createSubscriptions({ pubsubName: config.PUBSUB_NAME, logger, metrics })
    .binding(reminderCron({ prisma, outboxWritten, batchSize: config.REMINDER_BATCH, setAside: setAsideReporter(metrics, rawSql(prisma), logger) }, metrics))
    .mount(app);
  const auth = createAuth(config);
  app.use(taskRoutes({ auth, tasks, cursors: createTaskCursors(config.JWT_SECRET) }));
  // Logout for every app: the denylist is shared, so this one route serves them all (gateway /api/v1/auth/revoke).
  app.use(revocationRoutes(auth));
  finalize(app);
  return { app, relay, recurrence };
}
