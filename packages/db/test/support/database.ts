import { randomBytes } from 'node:crypto';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// The stack script serves this; set DATABASE_ADMIN_URL to point the tests elsewhere.
export const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres:lifeline@127.0.0.1:25432/lifeline';

export const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'prisma', '_test');
export const fixtureMigrations = join(fixtureDir, 'migrations');

/** A schema name no other test (or parallel test process) uses. */
export function uniqueSchema(label: string): string {
  return `t_${label}_${randomBytes(4).toString('hex')}`;
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

export async function dropSchema(schema: string): Promise<void> {
  await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** A private, editable copy of the fixture migrations. */
export async function copyFixtureMigrations(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lifeline-migrations-'));
  await cp(fixtureMigrations, dir, { recursive: true });
  return dir;
}

export interface HistoryRow {
  id: string;
  checksum: string;
  migration_name: string;
  logs: string | null;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

export async function history(schema: string): Promise<HistoryRow[]> {
  return admin(async (client) => {
    const result = await client.query<HistoryRow>(`SELECT * FROM "${schema}"._prisma_migrations ORDER BY started_at`);
    return result.rows;
  });
}

export async function tablesIn(schema: string): Promise<string[]> {
  return admin(async (client) => {
    const result = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    return result.rows.map((row) => row.table_name);
  });
}
