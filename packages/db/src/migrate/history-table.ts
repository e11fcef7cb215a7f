import type pg from 'pg';

// Column for column the table `prisma migrate deploy` creates on PostgreSQL, so either tool can take over
// a database the other one migrated.
export const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationRecord {
  id: string;
  checksum: string;
  migration_name: string;
  logs: string | null;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

export async function listMigrationRecords(client: pg.ClientBase): Promise<MigrationRecord[]> {
  const result = await client.query<MigrationRecord>(
    `SELECT id, checksum, migration_name, logs, started_at, finished_at, rolled_back_at, applied_steps_count
       FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );
  return result.rows;
}

/** Prisma's notion of a failed migration: started, never finished, and not resolved as rolled back. */
export function isFailed(record: MigrationRecord): boolean {
  return record.finished_at === null && record.rolled_back_at === null;
}

export function isApplied(record: MigrationRecord): boolean {
  return record.finished_at !== null && record.rolled_back_at === null;
}

export async function insertStarted(client: pg.ClientBase, id: string, name: string, checksum: string): Promise<void> {
  await client.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, clock_timestamp(), 0)`,
    [id, checksum, name],
  );
}

export async function markFinished(client: pg.ClientBase, id: string): Promise<void> {
  await client.query(
    `UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1
      WHERE id = $1`,
    [id],
  );
}

export async function recordFailure(client: pg.ClientBase, id: string, logs: string): Promise<void> {
  await client.query('UPDATE _prisma_migrations SET logs = $2 WHERE id = $1', [id, logs]);
}

export async function insertFailed(
  client: pg.ClientBase,
  failure: { id: string; name: string; checksum: string; startedAt: Date; logs: string },
): Promise<void> {
  await client.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count)
     VALUES ($1, $2, $3, $4, $5, 0)`,
    [failure.id, failure.checksum, failure.name, failure.logs, failure.startedAt],
  );
}

export async function markRolledBack(client: pg.ClientBase, ids: string[]): Promise<void> {
  await client.query('UPDATE _prisma_migrations SET rolled_back_at = clock_timestamp() WHERE id = ANY($1)', [ids]);
}

export async function insertApplied(client: pg.ClientBase, id: string, name: string, checksum: string): Promise<void> {
  await client.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
     VALUES ($1, $2, $3, clock_timestamp(), clock_timestamp(), 0)`,
    [id, checksum, name],
  );
}
