import { ChecksumMismatchError, FailedMigrationPendingError } from './errors.ts';
import { applyMigration } from './apply-migration.ts';
import { matchesChecksum } from './checksum.ts';
import { isApplied, isFailed, listMigrationRecords } from './history-table.ts';
import { readMigrations } from './migrations-dir.ts';
import { withMigrationSession, type SessionOptions } from './session.ts';

export interface MigrateOptions extends SessionOptions {
  /** Prisma-format folder: `<dir>/<timestamp>_<name>/migration.sql`. */
  migrationsDir: string;
  log?: (message: string) => void;
}

export interface MigrateResult {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Migrations that were already applied before this run. */
  alreadyApplied: string[];
}

/**
 * Applies pending migrations like `prisma migrate deploy`, refusing (before applying anything) when a
 * previous migration failed or an applied migration file was edited.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const log = options.log ?? (() => undefined);
  const local = await readMigrations(options.migrationsDir);

  return withMigrationSession(options, async (client) => {
    const records = await listMigrationRecords(client);

    const failed = [...new Set(records.filter(isFailed).map((record) => record.migration_name))];
    if (failed.length > 0) throw new FailedMigrationPendingError(failed, options.schema);

    const applied = new Map(records.filter(isApplied).map((record) => [record.migration_name, record]));
    const edited = local
      .filter((migration) => {
        const record = applied.get(migration.name);
        return record !== undefined && !matchesChecksum(migration.script, record.checksum);
      })
      .map((migration) => migration.name);
    if (edited.length > 0) throw new ChecksumMismatchError(edited);

    const pending = local.filter((migration) => !applied.has(migration.name));
    const done: string[] = [];
    for (const migration of pending) {
      log(`applying ${migration.name}${migration.noTransaction ? ' (no transaction)' : ''}`);
      await applyMigration(client, migration);
      done.push(migration.name);
    }
    log(pending.length === 0 ? `schema "${options.schema}" is up to date` : `applied ${done.length} migration(s)`);
    return { applied: done, alreadyApplied: local.filter((m) => applied.has(m.name)).map((m) => m.name) };
  });
}
