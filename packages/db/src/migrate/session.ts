import pg from 'pg';
import { assertSchemaName } from '../schema-name.ts';
import { acquireMigrationLock, releaseMigrationLock } from './advisory-lock.ts';
import { CREATE_MIGRATIONS_TABLE } from './history-table.ts';

export interface SessionOptions {
  databaseUrl: string;
  schema: string;
  /** How long to wait for a concurrent runner to finish. Default 60 s. */
  lockTimeoutMs?: number;
}

/**
 * One connection, holding the migration lock, with search_path on the app's schema so unqualified names in
 * migrations and `_prisma_migrations` itself land there: each app keeps its own history.
 */
export async function withMigrationSession<T>(options: SessionOptions, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const schema = assertSchemaName(options.schema);
  const client = new pg.Client({ connectionString: options.databaseUrl, application_name: 'lifeline-migrate' });
  // A dropped connection surfaces as the failing query's error; without a listener it would also crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await acquireMigrationLock(client, options.lockTimeoutMs ?? 60_000);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      await client.query(CREATE_MIGRATIONS_TABLE);
      return await work(client);
    } finally {
      await releaseMigrationLock(client).catch(() => {
        // The lock dies with the session, which `end()` below closes anyway.
      });
    }
  } finally {
    await client.end();
  }
}
