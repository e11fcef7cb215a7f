import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { createLogger, createMetrics, daprClientFromConfig, signToken, startServer, type Role } from '@lifeline/kit';
import { createPrismaClient, disconnect } from '@lifeline/db';
import { createApp } from '../../src/app.ts';
import { loadAuditConfig, type AuditConfig } from '../../src/config.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import type { Subscriptions } from '@lifeline/kit';
import { appUrl } from './database.ts';

export const JWT_SECRET = 'audit-test-secret-that-is-at-least-32-characters';
export const APP_API_TOKEN = 'audit-test-app-token';

export function testConfig(env: Record<string, string | undefined> = {}): AuditConfig {
  return loadAuditConfig({
    APP_ID: 'audit',
    JWT_SECRET,
    APP_API_TOKEN,
    DATABASE_URL: appUrl(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...env,
  });
}

export interface RunningAudit {
  url: string;
  /** The express app, for tests that look at what is registered. */
  app: Express;
  prisma: PrismaClient;
  subscriptions: Subscriptions;
  close(): Promise<void>;
}

/** The real app on port 0 against the given schema, connected as the restricted app role. */
export async function startAudit(env: Record<string, string | undefined>): Promise<RunningAudit> {
  const config = testConfig(env);
  const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
  const metrics = createMetrics({ appId: config.APP_ID, defaultMetrics: false });
  const dapr = daprClientFromConfig(config, { timeoutMs: 500 });
  const prisma = createPrismaClient(PrismaClient, {
    connectionString: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    poolMax: 4,
    connectionTimeoutMs: 1000,
  });
  const { app, subscriptions } = createApp({ config, prisma, dapr, logger, metrics });
  const server = await startServer(app, 0, '127.0.0.1');
  return {
    url: server.url,
    app,
    prisma,
    subscriptions,
    async close() {
      await server.close(1000);
      await disconnect(prisma);
    },
  };
}

export function bearer(roles: Role[], sub = 'officer-1'): Promise<string> {
  return signToken(JWT_SECRET, { sub, roles });
}

export async function deliver(base: string, topic: string, body: unknown, token: string | null = APP_API_TOKEN): Promise<Response> {
  return fetch(`${base}/events/${topic}`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', ...(token === null ? {} : { 'dapr-api-token': token }) },
    body: JSON.stringify(body),
  });
}

export async function getJson(base: string, path: string, roles: Role[] | null): Promise<Response> {
  const headers: Record<string, string> = roles === null ? {} : { authorization: `Bearer ${await bearer(roles)}` };
  return fetch(`${base}${path}`, { headers });
}

/** Stands in for daprd's health endpoint, the only sidecar call readiness makes. */
export async function fakeSidecar(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    res.statusCode = req.url === '/v1.0/healthz/outbound' ? 204 : 404;
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface BulkEntryInput {
  entryId?: string;
  /** The CloudEvent daprd parsed from the broker message (or anything, to test what is refused). */
  event: unknown;
}

/** The body daprd 1.18 POSTs to a bulk subscription's route (see the kit's bulk-subscriptions test). */
export function bulkBody(topic: string, entries: BulkEntryInput[]): { entries: Array<{ entryId: string }> } & Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'com.dapr.event.sent.bulk',
    topic,
    pubsubname: 'pubsub',
    metadata: { pubsubName: 'pubsub' },
    entries: entries.map((e) => ({
      entryId: e.entryId ?? randomUUID(),
      event: e.event,
      contentType: 'application/cloudevents+json',
      metadata: {},
    })),
  };
}

export async function deliverBulk(
  base: string,
  topic: string,
  body: ReturnType<typeof bulkBody>,
  token: string | null = APP_API_TOKEN,
): Promise<Response> {
  return fetch(`${base}/events/${topic}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { 'dapr-api-token': token }) },
    body: JSON.stringify(body),
  });
}

/** The statuses of a bulk answer, by entryId. */
export async function bulkStatuses(res: Response): Promise<Record<string, string>> {
  if (res.status !== 200) throw new Error(`bulk delivery answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { statuses: Array<{ entryId: string; status: string }> };
  return Object.fromEntries(body.statuses.map((s) => [s.entryId, s.status]));
}

export async function triggerBinding(base: string, name: string, token: string | null = APP_API_TOKEN): Promise<Response> {
  return fetch(`${base}/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { 'dapr-api-token': token }) },
    body: '{}',
  });
}
