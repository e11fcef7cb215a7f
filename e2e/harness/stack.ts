import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { adminDatabaseUrl, fromRoot, migrateAll, provisionBroker, type Broker } from '@lifeline/platform';

const run = promisify(execFile);

/** The real infrastructure for one broker: started by the project's own stack script, migrated, provisioned. */
export async function prepareStack(broker: Broker): Promise<{ adminUrl: string }> {
  await run('bash', [fromRoot('scripts/stack.sh'), 'up', '--broker', broker], { maxBuffer: 10 * 1024 * 1024 });
  const adminUrl = adminDatabaseUrl();
  await migrateAll(adminUrl, () => {});
  await provisionBroker(broker);
  return { adminUrl };
}
