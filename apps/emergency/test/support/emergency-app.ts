import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createLogger, createMetrics, daprClientFromConfig, signToken, startServer, type Role } from '@lifeline/kit';
import { prismaFromConfig } from '@lifeline/db';
import { createApp, type EmergencyApp } from '../../src/app.ts';
import { loadEmergencyConfig } from '../../src/config.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { appUrl } from './database.ts';

export const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const APP_TOKEN = 'sidecar-to-app-token';

export interface RunningEmergencyApp extends EmergencyApp {
  url: string;
  /** Runs the escalation tick the way daprd's cron binding does (POST with the app token). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/** A loopback port nothing listens on: the sidecar is "down", so outbox rows stay where the tests read them. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startEmergencyApp(opts: { schema: string; env?: Record<string, string> }): Promise<RunningEmergencyApp> {
  const config = loadEmergencyConfig({
    APP_ID: 'emergency',
    JWT_SECRET,
    APP_API_TOKEN: APP_TOKEN,
    DATABASE_URL: appUrl(),
    DB_SCHEMA: opts.schema,
    DB_POOL_MAX: '6',
    DAPR_HTTP_PORT: String(await closedPort()),
    ESCALATION_TIME_UNIT: 'seconds',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
  const metrics = createMetrics({ appId: config.APP_ID, defaultMetrics: false });
  const dapr = daprClientFromConfig(config, { metrics, logger, timeoutMs: 500 });
  const locationDapr = daprClientFromConfig(config, { metrics, logger, timeoutMs: config.LOCATION_TIMEOUT_MS });
  const prisma = prismaFromConfig(PrismaClient, config, logger);
  const made = createApp({ config, prisma, dapr, locationDapr, logger, metrics });
  const server = await startServer(made.app, 0, '127.0.0.1');
  return {
    ...made,
    url: server.url,
    async tick() {
      const res = await fetch(`${server.url}/emergency-escalation-cron`, { method: 'POST', headers: { 'dapr-api-token': APP_TOKEN, 'content-type': 'application/json' }, body: '{}' });
      if (res.status >= 300) throw new Error(`tick answered ${res.status}: ${await res.text()}`);
    },
    async close() {
      await server.close(2000);
      await made.steps.stop();
      await made.locations.drain();
      await made.relay.stop();
      await prisma.$disconnect();
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
