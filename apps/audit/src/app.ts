import type { Express } from 'express';
import {
  createAuth,
  createServiceApp,
  finalize,
  sidecarReadinessCheck,
  type DaprClient,
  type Logger,
  type Metrics,
  type Subscriptions,
} from '@lifeline/kit';
import { databaseReadinessCheck } from '@lifeline/db';
import type { AuditConfig } from './config.ts';
import type { PrismaClient } from './data/db.ts';
import { auditRoutes } from './http/audit-routes.ts';
import { auditSubscriptions } from './subscriptions/audit-subscriptions.ts';

export interface AppDeps {
  config: AuditConfig;
  prisma: PrismaClient;
  dapr: DaprClient;
  logger: Logger;
  metrics: Metrics;
}

export interface AuditApp {
  app: Express;
  /** What GET /dapr/subscribe answers; exposed so tests can hold it against the published contract. */
  subscriptions: Subscriptions;
}

export function createApp(deps: AppDeps): AuditApp {
  const { config, prisma, dapr, logger, metrics } = deps;
  const app = createServiceApp({
    config,
    logger,
    metrics,
    readiness: [
      sidecarReadinessCheck(dapr),
      databaseReadinessCheck(prisma),
    ],
  });
  const subscriptions = auditSubscriptions({
    db: prisma,
    pubsubName: config.PUBSUB_NAME,
    logger,
    metrics,
    bulk: { maxMessagesCount: config.BULK_MAX_MESSAGES, maxAwaitDurationMs: config.BULK_MAX_AWAIT_MS },
    maintenance: {
      partitionMonthsAhead: config.PARTITION_MONTHS_AHEAD,
      retentionDays: config.RETENTION_DAYS,
      compressionDays: config.COMPRESSION_DAYS,
    },
  });
  subscriptions.mount(app);
  app.use(auditRoutes({ auth: createAuth(config), db: prisma, logger, streamBatchSize: config.STREAM_BATCH_SIZE, cursorSecret: config.JWT_SECRET }));
  finalize(app);
  return { app, subscriptions };
}
