import { createDaprClient, createLogger, createMetrics, signToken, startServer, type Role } from '@lifeline/kit';
import { createPrismaClient } from '@lifeline/db';
import { createApp as createTasksApp } from '../../../tasks/src/app.ts';
import { loadTasksConfig } from '../../../tasks/src/config.ts';
import { PrismaClient as TasksPrismaClient } from '../../../tasks/src/generated/prisma/client.ts';
import { createApp, type RecurringApp } from '../../src/app.ts';
import { loadRecurringConfig } from '../../src/config.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { RECURRING_DB, TASKS_DB, dropSchema } from './database.ts';
import { startFakeSidecar, type FakeSidecar } from './fake-sidecar.ts';

export const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

/**
 * The recurring app and the real tasks app, each on its own test schema, joined by a fake sidecar that
 * delivers their events and forwards service invocation: a series goes through the same hops as in
 * production (task.created -> series -> series.created -> POST /tasks -> task events), minus daprd.
 */
export interface Stack {
  recurring: RecurringApp & { url: string };
  tasksUrl: string;
  sidecar: FakeSidecar;
  recurringSchema: string;
  tasksSchema: string;
  close(): Promise<void>;
}

export interface StackOptions {
  label: string;
  /** Extra environment for the recurring app (horizon, batch sizes, ...). */
  env?: Record<string, string>;
  /** Deliver the apps' events (default true); false leaves delivery to the test. */
  deliver?: boolean;
  /** The recurring app's clock (default: real time); pinning it makes "now" and the horizon exact. */
  now?: () => Date;
}

function quietLogger(appId: string) {
  return createLogger({ appId, level: (process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent' });
}

async function startTasks(schema: string, daprPort: number) {
  const config = loadTasksConfig({
    APP_ID: 'tasks',
    JWT_SECRET,
    DATABASE_URL: TASKS_DB.url(),
    DB_SCHEMA: schema,
    DB_POOL_MAX: '4',
    DAPR_HTTP_PORT: String(daprPort),
    OUTBOX_POLL_MS: '50',
    LOG_LEVEL: 'silent',
  });
  const logger = quietLogger('tasks');
  const metrics = createMetrics({ appId: 'tasks', defaultMetrics: false });
  const dapr = createDaprClient({ host: '127.0.0.1', httpPort: daprPort, pubsubName: 'pubsub', stateStoreName: 'statestore', timeoutMs: 5000 });
  const prisma = createPrismaClient(TasksPrismaClient, { connectionString: config.DATABASE_URL, schema, poolMax: 4 });
  const built = createTasksApp({ config, prisma, dapr, logger, metrics });
  const server = await startServer(built.app, 0, '127.0.0.1');
  built.relay.start();
  return {
    url: server.url,
    async close() {
      await server.close(2000);
      await built.relay.stop();
      await built.recurrence.close();
      await prisma.$disconnect();
    },
  };
}

async function startRecurring(schema: string, daprPort: number, opts: StackOptions) {
  const config = loadRecurringConfig({
    APP_ID: 'recurring',
    JWT_SECRET,
    DATABASE_URL: RECURRING_DB.url(),
    DB_SCHEMA: schema,
    DB_POOL_MAX: '6',
    DAPR_HTTP_PORT: String(daprPort),
    OUTBOX_POLL_MS: '50',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const logger = quietLogger('recurring');
  const metrics = createMetrics({ appId: 'recurring', defaultMetrics: false });
  const dapr = createDaprClient({ host: '127.0.0.1', httpPort: daprPort, pubsubName: 'pubsub', stateStoreName: 'statestore', timeoutMs: 5000 });
  const prisma = createPrismaClient(PrismaClient, { connectionString: config.DATABASE_URL, schema, poolMax: config.DB_POOL_MAX });
  const built = createApp({ config, prisma, dapr, logger, metrics, ...(opts.now ? { now: opts.now } : {}) });
  const server = await startServer(built.app, 0, '127.0.0.1');
  built.relay.start();
  return {
    app: { ...built, url: server.url },
    async close() {
      await server.close(2000);
      await built.relay.stop();
      await built.evaluator.close();
      await prisma.$disconnect();
    },
  };
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const [recurringSchema, tasksSchema] = await Promise.all([
    RECURRING_DB.createSchema(opts.label),
    TASKS_DB.createSchema(opts.label),
  ]);
  const sidecar = await startFakeSidecar();
  const tasks = await startTasks(tasksSchema, sidecar.port);
  const recurring = await startRecurring(recurringSchema, sidecar.port, opts);
  sidecar.route('tasks', tasks.url);
  if (opts.deliver !== false) {
    sidecar.subscribe('task-events', recurring.app.url);
    sidecar.subscribe('recurring-task-events', recurring.app.url);
  }
  return {
    recurring: recurring.app,
    tasksUrl: tasks.url,
    sidecar,
    recurringSchema,
    tasksSchema,
    async close() {
      await recurring.close();
      await tasks.close();
      await sidecar.close();
      await Promise.all([dropSchema(recurringSchema), dropSchema(tasksSchema)]);
    },
  };
}

export async function bearer(sub: string, roles: Role[] = ['user'], care?: string[]): Promise<string> {
  return `Bearer ${await signToken(JWT_SECRET, { sub, roles, ...(care ? { care } : {}) })}`;
}
