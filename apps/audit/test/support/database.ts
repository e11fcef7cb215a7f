import { admin, dropSchema, testAppDatabase } from '@lifeline/db/testing';

export { admin, adminUrl, withClient } from '@lifeline/db/testing';

const auditDatabase = testAppDatabase('audit');
export const migrationsDir = auditDatabase.migrationsDir;

/** The app connects as its own restricted role, exactly as in production. */
export function appUrl(): string {
  return auditDatabase.url();
}

export interface AuditSchema {
  schema: string;
  drop(): Promise<void>;
}

/** A throwaway schema no other test file uses, migrated by the real migrations (or `dir`) as the superuser. */
export async function createAuditSchema(label: string, dir = migrationsDir): Promise<AuditSchema> {
  const schema = await auditDatabase.createSchema(label, { migrationsDir: dir });
  return { schema, drop: () => dropSchema(schema) };
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
