import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '@lifeline/db';

// The stack script serves this; set DATABASE_ADMIN_URL to point the tests elsewhere.
export const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres:lifeline@127.0.0.1:25432/lifeline';
const prismaDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'prisma');

/** What the migrate CLI creates before it runs an app's migrations: the app connects as this role, never as the superuser. */
export interface AppDatabase {
  app: 'recurring' | 'tasks';
  role: string;
  password: string;
}

export const RECURRING_DB: AppDatabase = { app: 'recurring', role: 'recurring_app', password: 'recurring-dev-password' };
export const TASKS_DB: AppDatabase = { app: 'tasks', role: 'tasks_app', password: 'tasks-dev-password' };

export function appUrl(db: AppDatabase): string {
  const url = new URL(adminUrl);
  url.username = db.role;
  url.password = db.password;
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

async function ensureRole(db: AppDatabase): Promise<void> {
  await admin(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [db.role]);
    if (rowCount) return;
    try {
      await client.query(`CREATE ROLE ${db.role} LOGIN PASSWORD '${db.password}'`);
    } catch (err) {
      // Test files run as parallel processes: another one may have created it a moment ago.
      const code = (err as { code?: string }).code;
      if (code !== '42710' && code !== '23505') throw err;
    }
  });
}

/** A fresh schema no other test process uses, migrated from prisma/<app>/migrations like the migrate CLI does. */
export async function createTestSchema(db: AppDatabase, label: string): Promise<string> {
  await ensureRole(db);
  const schema = `t_${db.app}_${label}_${randomBytes(4).toString('hex')}`;
  await migrate({ databaseUrl: adminUrl, migrationsDir: join(prismaDir, db.app, 'migrations'), schema });
  return schema;
}

export async function dropSchema(schema: string): Promise<void> {
  await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  return admin(async (client) => (await client.query<T>(sql, params)).rows);
}
