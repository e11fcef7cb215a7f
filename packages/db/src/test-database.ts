/**
 * Test support (import from "@lifeline/db/testing", never from app code): each test file migrates its own
 * throwaway schema with the app's real migrations, as the superuser, and the app under test connects as the
 * app's own restricted role, exactly as in production.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
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
  /** The superuser URL of the database its schemas are made in. */
  adminUrl: string;
  /** The login role the migrate CLI creates for the app. */
  role: string;
  /** prisma/<app>/migrations */
  migrationsDir: string;
  /** The connection URL of the app's role, as the app gets it in DATABASE_URL. */
  url(): string;
  /** A fresh schema `t_<app>_<label>_<random>`, migrated the way the migrate CLI does it; drop it with dropSchema. */
  createSchema(label: string, opts?: { migrationsDir?: string }): Promise<string>;
  /** Drops a schema of this database. */
  dropSchema(schema: string): Promise<void>;
}

/**
 * TimescaleDB runs a new job at once, so a fresh schema's compression, retention and refresh jobs ran in
 * the background while its tests wrote back-dated rows: an audit insert waited on a chunk being compressed
 * and was answered RETRY (which only a real sidecar redelivers), a location test met a deadlock. Tests of
 * a policy run its job themselves (CALL run_job), which an unscheduled job still allows.
 */
async function unscheduleJobs(databaseUrl: string, schema: string): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ ts: string }>(
      `SELECT n.nspname AS ts FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'timescaledb'`,
    );
    const ts = rows[0]?.ts;
    if (ts === undefined) return;
    await client.query(
      `SELECT "${ts}".alter_job(job_id, scheduled => false) FROM timescaledb_information.jobs WHERE proc_schema = $1 OR hypertable_schema = $1`,
      [schema],
    );
  });
}

/**
 * Test databases of one app (tasks, audit, ...), in the stack's database or in `opts.adminUrl` (one of
 * storageDatabase's, to hold a storage path).
 */
export function testAppDatabase(app: string, opts: { adminUrl?: string } = {}): TestAppDatabase {
  const databaseUrl = opts.adminUrl ?? adminUrl;
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
    adminUrl: databaseUrl,
    role,
    migrationsDir,
    url() {
      const url = new URL(databaseUrl);
      url.username = role;
      url.password = password;
      return url.toString();
    },
    async createSchema(label, schemaOpts = {}) {
      await ensureRole();
      const schema = uniqueSchema(`${app}_${label}`);
      await migrate({ databaseUrl, migrationsDir: schemaOpts.migrationsDir ?? migrationsDir, schema });
      await unscheduleJobs(databaseUrl, schema);
      return schema;
    },
    async dropSchema(schema) {
      await withClient(databaseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}

/** The two storage paths of the audit and location migrations (TimescaleDB hypertables, native partitions). */
export type StorageEngine = 'timescaledb' | 'native';

export interface StorageDatabase {
  engine: StorageEngine;
  /** The superuser URL of a database whose migrations take this path. */
  adminUrl: string;
  /** Why the path cannot run on this machine (tests skip with it); undefined when it can. */
  unavailable?: string;
}

// Where scripts/install/timescaledb.sh looks for the build, relative to the repo root.
const TIMESCALEDB_BUILD = process.env.LIFELINE_TIMESCALEDB_DIR ?? fileURLToPath(new URL('../../../../shared/timescaledb', import.meta.url));

/**
 * A database for each storage path, in the one cluster the tests use. TimescaleDB: the stack's own database
 * (its migrations take the hypertable path where the server preloads the extension); unavailable, with the
 * reason, only where there is no build to install (../shared/timescaledb); where there is one and the server
 * does not preload it, that is an error, not a skip. Native: `<database>_native`, created on first use with
 * the per-database switch `lifeline.storage = 'native'`, which the migrations obey even where TimescaleDB loads.
 */
export async function storageDatabase(engine: StorageEngine): Promise<StorageDatabase> {
  if (engine === 'native') return { engine, adminUrl: await ensureNativeDatabase() };
  const { rows } = await admin((c) =>
    c.query<{ preloaded: boolean; available: boolean; storage: string | null }>(
      `SELECT coalesce(current_setting('shared_preload_libraries', true), '') LIKE '%timescaledb%' AS preloaded,
              EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
              current_setting('lifeline.storage', true) AS storage`,
    ),
  );
  const state = rows[0];
  if (state?.preloaded && state.available && state.storage !== 'native') return { engine, adminUrl };
  const server = new URL(adminUrl);
  if (!existsSync(`${TIMESCALEDB_BUILD}/install.sh`)) {
    return { engine, adminUrl, unavailable: `TimescaleDB cannot load on ${server.host} (no build in ${TIMESCALEDB_BUILD}): only the native path runs here` };
  }
  throw new Error(
    state?.storage === 'native'
      ? `${server.pathname.slice(1)} says lifeline.storage = 'native': the TimescaleDB path needs a database without the switch`
      : `the TimescaleDB build is in ${TIMESCALEDB_BUILD}, but the server on ${server.host} does not preload it: run bash scripts/stack.sh up (it installs the build and restarts Postgres with it)`,
  );
}

async function ensureNativeDatabase(): Promise<string> {
  const url = new URL(adminUrl);
  const name = `${decodeURIComponent(url.pathname.slice(1)) || 'postgres'}_native`;
  await admin(async (c) => {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      try {
        await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`);
      } catch (err) {
        const code = (err as { code?: string }).code;
        // 42P04 duplicate_database, 23505 when another test process creates it at the same moment.
        if (code !== '42P04' && code !== '23505') throw err;
      }
    }
    // Every caller sets it (idempotent) before migrating, so none can migrate there before the switch is on.
    await c.query(`ALTER DATABASE ${c.escapeIdentifier(name)} SET lifeline.storage = 'native'`);
  });
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}
