import { appendToOutbox, type OutboxEntry, type SqlClient } from './outbox-repository.ts';

/** Hands an event to the transaction: it is written to the outbox just before the commit. */
export type Emit = (event: OutboxEntry) => void;

export interface OutboxTransactionDeps<Tx extends SqlClient> {
  /** The app's Prisma client; `work` gets its interactive transaction client. */
  prisma: { $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: { maxWait?: number; timeout?: number }): PromiseLike<R> };
  /** Called once the transaction committed with events in it: the relay publishes them at once instead of at its next poll. */
  outboxWritten: () => void;
}

export interface OutboxTransactionOptions {
  /** Long enough for a write that waits on a concurrent one holding the same row lock (or Idempotency-Key). */
  timeoutMs?: number;
  /** How long to wait for a pooled connection. */
  maxWaitMs?: number;
}

const TRANSACTION_TIMEOUT_MS = 15_000;
const MAX_WAIT_MS = 5_000;

/**
 * Runs one change and the events it emits in a single transaction: they commit together or not at all, so no
 * change goes unannounced and no event announces a change that never was. A thrown problem (404, 409, 412, ...)
 * rolls everything back, which is how bad input changes nothing.
 */
export async function inOutboxTransaction<Tx extends SqlClient, T>(
  deps: OutboxTransactionDeps<Tx>,
  work: (tx: Tx, emit: Emit) => Promise<T>,
  options: OutboxTransactionOptions = {},
): Promise<T> {
  let written = 0;
  const result = await deps.prisma.$transaction(
    async (tx) => {
      const events: OutboxEntry[] = [];
      const value = await work(tx, (event) => events.push(event));
      for (const event of events) await appendToOutbox(tx, event);
      written = events.length;
      return value;
    },
    { timeout: options.timeoutMs ?? TRANSACTION_TIMEOUT_MS, maxWait: options.maxWaitMs ?? MAX_WAIT_MS },
  );
  if (written > 0) deps.outboxWritten();
  return result;
}
