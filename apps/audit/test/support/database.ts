import pg from 'pg';
import { admin, storageDatabase, testAppDatabase, withClient, type StorageEngine } from '@lifeline/db/testing';

export { admin, adminUrl, withClient } from '@lifeline/db/testing';
export { storageDatabase, type StorageDatabase, type StorageEngine } from '@lifeline/db/testing';

const auditDatabase = testAppDatabase('audit');
export const migrationsDir = auditDatabase.migrationsDir;

/** The app connects as its own restricted role, exactly as in production. */
export function appUrl(): string {
  return auditDatabase.url();
}

export interface AuditSchema {
  schema: string;
  /** The path its migrations took: native partitions or a TimescaleDB hypertable. */
  engine: StorageEngine;
  /** The app role's connection URL for the database the schema is in (the app's DATABASE_URL). */
  appUrl: string;
  /** As the superuser (the migration owner), search_path on the schema. */
  admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T>;
  /** As the app role, search_path on the schema. */
  asApp<T>(work: (client: pg.Client) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/**
 * A throwaway schema no other test file uses, migrated by the real migrations (or `dir`) as the superuser,
 * in the stack's database, or in the database of one storage path (storageDatabase).
 */
export async function createAuditSchema(label: string, dir = migrationsDir, engine?: StorageEngine): Promise<AuditSchema> {
  const database = engine === undefined ? auditDatabase : testAppDatabase('audit', { adminUrl: (await storageDatabase(engine)).adminUrl });
  const schema = await database.createSchema(label, { migrationsDir: dir });
  const { rows } = await withClient(database.adminUrl, (c) =>
    c.query<{ kind: string }>(`SELECT relkind AS kind FROM pg_class WHERE oid = to_regclass($1)`, [`"${schema}".audit_events`]),
  );
  return {
    schema,
    engine: rows[0]?.kind === 'p' || rows[0] === undefined ? 'native' : 'timescaledb',
    appUrl: database.url(),
    admin: (work) => withClient(database.adminUrl, work, schema),
    asApp: (work) => withClient(database.url(), work, schema),
    drop: () => database.dropSchema(schema),
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
