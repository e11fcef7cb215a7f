import type { Express } from 'express';
import { createAuth, createServiceApp, finalize, sidecarReadinessCheck, type DaprClient, type Logger, type Metrics } from '@lifeline/kit';
import { databaseReady } from '@lifeline/db';
import type { TasksConfig } from './config.ts';
import type { PrismaClient } from './data/db.ts';
import { outboxBacklog } from './data/outbox-repository.ts';
import type { TaskDeps } from './domain/task-deps.ts';
import { EVENT_SOURCE } from './domain/task-event.ts';
import { taskRoutes } from './http/task-routes.ts';
import { registerOutboxMetrics } from './outbox/outbox-metrics.ts';
import { OutboxRelay } from './outbox/relay.ts';

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
}

export function createApp(deps: AppDeps): TasksApp {
  const { config, prisma, dapr, logger, metrics } = deps;

  const outboxMetrics = registerOutboxMetrics(metrics, () => outboxBacklog(prisma), logger);
  const relay = new OutboxRelay({
    prisma,
    dapr,
    logger,
    metrics: outboxMetrics,
    source: EVENT_SOURCE,
    pollMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH,
    retentionHours: config.OUTBOX_RETENTION_HOURS,
  });
  const tasks: TaskDeps = { prisma, outboxWritten: () => relay.wake() };

  const app = createServiceApp({
    config,
    logger,
    metrics,
    readiness: [
      sidecarReadinessCheck(dapr),
      {
        name: 'database',
        check: async () => {
          if (!(await databaseReady(prisma))) throw new Error('database not reachable');
        },
      },
    ],
  });
  app.use(taskRoutes({ auth: createAuth(config), tasks }));
  finalize(app);
  return { app, relay };
}
