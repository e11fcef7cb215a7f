import type { PrismaClient } from '../data/db.ts';
import { appendToOutboxOnce } from '@lifeline/db';
import { claimDueReminders, markReminded } from '../data/reminder-repository.ts';
import { reminderEvent } from './reminder-event.ts';

export interface ReminderDeps {
  prisma: PrismaClient;
  outboxWritten: () => void;
  batchSize: number;
  /** A tick stops starting new batches after this long, well inside the cron interval. */
  budgetMs?: number;
}

/**
 * Writes reminder.due for every open task whose reminder time has come, once per (task, remindAt).
 * Each batch claims its tasks with FOR UPDATE SKIP LOCKED, writes their events to the outbox and marks
 * them reminded in ONE transaction: a tick that dies half-way leaves nothing marked and nothing written,
 * and an overlapping tick, a redelivered cron call or another replica finds those tasks locked or already
 * marked. The event id is derived from (task, remindAt), so even a replayed outbox row is one event downstream.
 */
export async function sendDueReminders(deps: ReminderDeps): Promise<number> {
  const deadline = Date.now() + (deps.budgetMs ?? 10_000);
  let sent = 0;
  for (;;) {
    const claimed = await deps.prisma.$transaction(async (tx) => {
      const due = await claimDueReminders(tx, deps.batchSize);
      for (const reminder of due) await appendToOutboxOnce(tx, reminderEvent(reminder));
      await markReminded(tx, due.map((r) => r.taskId));
      return due.length;
    });
    if (claimed > 0) deps.outboxWritten();
    sent += claimed;
    if (claimed < deps.batchSize || Date.now() > deadline) return sent;
  }
}
