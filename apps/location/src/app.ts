import { Router, type Express } from 'express';
import type { Redis } from 'ioredis';
import {
  answerUnknownMethods,
  createAuth,
  createServiceApp,
  createSubscriptions,
  finalize,
  serveOpenApi,
  sidecarReadinessCheck,
  type DaprClient,
  type Logger,
  type Metrics,
  type Subscriptions,
} from '@lifeline/kit';
import { databaseReadinessCheck, outboxRelayFromConfig, rawSql, type OutboxRelay } from '@lifeline/db';
import type { LocationConfig } from './config.ts';
import type { PrismaClient } from './data/db.ts';
import { redisLatestStore } from './data/latest-store.ts';
import { EVENT_SOURCE } from './domain/geofence-event.ts';
import { GroupCommitter } from './domain/group-commit.ts';
import { ingestGroup, type IngestOutcome, type IngestRequest } from './domain/ingest-group.ts';
import { ingestMetrics } from './http/ingest-metrics.ts';
import type { LocationDeps } from './domain/location-deps.ts';
import { geofenceRoutes } from './http/geofence-routes.ts';
import { internalRoutes } from './http/internal-routes.ts';
import { locationRoutes } from './http/location-routes.ts';
import { OPENAPI_PATH, buildOpenApiDocument } from './http/openapi.ts';
import { subscribeEmergencyEvents } from './subscriptions/emergency-events.ts';
import { maintenanceCron } from './subscriptions/maintenance-cron.ts';

export interface AppDeps {
  config: LocationConfig;
  prisma: PrismaClient;
  dapr: DaprClient;
  /** Latest positions and the GEO set. */
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
  now?: () => Date;
}

export interface LocationApp {
  app: Express;
  /** Not started: the caller starts it beside the server and stops it on shutdown. */
  relay: OutboxRelay;
  subscriptions: Subscriptions;
  deps: LocationDeps;
}

export function createApp(input: AppDeps): LocationApp {
  const { config, prisma, dapr, redis, logger, metrics } = input;
  const relay = outboxRelayFromConfig({ prisma, dapr, logger, metrics, config, source: EVENT_SOURCE });
  const sql = rawSql(prisma);
  const latest = redisLatestStore(redis, config.REDIS_KEY_PREFIX);
  const outboxWritten = () => relay.wake();
  const now = () => input.now?.() ?? new Date();
  const ingestDeps = { sql, latest, outboxWritten, livePositionIntervalMs: config.LIVE_POSITION_INTERVAL_MS, now };
  const ingest = new GroupCommitter<IngestRequest, IngestOutcome>({
    flush: (group) => ingestGroup(ingestDeps, group),
    maxConcurrent: config.INGEST_CONCURRENCY,
    maxWeight: config.INGEST_GROUP_MAX_POSITIONS,
    weightOf: (r) => r.points.length,
    onGroup: ingestMetrics(metrics),
  });
  const deps: LocationDeps = {
    sql,
    latest,
    ingest,
    outboxWritten,
    maxFencesPerPerson: config.MAX_FENCES_PER_PERSON,
    livePositionIntervalMs: config.LIVE_POSITION_INTERVAL_MS,
    ...(input.now ? { now: input.now } : {}),
  };

  const app = createServiceApp({
    config,
    logger,
    metrics,
    readiness: [sidecarReadinessCheck(dapr), databaseReadinessCheck(prisma), { name: 'redis', check: () => latest.ping() }],
  });
  const subscriptions = createSubscriptions({ pubsubName: config.PUBSUB_NAME, logger, metrics }).binding(maintenanceCron(sql, config.PARTITION_DAYS_AHEAD));
  subscribeEmergencyEvents(subscriptions, sql);
  subscriptions.mount(app);

  const auth = createAuth(config);
  const openApi = Router();
  openApi.get(OPENAPI_PATH, serveOpenApi(buildOpenApiDocument()));
  app.use(openApi);
  app.use(internalRoutes({ deps, appApiToken: config.APP_API_TOKEN, logger }));
  app.use(answerUnknownMethods(locationRoutes({ auth, deps })));
  app.use(answerUnknownMethods(geofenceRoutes({ auth, deps })));
  finalize(app);
  return { app, relay, subscriptions, deps };
}
