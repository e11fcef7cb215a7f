import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { MigrationFailedError } from './errors.ts';
import { insertFailed, insertStarted, markFinished, recordFailure } from './history-table.ts';
import type { LocalMigration } from './migrations-dir.ts';
import { splitStatements } from './split-statements.ts';

export async function applyMigration(client: pg.Client, migration: LocalMigration): Promise<void> {
  if (migration.noTransaction) await applyWithoutTransaction(client, migration);
  else await applyInTransaction(client, migration);
}

// The history row commits with the migration's effects, so a crash mid-way leaves neither behind and the next
// run simply retries; only a real SQL failure is recorded (after the rollback) as a failed migration.
async function applyInTransaction(client: pg.Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  const startedAt = new Date();
  await client.query('BEGIN');
  try {
    await insertStarted(client, id, migration.name, migration.checksum);
    await client.query(migration.script);
    await markFinished(client, id);
    await client.query('COMMIT');
  } catch (error) {
    const logs = describeFailure(error, migration.script);
    try {
      await client.query('ROLLBACK');
      await insertFailed(client, { id, name: migration.name, checksum: migration.checksum, startedAt, logs });
    } catch (recordError) {
      // Connection lost: nothing was committed, so the next run retries the migration from scratch.
      throw new MigrationFailedError(migration.name, `${logs}
(not recorded: ${String(recordError)})`, { cause: error });
    }
    throw new MigrationFailedError(migration.name, logs, { cause: error });
  }
}

// Statements run one at a time in autocommit; the row is written first so that a failure (or crash) half-way
// through leaves a failed record that blocks later runs until someone checks what was applied.
async function applyWithoutTransaction(client: pg.Client, migration: LocalMigration): Promise<void> {
  const id = randomUUID();
  await insertStarted(client, id, migration.name, migration.checksum);
  const statements = splitStatements(migration.script);
  for (const [index, statement] of statements.entries()) {
    try {
      await client.query(statement);
    } catch (error) {
      const where = `statement ${index + 1} of ${statements.length} (earlier statements stay applied): ${statement.slice(0, 200)}`;
      const logs = `${describeFailure(error, statement)}\n${where}`;
      await recordFailure(client, id, logs);
      throw new MigrationFailedError(migration.name, logs, { cause: error });
    }
  }
  await markFinished(client, id);
}

function describeFailure(error: unknown, sql: string): string {
  if (!(error instanceof Error)) return String(error);
  const db = error as Error & Partial<pg.DatabaseError>;
  const parts = [db.message];
  if (db.code) parts.push(`Database error code: ${db.code}`);
  if (db.position) parts.push(`at line ${lineAt(sql, Number(db.position))}`);
  if (db.detail) parts.push(`Detail: ${db.detail}`);
  if (db.hint) parts.push(`Hint: ${db.hint}`);
  return parts.join('\n');
}

function lineAt(sql: string, position: number): number {
  return sql.slice(0, Math.max(0, position - 1)).split('\n').length;
}
