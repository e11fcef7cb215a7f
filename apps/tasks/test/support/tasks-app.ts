import type { Express } from 'express';
import { createLogger, createMetrics, daprClientFromConfig, signToken, startServer, type Metrics, type Role } from '@lifeline/kit';
import { prismaFromConfig } from '@lifeline/db';
import { createApp } from '../../src/app.ts';
import { loadTasksConfig } from '../../src/config.ts';
import type { PrismaClient } from '../../src/data/db.ts';
import { PrismaClient as GeneratedPrismaClient } from '../../src/generated/prisma/client.ts';
import type { OutboxRelay } from '@lifeline/db';
import { appUrl } from './database.ts';

export const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface StartOptions {
  schema: string;
  /** Where the app finds its "sidecar": a recorder or a closed port. */
  daprPort: number;
  startRelay?: boolean;
  env?: Record<string, string>;
}

export interface RunningTasksApp {
  url: string;
  /** The express app, for tests that look at what is registered. */
  app: Express;
  prisma: PrismaClient;
  relay: OutboxRelay;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function startTasksApp(opts: StartOptions): Promise<RunningTasksApp> {
  const config = loadTasksConfig({
    APP_ID: 'tasks',
    JWT_SECRET,
    DATABASE_URL: appUrl(),
    DB_SCHEMA: opts.schema,
    DB_POOL_MAX: '4',
    DAPR_HTTP_PORT: String(opts.daprPort),
    OUTBOX_POLL_MS: '50',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
  const metrics = createMetrics({ appId: config.APP_ID, defaultMetrics: false });
  // Wired as main.ts wires it, with a short sidecar timeout so tests against a "down" sidecar stay quick.
  const dapr = daprClientFromConfig(config, { metrics, logger, timeoutMs: 1000 });
  const prisma = prismaFromConfig(GeneratedPrismaClient, config, logger);
  const { app, relay, recurrence } = createApp({ config, prisma, dapr, logger, metrics });
  const server = await startServer(app, 0, '127.0.0.1');
  if (opts.startRelay) relay.start();
  return {
    url: server.url,
    app,
    prisma,
    relay,
    metrics,
    async close() {
      await server.close(2000);
      await relay.stop();
      await recurrence.close();
      await prisma.$disconnect();
    },
  };
}

export async function bearer(sub: string, roles: Role[] = ['user'], care?: string[]): Promise<string> {
  return `Bearer ${await signToken(JWT_SECRET, { sub, roles, ...(care ? { care } : {}) })}`;
}

export async function postTask(url: string, authorization: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/tasks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization ? { authorization } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function getTaskById(url: string, authorization: string | undefined, id: string): Promise<Response> {
  return fetch(`${url}/tasks/${id}`, { headers: authorization ? { authorization } : {} });
}
