import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '@lifeline/db';

// The stack script serves this; set DATABASE_ADMIN_URL to point the tests elsewhere.
export const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres:lifeline@127.0.0.1:25432/lifeline';
export const APP_ROLE = 'audit_app';
// Same variable and default as the platform's migrate step, which (re)sets the role's password.
const APP_PASSWORD = process.env.AUDIT_DB_PASSWORD ?? 'audit-dev-password';

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'prisma', 'audit', 'migrations');

/** The app connects as its own restricted role, exactly as in production. */
export function appUrl(): string {
  const url = new URL(adminUrl);
  url.username = APP_ROLE;
  url.password = APP_PASSWORD;
  return url.toString();
}

export async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  const client = new pg.Client({ connectionString, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function admin<T>(work: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  return withClient(adminUrl, work, schema);
}

/** scripts/migrate.ts creates the role in the stack; test files run in parallel, so losing the race is fine. */
async function ensureAppRole(): Promise<void> {
  await admin(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    if (rowCount) return;
    try {
      await client.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD.replaceAll("'", "''")}'`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 42710 duplicate_object; 23505 when two sessions insert into pg_authid at the same moment.
      if (code !== '42710' && code !== '23505') throw err;
    }
  });
}

export interface AuditSchema {
  schema: string;
  drop(): Promise<void>;
}

/** A throwaway schema no other test file uses, migrated by the real migrations (or `dir`) as the superuser. */
export async function createAuditSchema(label: string, dir = migrationsDir): Promise<AuditSchema> {
  await ensureAppRole();
  const schema = `t_audit_${label}_${randomBytes(4).toString('hex')}`;
  await migrate({ databaseUrl: adminUrl, migrationsDir: dir, schema });
  return {
    schema,
    drop: () => admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined),
  };
}

export interface ChainHeadRow {
  chain_id: number;
  last_seq: string;
  last_hash: string;
}

export async function chainHeads(schema: string): Promise<ChainHeadRow[]> {
  return admin(async (c) => (await c.query<ChainHeadRow>('SELECT chain_id, last_seq, last_hash FROM chain_heads ORDER BY chain_id')).rows, schema);
}

export async function countRows(schema: string, where = 'true', params: unknown[] = []): Promise<number> {
  return admin(async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE ${where}`, params)).rows[0]?.n ?? 0, schema);
}

/**
 * What a superuser with a grudge could do: switch the append-only trigger off, rewrite history, switch
 * it back on. Verification must notice.
 */
export async function tamper(schema: string, sql: string, params: unknown[] = []): Promise<number> {
  return admin(async (c) => {
    await c.query('BEGIN');
    await c.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    const { rowCount } = await c.query(sql, params);
    await c.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    await c.query('COMMIT');
    return rowCount ?? 0;
  }, schema);
}
