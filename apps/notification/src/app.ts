import type { Server } from 'node:http';
import { Router, type Express } from 'express';
import type { Redis } from 'ioredis';
import {
  answerUnknownMethods,
  createAuth,
  createServiceApp,
  finalize,
  sidecarReadinessCheck,
  type DaprClient,
  type Logger,
  type Metrics,
  type Subscriptions,
} from '@lifeline/kit';
import { databaseReadinessCheck, outboxRelayFromConfig, type OutboxRelay } from '@lifeline/db';
import { emailChannel, type EmailChannel } from './channels/email/email-channel.ts';
import { pushChannel } from './channels/push/push-channel.ts';
import { daprPushGateway, type PushGateway } from './channels/push/push-gateway.ts';
import { websocketChannel } from './channels/websocket/websocket-channel.ts';
import type { NotificationConfig } from './config.ts';
import type { PrismaClient } from './data/db.ts';
import { deleteDeliveriesOlderThan } from './data/delivery-repository.ts';
import { removePushToken } from './data/preference-repository.ts';
import { EVENT_SOURCE } from './domain/delivery-events.ts';
import type { NotifyDeps } from './domain/notify-deps.ts';
import { redisRateLimiter } from './domain/rate-limiter.ts';
import { notificationRoutes } from './http/notification-routes.ts';
import { openApiRoutes } from './http/openapi-routes.ts';
import { createDeliveryCursors } from './http/page-cursor.ts';
import { preferenceRoutes } from './http/preference-routes.ts';
import { LiveHub } from './live/live-hub.ts';
import { attachLiveSockets, type LiveSocketServer } from './live/websocket-server.ts';
import { registerNotificationMetrics } from './notification-metrics.ts';
import { notificationSubscriptions } from './subscriptions/notification-subscriptions.ts';
import { domainEventSettings } from './subscriptions/domain-events.ts';

export interface AppDeps {
  config: NotificationConfig;
  prisma: PrismaClient;
  dapr: DaprClient;
  /** Rate-limit counters. */
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
  /** Defaults to the Dapr output binding PUSH_BINDING; tests without daprd talk FCM over HTTP instead. */
  pushGateway?: PushGateway;
}

export interface NotificationApp {
  app: Express;
  /** Not started: the caller starts it beside the server and stops it on shutdown. */
  relay: OutboxRelay;
  /** What GET /dapr/subscribe answers; exposed so tests can hold it against the published contract. */
  subscriptions: Subscriptions;
  hub: LiveHub;
  email: EmailChannel;
  /** Serves /notification/ws on the server the app listens on; call once the server exists. */
  attachLiveSockets: (server: Server) => LiveSocketServer;
}

export function createApp(deps: AppDeps): NotificationApp {
  const { config, prisma, dapr, redis, logger, metrics } = deps;
  const auth = createAuth(config);
  const relay = outboxRelayFromConfig({
    prisma,
    dapr,
    logger,
    metrics,
    config,
    source: EVENT_SOURCE,
    housekeeping: [{ name: 'delivery retention', run: (limit) => deleteDeliveriesOlderThan(prisma, config.DELIVERY_RETENTION_DAYS, limit) }],
  });
  const notificationMetrics = registerNotificationMetrics(metrics);
  const email = emailChannel({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, timeoutMs: config.SEND_TIMEOUT_MS });
  const notify: NotifyDeps = {
    prisma,
    channels: {
      email,
      push: pushChannel({
        gateway: deps.pushGateway ?? daprPushGateway(dapr, config.PUSH_BINDING, config.FCM_PROJECT),
        removeToken: async (userId, token) => {
          await removePushToken(prisma, userId, token);
          logger.info({ userId }, 'push token the provider does not know was removed');
        },
      }),
      websocket: websocketChannel(dapr, config.FANOUT_PUBSUB),
    },
    rateLimiter: redisRateLimiter({ redis, keyPrefix: config.REDIS_KEY_PREFIX, max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS }),
    retry: {
      maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
      baseMs: config.RETRY_BASE_MS,
      maxMs: config.RETRY_MAX_MS,
      // An attempt holds its delivery a little longer than any send may take.
      leaseMs: config.SEND_TIMEOUT_MS * 2,
    },
    metrics: notificationMetrics,
    logger,
    outboxWritten: () => relay.wake(),
  };
  const hub = new LiveHub({ heartbeatMs: config.WS_HEARTBEAT_MS, logger, metrics: notificationMetrics });

  const app = createServiceApp({
    config,
    logger,
    metrics,
    readiness: [sidecarReadinessCheck(dapr), databaseReadinessCheck(prisma), redisReadinessCheck(redis)],
  });
  const subscriptions = notificationSubscriptions({
    pubsubName: config.PUBSUB_NAME,
    logger,
    metrics,
    dapr,
    notify,
    hub,
    domain: domainEventSettings(config),
    live: { pubsubName: config.FANOUT_PUBSUB, maxAgeMs: config.LIVE_MAX_AGE_MS },
  });
  subscriptions.mount(app);
  // Public routes live under the app's name, as in every app: the gateway maps /api/v1/notification/... here.
  const publicRoutes = Router()
    .use(openApiRoutes(auth))
    .use(preferenceRoutes({ auth, prisma }))
    .use(notificationRoutes({ auth, prisma, cursors: createDeliveryCursors(config.JWT_SECRET) }));
  app.use('/notification', answerUnknownMethods(publicRoutes));
  finalize(app);
  return { app, relay, subscriptions, hub, email, attachLiveSockets: (server) => attachLiveSockets(server, { auth, hub, logger }) };
}

function redisReadinessCheck(redis: Redis) {
  return {
    name: 'redis',
    check: async () => {
      if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
    },
  };
}
