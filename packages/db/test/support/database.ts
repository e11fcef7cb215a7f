import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin } from '../../src/test-database.ts';

export { admin, adminUrl, dropSchema, uniqueSchema } from '../../src/test-database.ts';

export const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'prisma', '_test');
export const fixtureMigrations = join(fixtureDir, 'migrations');

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
