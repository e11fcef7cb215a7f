import { inOutboxTransaction, type Emit, type OutboxTransactionOptions } from '@lifeline/db';
import type { Tx } from '../data/db.ts';
import type { EmergencyDeps } from './emergency-deps.ts';

/**
 * The db package's outbox transaction on this app's pool (data/sql.ts), not on Prisma's engine. The pool's
 * own wait for a connection (DB_CONNECTION_WAIT_MS, then 503) applies, not the db package's default.
 */
export function inOutbox<T>(deps: Pick<EmergencyDeps, 'db' | 'outboxWritten'>, work: (tx: Tx, emit: Emit) => Promise<T>, options: Pick<OutboxTransactionOptions, 'timeoutMs'> = {}): Promise<T> {
  const pool = { $transaction: <R>(fn: (tx: Tx) => Promise<R>, o?: { timeout?: number }) => deps.db.$transaction(fn, o?.timeout === undefined ? {} : { timeout: o.timeout }) };
  return inOutboxTransaction({ prisma: pool, outboxWritten: deps.outboxWritten }, work, options);
}
