import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '@lifeline/db';

// The stack script serves this; set DATABASE_ADMIN_URL to point the tests elsewhere.
export const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres:lifeline@127.0.0.1:25432/lifeline';
export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'prisma', 'tasks', 'migrations');

// What scripts/migrate.ts creates before it runs the migrations; the app connects as this role, never as the superuser.
export const APP_ROLE = 'tasks_app';
const APP_PASSWORD = 'tasks-dev-password';

export function appUrl(): string {
  const url = new URL(adminUrl);
  url.username = APP_ROLE;
  url.password = APP_PASSWORD;
  return url.toString();
}

export async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function ensureAppRole(): Promise<void> {
  await admin(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    if (rowCount) return;
    try {
      await client.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`);
    } catch (err) {
      // Test files run as parallel processes: another one may have created it a moment ago.
      const code = (err as { code?: string }).code;
      if (code !== '42710' && code !== '23505') throw err;
    }
  });
}

/** A fresh schema no other test process uses, migrated the way scripts/migrate.ts does it. */
export async function createTestSchema(label: string): Promise<string> {
  await ensureAppRole();
  const schema = `t_tasks_${label}_${randomBytes(4).toString('hex')}`;
  await migrate({ databaseUrl: adminUrl, migrationsDir, schema });
  return schema;
}

export async function dropSchema(schema: string): Promise<void> {
  await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export async function countRows(schema: string, table: 'tasks' | 'outbox' | 'idempotency_keys'): Promise<number> {
  const { rows } = await admin((client) => client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`));
  return rows[0]?.n ?? 0;
}

export interface OutboxRow {
  id: string;
  topic: string;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
  published_at: Date | null;
  attempts: number;
  last_error: string | null;
}

export async function outboxRows(schema: string): Promise<OutboxRow[]> {
  const { rows } = await admin((client) => client.query<OutboxRow>(`SELECT * FROM "${schema}".outbox ORDER BY seq`));
  return rows;
}

/** Everything a request could have written; a refused request must leave all of it as it was. */
export async function tableSnapshot(schema: string): Promise<{ tasks: unknown[]; outbox: number; keys: number }> {
  return admin(async (client) => {
    const tasks = await client.query(`SELECT * FROM "${schema}".tasks ORDER BY id`);
    const outbox = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    const keys = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".idempotency_keys`);
    return { tasks: tasks.rows, outbox: outbox.rows[0]?.n ?? 0, keys: keys.rows[0]?.n ?? 0 };
  });
}

/** Outbox events written after `afterCount` rows, parsed as stored. */
export async function outboxEventsSince(schema: string, afterCount: number): Promise<Array<Record<string, unknown>>> {
  return (await outboxRows(schema)).slice(afterCount).map((r) => r.payload);
}
