import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { createLogger, createMetrics, daprClientFromConfig, signToken, startServer, type Metrics, type Role } from '@lifeline/kit';
import { prismaFromConfig, type OutboxRelay } from '@lifeline/db';
import { createApp } from '../../src/app.ts';
import { loadNotificationConfig } from '../../src/config.ts';
import type { PrismaClient } from '../../src/data/db.ts';
import { PrismaClient as GeneratedPrismaClient } from '../../src/generated/prisma/client.ts';
import type { LiveHub } from '../../src/live/live-hub.ts';
import { appUrl } from './database.ts';
import { fcmOverHttp } from './fcm-over-http.ts';

export const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const APP_TOKEN = 'sidecar-to-app-token';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:26379/2';
export const FCM_PROJECT = 'lifeline-test';

export interface StartOptions {
  schema: string;
  sidecarPort: number;
  capture: { smtpPort: number; httpPort: number };
  /** Several instances of one "deployment" share it; each test file gets its own. */
  redisKeyPrefix: string;
  env?: Record<string, string>;
}

export interface RunningNotificationApp {
  url: string;
  /** The express app, for tests that look at what is registered. */
  app: Express;
  prisma: PrismaClient;
  redis: Redis;
  relay: OutboxRelay;
  hub: LiveHub;
  metrics: Metrics;
  close(): Promise<void>;
}

export function redisKeyPrefix(label: string): string {
  return `test:${label}:${randomBytes(4).toString('hex')}:`;
}

/** The real app on port 0: real Postgres, real Redis, the real capture SMTP server; a fake sidecar. */
export async function startNotificationApp(opts: StartOptions): Promise<RunningNotificationApp> {
  const config = loadNotificationConfig({
    APP_ID: 'notification',
    JWT_SECRET,
    APP_API_TOKEN: APP_TOKEN,
    DATABASE_URL: appUrl(),
    DB_SCHEMA: opts.schema,
    DB_POOL_MAX: '6',
    DAPR_HTTP_PORT: String(opts.sidecarPort),
    REDIS_URL,
    REDIS_KEY_PREFIX: opts.redisKeyPrefix,
    SMTP_URL: `smtp://127.0.0.1:${opts.capture.smtpPort}`,
    MAIL_FROM: 'Lifeline <no-reply@lifeline.test>',
    FCM_PROJECT,
    OUTBOX_POLL_MS: '50',
    RETRY_BASE_MS: '20',
    RETRY_MAX_MS: '200',
    SEND_TIMEOUT_MS: '3000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
  const metrics = createMetrics({ appId: config.APP_ID, defaultMetrics: false });
  // Wired as main.ts wires it, with a short sidecar timeout so tests against a "down" sidecar stay quick.
  const dapr = daprClientFromConfig(config, { metrics, logger, timeoutMs: 1000 });
  const prisma = prismaFromConfig(GeneratedPrismaClient, config, logger);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const pushGateway = fcmOverHttp(`http://127.0.0.1:${opts.capture.httpPort}/fcm`, FCM_PROJECT);
  const built = createApp({ config, prisma, dapr, redis, logger, metrics, pushGateway });
  const server = await startServer(built.app, 0, '127.0.0.1');
  const live = built.attachLiveSockets(server.server);
  built.relay.start();
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    app: built.app,
    prisma,
    redis,
    relay: built.relay,
    hub: built.hub,
    metrics,
    close() {
      closing ??= (async () => {
        await live.close();
        await server.close(2000);
        await built.relay.stop();
        built.email.close();
        await prisma.$disconnect();
        redis.disconnect();
      })();
      return closing;
    },
  };
}

export async function bearer(sub: string, roles: Role[] = ['user'], care?: string[]): Promise<string> {
  return `Bearer ${await signToken(JWT_SECRET, { sub, roles, ...(care ? { care } : {}) })}`;
}

export const as = {
  user: (sub: string) => bearer(sub, ['user']),
  caregiver: (sub: string, care: string[]) => bearer(sub, ['caregiver'], care),
  admin: (sub = 'root') => bearer(sub, ['admin']),
  compliance: (sub = 'olga') => bearer(sub, ['compliance']),
};
