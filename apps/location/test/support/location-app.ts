import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { createLogger, createMetrics, daprClientFromConfig, signToken, startServer, type Role } from '@lifeline/kit';
import { prismaFromConfig } from '@lifeline/db';
import { createApp } from '../../src/app.ts';
import { loadLocationConfig } from '../../src/config.ts';
import type { PrismaClient } from '../../src/data/db.ts';
import type { LocationDeps } from '../../src/domain/location-deps.ts';
import { PrismaClient as GeneratedPrismaClient } from '../../src/generated/prisma/client.ts';
import { appUrl } from './database.ts';

export const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const APP_TOKEN = 'location-test-app-token';
export const REDIS_URL = process.env.LOCATION_TEST_REDIS_URL ?? 'redis://127.0.0.1:26379/3';

export interface RunningLocationApp {
  url: string;
  app: Express;
  prisma: PrismaClient;
  redis: Redis;
  deps: LocationDeps;
  /** Every Redis key of this app instance starts with it. */
  prefix: string;
  close(): Promise<void>;
}

/** The app as main.ts wires it, on its own schema and Redis key prefix; the sidecar is a closed port. */
export async function startLocationApp(opts: { schema: string; prefix?: string; env?: Record<string, string>; now?: () => Date }): Promise<RunningLocationApp> {
  const prefix = opts.prefix ?? `t:location:${randomBytes(4).toString('hex')}:`;
  const config = loadLocationConfig({
    APP_ID: 'location',
    JWT_SECRET,
    APP_API_TOKEN: APP_TOKEN,
    DATABASE_URL: appUrl(),
    DB_SCHEMA: opts.schema,
    DB_POOL_MAX: '4',
    DAPR_HTTP_PORT: '1',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
  const metrics = createMetrics({ appId: config.APP_ID, defaultMetrics: false });
  const dapr = daprClientFromConfig(config, { metrics, logger, timeoutMs: 500 });
  const prisma = prismaFromConfig(GeneratedPrismaClient, config, logger);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const { app, relay, deps } = createApp({ config, prisma, dapr, redis, logger, metrics, ...(opts.now ? { now: opts.now } : {}) });
  const server = await startServer(app, 0, '127.0.0.1');
  return {
    url: server.url,
    app,
    prisma,
    redis,
    deps,
    prefix,
    async close() {
      await server.close(2000);
      await relay.stop();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await prisma.$disconnect();
    },
  };
}

export async function bearer(sub: string, roles: Role[] = ['user'], care?: string[]): Promise<string> {
  return `Bearer ${await signToken(JWT_SECRET, { sub, roles, ...(care ? { care } : {}) })}`;
}

/** A fix `northM` metres north and `eastM` east of (lat, lon), recorded `agoMs` before now. */
export function fix(lat: number, lon: number, agoMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { lat, lon, accuracyM: 5, recordedAt: new Date(Date.now() - agoMs).toISOString(), ...extra };
}

export const METRE_LAT = 1 / 111_195;
