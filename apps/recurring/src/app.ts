import type { Express } from 'express';
import {
  createAuth,
  createServiceApp,
  createSubscriptions,
  finalize,
  sidecarReadinessCheck,
  type DaprClient,
  type Logger,
  type Metrics,
  type Subscriptions,
} from '@lifeline/kit';
import { databaseReadinessCheck, deleteExpiredIdempotencyKeys, outboxRelayFromConfig, rawSql, setAsideReporter, type OutboxRelay } from '@lifeline/db';
import { RecurrenceEvaluator } from '@lifeline/recurrence';
import { TasksClient } from './clients/tasks-client.ts';
import type { RecurringConfig } from './config.ts';
import type { PrismaClient } from './data/db.ts';
import { deleteProcessedEventsBefore } from './data/inbox-repository.ts';
import type { RecurringDeps } from './domain/recurring-deps.ts';
import { EVENT_SOURCE } from './domain/series-event.ts';
import { seriesRoutes } from './http/series-routes.ts';
import { registerRecurringMetrics } from './recurring-metrics.ts';
import { horizonCron } from './subscriptions/horizon-cron.ts';
import { seriesEventsSubscription } from './subscriptions/series-events.ts';
import { taskEventsSubscription } from './subscriptions/task-events.ts';

export interface AppDeps {
  config: RecurringConfig;
  prisma: PrismaClient;
  dapr: DaprClient;
  logger: Logger;
  metrics: Metrics;
  /** The clock of every use case; tests may pin it. */
  now?: () => Date;
}

export interface RecurringApp {
  app: Express;
  /** Not started: the caller starts it beside the server and stops it on shutdown. */
  relay: OutboxRelay;
  /** Worker threads that expand RRULEs; closed on shutdown. */
  evaluator: RecurrenceEvaluator;
  /** What GET /dapr/subscribe answers; exposed so tests can hold it against the published contract. */
  subscriptions: Subscriptions;
  /** The use cases' dependencies, for tests that drive generation directly. */
  deps: RecurringDeps;
}

export function createApp(appDeps: AppDeps): RecurringApp {
  const { config, prisma, dapr, logger, metrics } = appDeps;

  const relay = outboxRelayFromConfig({
    prisma,
    dapr,
    logger,
    metrics,
    config,
    source: EVENT_SOURCE,
    housekeeping: [
      { name: 'processed event ids', run: (limit) => deleteProcessedEventsBefore(prisma, config.INBOX_RETENTION_HOURS, limit) },
      { name: 'expired idempotency keys', run: (limit) => deleteExpiredIdempotencyKeys(prisma, limit) },
    ],
  });
  const evaluator = new RecurrenceEvaluator({ timeoutMs: config.RRULE_TIMEOUT_MS, workers: config.RRULE_WORKERS });
  const deps: RecurringDeps = {
    prisma,
    evaluator,
    tasks: new TasksClient({ dapr, appId: config.TASKS_APP_ID, jwt: config, tokenTtlSeconds: config.SERVICE_TOKEN_TTL_SECONDS, serviceId: config.APP_ID }),
    outboxWritten: () => relay.wake(),
    metrics: registerRecurringMetrics(metrics),
    horizonDays: config.FUTURE_INSTANCES_HORIZON_DAYS,
    maxPerGeneration: config.MAX_INSTANCES_PER_GENERATION,
    idempotencyTtlHours: config.IDEMPOTENCY_TTL_HOURS,
    serviceId: config.APP_ID,
    ...(appDeps.now ? { now: appDeps.now } : {}),
  };

  const app = createServiceApp({
    config,
    logger,
    metrics,
    readiness: [sidecarReadinessCheck(dapr), databaseReadinessCheck(prisma)],
  });
  const subscriptions = createSubscriptions({ pubsubName: config.PUBSUB_NAME, logger, metrics })
    .on(taskEventsSubscription(deps))
    .on(seriesEventsSubscription(deps))
    .binding(
      horizonCron(deps, {
        batchSize: config.HORIZON_REFILL_BATCH,
        budgetMs: config.HORIZON_REFILL_BUDGET_MS,
        minIntervalMinutes: config.HORIZON_REFILL_MIN_INTERVAL_MINUTES,
        setAside: setAsideReporter(metrics, rawSql(prisma), logger),
      }),
    );
  subscriptions.mount(app);
  // Public routes live under the app's name, as in every app: the gateway maps /api/v1/recurring/... here.
  app.use('/recurring', seriesRoutes({ auth: createAuth(config), deps }));
  finalize(app);
  return { app, relay, evaluator, subscriptions, deps };
}
