import { appendToOutbox, type OutboxEntry } from '@lifeline/db';
import type { Tx } from '../data/db.ts';
import type { RecurringDeps } from './recurring-deps.ts';

export type Emit = (event: OutboxEntry) => void;

const TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * One change and the events it emits in a single transaction: they commit together or not at all. A thrown
 * problem (404, 409, 412, ...) rolls everything back, which is how bad input changes nothing.
 */
export async function inSeriesTransaction<T>(
  deps: Pick<RecurringDeps, 'prisma' | 'outboxWritten'>,
  work: (tx: Tx, emit: Emit) => Promise<T>,
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
