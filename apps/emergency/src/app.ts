import { Router, type Express } from 'express';
import { Counter } from 'prom-client';
import { answerUnknownMethods, createAuth, createEmergencyAckLinks, createServiceApp, createSubscriptions, finalize, sidecarReadinessCheck, type DaprClient, type Logger, type Metrics } from '@lifeline/kit';
import { databaseReadinessCheck, outboxRelayFromConfig, type OutboxRelay } from '@lifeline/db';
import type { EmergencyConfig } from './config.ts';
import type { PrismaClient } from './data/db.ts';
import { PoolDb } from './data/sql.ts';
import { deleteExpiredIdempotencyKeys } from './data/idempotency-repository.ts';
import { LocationClient } from './clients/location-client.ts';
import { locationTrack } from './clients/location-track.ts';
import { LocationAttacher } from './domain/attach-location.ts';
import type { EmergencyDeps } from './domain/emergency-deps.ts';
import { EVENT_SOURCE } from './domain/emergency-event.ts';
import { StepRunner } from './domain/step-runner.ts';
import { checkInRoutes } from './http/check-in-routes.ts';
import { contactRoutes } from './http/contact-routes.ts';
import { trailRoutes } from './http/trail-routes.ts';
import { emergencyRoutes } from './http/emergency-routes.ts';
import { openApiRoutes } from './http/openapi-routes.ts';
import { createEmergencyCursors } from './http/page-cursor.ts';
import { subscribeDeliveryOutcomes } from './subscriptions/delivery-outcomes.ts';
import { escalationCron } from './subscriptions/escalation-cron.ts';

export interface AppDeps {
  config: EmergencyConfig;
  prisma: PrismaClient;
  dapr: DaprClient;
  /** The same sidecar with LOCATION_TIMEOUT_MS as its timeout: for the location lookups of raises. */
  locationDapr: DaprClient;
  logger: Logger;
  metrics: Metrics;
}

export interface EmergencyApp {
  app: Express;
  /** Not started: the caller starts it beside the server and stops it on shutdown. */
  relay: OutboxRelay;
  /** Runs due escalation steps for the cron tick and after raises; stopped on shutdown. */
  steps: StepRunner;
  /** Location lookups after raises, in the background; drained on shutdown. */
  locations: LocationAttacher;
  deps: EmergencyDeps;
}

export function createApp(appDeps: AppDeps): EmergencyApp {
  const { config, prisma, dapr, locationDapr, logger, metrics } = appDeps;
  const db = PoolDb.of(prisma, config.DB_CONNECTION_WAIT_MS);
  const relay = outboxRelayFromConfig({
    prisma,
    dapr,
    logger,
    metrics,
    config,
    source: EVENT_SOURCE,
    housekeeping: [{ name: 'expired idempotency keys', run: (limit) => deleteExpiredIdempotencyKeys(db, limit) }],
  });
  const stepsDone = new Counter({
    name: 'emergency_escalation_steps_total',
    help: 'Work done by the escalation tick, by outcome (page, exhaust, reopen, missed_check_in, failed)',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });

  const secondsPerMinute = config.ESCALATION_TIME_UNIT === 'seconds' ? 1 : 60;
  // The runner needs the deps and the deps wake the runner: the closure reads it once it exists.
  const runner: { current?: StepRunner } = {};
  const location = new LocationClient({ dapr: locationDapr, appId: config.LOCATION_APP_ID, jwt: config, serviceId: config.APP_ID });
  const locations = new LocationAttacher({ db }, location, logger);
  const deps: EmergencyDeps = {
    db,
    outboxWritten: () => relay.wake(),
    stepsDue: () => runner.current?.wake(),
    raised: (emergencyId, personId) => locations.attach(emergencyId, personId),
    secondsPerMinute,
    checkInGraceSeconds: config.CHECK_IN_GRACE_MINUTES * secondsPerMinute,
    idempotencyTtlHours: config.IDEMPOTENCY_TTL_HOURS,
    ackLinks: createEmergencyAckLinks({ secret: config.JWT_SECRET }),
    distances: (personId, userIds) => location.distances(personId, userIds),
    admins: config.ADMIN_USER_IDS,
  };
  const steps = new StepRunner(deps, logger, config.ESCALATION_BATCH, (o) => {
    stepsDone.inc({ outcome: 'page' }, o.pages);
    stepsDone.inc({ outcome: 'exhaust' }, o.exhausted);
    stepsDone.inc({ outcome: 'reopen' }, o.reopened);
    stepsDone.inc({ outcome: 'missed_check_in' }, o.missedCheckIns);
    stepsDone.inc({ outcome: 'failed' }, o.failed);
  }, config.ESCALATION_CONCURRENCY);
  runner.current = steps;

  const app = createServiceApp({ config, logger, metrics, readiness: [sidecarReadinessCheck(dapr), databaseReadinessCheck(prisma)] });
  const subs = createSubscriptions({ pubsubName: config.PUBSUB_NAME, logger, metrics }).binding(escalationCron(steps));
  subscribeDeliveryOutcomes(subs, db);
  subs.mount(app);
  const auth = createAuth(config);
  // One router for the public routes, so a method a path does not serve is 405 with Allow (the fuzzer's ST204).
  const publicRoutes = Router()
    .use(openApiRoutes())
    .use(contactRoutes({ auth, deps }))
    .use(checkInRoutes({ auth, deps }))
    .use(emergencyRoutes({ auth, deps, cursors: createEmergencyCursors(config.JWT_SECRET) }))
    .use(trailRoutes({ auth, deps, track: locationTrack(locationDapr, config.LOCATION_APP_ID) }));
  app.use(answerUnknownMethods(publicRoutes));
  finalize(app);
  return { app, relay, steps, locations, deps };
}
