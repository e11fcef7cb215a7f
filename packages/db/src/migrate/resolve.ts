import { randomUUID } from 'node:crypto';
import { MigrationError } from './errors.ts';
import { insertApplied, isApplied, isFailed, listMigrationRecords, markRolledBack } from './history-table.ts';
import { readMigrations } from './migrations-dir.ts';
import { withMigrationSession, type SessionOptions } from './session.ts';

export interface ResolveOptions extends SessionOptions {
  migrationsDir: string;
  migration: string;
  /**
   * `rolled-back`: the failed attempt is set aside and the migration runs again next time.
   * `applied`: the migration counts as done (fixed by hand, or a baseline) and will not run.
   */
  as: 'rolled-back' | 'applied';
}

/** The equivalent of `prisma migrate resolve`, for after someone has repaired the database by hand. */
export async function resolveMigration(options: ResolveOptions): Promise<void> {
  const local = (await readMigrations(options.migrationsDir)).find((m) => m.name === options.migration);
  if (!local) throw new MigrationError(`migration "${options.migration}" is not in ${options.migrationsDir}`);

  await withMigrationSession(options, async (client) => {
    const records = (await listMigrationRecords(client)).filter((r) => r.migration_name === options.migration);
    const failedIds = records.filter(isFailed).map((record) => record.id);

    if (options.as === 'rolled-back') {
      if (failedIds.length === 0) {
        throw new MigrationError(`migration "${options.migration}" has no failed attempt to mark as rolled back`);
      }
      await markRolledBack(client, failedIds);
      return;
    }

    if (records.some(isApplied)) throw new MigrationError(`migration "${options.migration}" is already applied`);
    await client.query('BEGIN');
    try {
      if (failedIds.length > 0) await markRolledBack(client, failedIds);
      await insertApplied(client, randomUUID(), local.name, local.checksum);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
