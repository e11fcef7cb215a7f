import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { LockTimeoutError } from './errors.ts';

// The key `prisma migrate` itself locks, so this runner and `prisma migrate deploy` also exclude each other.
export const MIGRATION_LOCK_KEY = 72707369;

const POLL_MS = 100;

/** Session-level lock: released by `releaseMigrationLock` or, if the process dies, by the server. */
export async function acquireMigrationLock(client: pg.ClientBase, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_KEY,
    ]);
    if (result.rows[0]?.locked) return;
    if (Date.now() >= deadline) throw new LockTimeoutError(timeoutMs);
    await sleep(POLL_MS);
  }
}

export async function releaseMigrationLock(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
}
