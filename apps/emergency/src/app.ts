import type { Express } from 'express';
import { Counter } from 'prom-client';
import { createAuth, createServiceApp, createSubscriptions, finalize, sidecarReadinessCheck, type DaprClient, type Logger, type Metrics } from '@lifeline/kit';
import { databaseReadinessCheck, outboxRelayFromConfig, type OutboxRelay } from '@lifeline/db';
import type { EmergencyConfig } from './config.ts';
import type { PrismaClient } from './data/db.ts';
import { deleteExpiredIdempotencyKeys } from './data/idempotency-repository.ts';
import { createAckLinks } from './domain/ack-link.ts';
import type { EmergencyDeps } from './domain/emergency-deps.ts';
import { EVENT_SOURCE } from './domain/emergency-event.ts';
import { StepRunner } from './domain/step-runner.ts';
import { contactRoutes } from './http/contact-routes.ts';
import { emergencyRoutes } from './http/emergency-routes.ts';
import { createEmergencyCursors } from './http/page-cursor.ts';
import { escalationCron } from './subscriptions/escalation-cron.ts';

export interface AppDeps {
  config: EmergencyConfig;
  prisma: PrismaClient;
  dapr: DaprClient;
  logger: Logger;
  metrics: Metrics;
}

export interface EmergencyApp {
  app: Express;
  /** Not started: the caller starts it beside the server and stops it on shutdown. */
  relay: OutboxRelay;
  /** Runs due escalation steps for the cron tick and after raises; stopped on shutdown. */
  steps: StepRunner;
  deps: EmergencyDeps;
}

export function createApp(appDeps: AppDeps): EmergencyApp {
  const { config, prisma, dapr, logger, metrics } = appDeps;
  const relay = outboxRelayFromConfig({
    prisma,
    dapr,
    logger,
    metrics,
    config,
    source: EVENT_SOURCE,
    housekeeping: [{ name: 'expired idempotency keys', run: (limit) => deleteExpiredIdempotencyKeys(prisma, limit) }],
  });
  const stepsDone = new Counter({
    name: 'emergency_escalation_steps_total',
    help: 'Escalation steps done by the tick, by outcome (page, exhaust, failed)',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });

  // The runner needs the deps and the deps wake the runner: the closure reads it once it exists.
  const runner: { current?: StepRunner } = {};
  const deps: EmergencyDeps = {
    prisma,
    outboxWritten: () => relay.wake(),
    stepsDue: () => runner.current?.wake(),
    secondsPerMinute: config.ESCALATION_TIME_UNIT === 'seconds' ? 1 : 60,
    idempotencyTtlHours: config.IDEMPOTENCY_TTL_HOURS,
    ackLinks: createAckLinks({ secret: config.JWT_SECRET, baseUrl: config.ACK_LINK_BASE_URL, ttlHours: config.ACK_LINK_TTL_HOURS }),
  };
  const steps = new StepRunner(deps, logger, config.ESCALATION_BATCH, (o) => {
    stepsDone.inc({ outcome: 'page' }, o.pages);
    stepsDone.inc({ outcome: 'exhaust' }, o.exhausted);
    stepsDone.inc({ outcome: 'failed' }, o.failed);
  });
  runner.current = steps;

  const app = createServiceApp({ config, logger, metrics, readiness: [sidecarReadinessCheck(dapr), databaseReadinessCheck(prisma)] });
  createSubscriptions({ pubsubName: config.PUBSUB_NAME, logger, metrics }).binding(escalationCron(steps)).mount(app);
  const auth = createAuth(config);
  app.use(contactRoutes({ auth, deps }));
  app.use(emergencyRoutes({ auth, deps, cursors: createEmergencyCursors(config.JWT_SECRET) }));
  finalize(app);
  return { app, relay, steps, deps };
}
