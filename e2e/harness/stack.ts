import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { adminDatabaseUrl, fromRoot, migrateAll, provisionBroker, type Broker } from '@lifeline/platform';

const run = promisify(execFile);

/**
 * The real infrastructure for one broker: started by the project's own stack script, migrated, provisioned.
 * `database` (created when missing) puts every app's schema in a database of its own on the same server, as
 * benchmarks do so their rows and the dev database's state never meet.
 */
export async function prepareStack(broker: Broker, database?: string): Promise<{ adminUrl: string }> {
  await run('bash', [fromRoot('scripts/stack.sh'), 'up', '--broker', broker], { maxBuffer: 10 * 1024 * 1024 });
  const adminUrl = database === undefined ? adminDatabaseUrl() : await ensureDatabase(adminDatabaseUrl(), database);
  await migrateAll(adminUrl, () => {});
  await provisionBroker(broker);
  return { adminUrl };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
