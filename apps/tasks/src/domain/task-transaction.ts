import type { Prisma } from '../generated/prisma/client.ts';
import { appendToOutbox, type OutboxEntry } from '@lifeline/db';
import type { TaskDeps } from './task-deps.ts';

export type Emit = (event: OutboxEntry) => void;

// Long enough for a create that waits on a concurrent request holding the same Idempotency-Key.
const TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * Runs one write and the events it emits in a single transaction: the change and its events commit
 * together or not at all, so no change goes unannounced and no event announces a change that never was.
 * A thrown problem (404, 412, ...) rolls everything back, which is how bad input changes nothing.
 */
export async function inTaskTransaction<T>(
  deps: Pick<TaskDeps, 'prisma' | 'outboxWritten'>,
  work: (tx: Prisma.TransactionClient, emit: Emit) => Promise<T>,
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
    { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 5_000 },
  );
  if (written > 0) deps.outboxWritten();
  return result;
}
