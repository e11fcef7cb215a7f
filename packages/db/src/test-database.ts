/**
 * Test support (import from "@lifeline/db/testing", never from app code): each test file migrates its own
 * throwaway schema with the app's real migrations, as the superuser, and the app under test connects as the
 * app's own restricted role, exactly as in production.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from './migrate/migrate.ts';

// The stack script serves this; set DATABASE_ADMIN_URL to point the tests elsewhere.
export const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres:lifeline@127.0.0.1:25432/lifeline';

const PRISMA_DIR = fileURLToPath(new URL('../../../prisma/', import.meta.url));
const APP_NAME = /^[a-z][a-z0-9_]{0,40}$/;

/** One connection for `work`, closed afterwards; `schema` becomes its search_path. */
export async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  const client = new pg.Client({ connectionString, ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** As the superuser: setup, and reading or breaking what the app's role may not. */
export function admin<T>(work: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  return withClient(adminUrl, work, schema);
}

/** A schema name no other test file (or parallel test process) uses. */
export function uniqueSchema(label: string): string {
  return `t_${label}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export interface TestAppDatabase {
  app: string;
  /** The login role the migrate CLI creates for the app. */
  role: string;
  /** prisma/<app>/migrations */
  migrationsDir: string;
  /** The connection URL of the app's role, as the app gets it in DATABASE_URL. */
  url(): string;
  /** A fresh schema `t_<app>_<label>_<random>`, migrated the way the migrate CLI does it; drop it with dropSchema. */
  createSchema(label: string, opts?: { migrationsDir?: string }): Promise<string>;
}

/** Test databases of one app (tasks, audit, ...). */
export function testAppDatabase(app: string): TestAppDatabase {
  if (!APP_NAME.test(app)) throw new TypeError(`testAppDatabase: ${JSON.stringify(app)} is not an app name`);
  const role = `${app}_app`;
  // Same variable and default as the platform's migrate step, which creates the role (and resets its password).
  const password = process.env[`${app.toUpperCase()}_DB_PASSWORD`] ?? `${app}-dev-password`;
  const migrationsDir = `${PRISMA_DIR}${app}/migrations`;

  // Where the migrate CLI has not run, the tests create the role; test files run as parallel processes, so
  // losing that race to another one is fine.
  async function ensureRole(): Promise<void> {
    await admin(async (client) => {
      const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (rowCount) return;
      try {
        await client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password.replaceAll("'", "''")}'`);
      } catch (err) {
        const code = (err as { code?: string }).code;
        // 42710 duplicate_object; 23505 when two sessions insert into pg_authid at the same moment.
        if (code !== '42710' && code !== '23505') throw err;
      }
    });
  }

  return {
    app,
    role,
    migrationsDir,
    url() {
      const url = new URL(adminUrl);
      url.username = role;
      url.password = password;
      return url.toString();
    },
    async createSchema(label, opts = {}) {
      await ensureRole();
      const schema = uniqueSchema(`${app}_${label}`);
      await migrate({ databaseUrl: adminUrl, migrationsDir: opts.migrationsDir ?? migrationsDir, schema });
      return schema;
    },
  };
}
