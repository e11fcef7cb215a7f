import type { PrismaClient } from '../data/db.ts';
import { appendToOutboxOnce, recordSetAside, type OutboxEntry, type SetAside } from '@lifeline/db';
import type { Logger } from '@lifeline/kit';
import { claimDueReminders, markReminded, type DueReminder } from '../data/reminder-repository.ts';
import { reminderEvent } from './reminder-event.ts';

/** The set_aside work name of reminders whose task row no longer makes a valid event. */
export const REMINDER_SET_ASIDE_WORK = 'reminder-scan';

export interface ReminderDeps {
  prisma: PrismaClient;
  outboxWritten: () => void;
  batchSize: number;
  /** A tick stops starting new batches after this long, well inside the cron interval. */
  budgetMs?: number;
  setAside: SetAside;
  logger: Logger;
}

export interface ReminderTick {
  sent: number;
  setAside: number;
}

interface Poison {
  reminder: DueReminder;
  reason: string;
}

/** The event of one reminder, or why its row cannot make one (a row written around the API, an older bug). */
function eventOrPoison(reminder: DueReminder): OutboxEntry | Poison {
  try {
    return reminderEvent(reminder);
  } catch (err) {
    return { reminder, reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Writes reminder.due for every open task whose reminder time has come, once per (task, remindAt).
 * Each batch claims its tasks with FOR UPDATE SKIP LOCKED, writes their events to the outbox and marks
 * them reminded in ONE transaction: a tick that dies half-way leaves nothing marked and nothing written,
 * and an overlapping tick, a redelivered cron call or another replica finds those tasks locked or already
 * marked. The event id is derived from (task, remindAt), so even a replayed outbox row is one event downstream.
 * A row that cannot make a valid event is disarmed and set aside in the same transaction, so it never stops
 * the reminders of everyone else.
 */
export async function sendDueReminders(deps: ReminderDeps): Promise<ReminderTick> {
  const deadline = Date.now() + (deps.budgetMs ?? 10_000);
  const tick: ReminderTick = { sent: 0, setAside: 0 };
  for (;;) {
    const { claimed, written, poison } = await deps.prisma.$transaction(async (tx) => {
      const due = await claimDueReminders(tx, deps.batchSize);
      const bad: Poison[] = [];
      let ok = 0;
      for (const outcome of due.map(eventOrPoison)) {
        if ('reason' in outcome) {
          bad.push(outcome);
          await recordSetAside(tx, {
            work: REMINDER_SET_ASIDE_WORK,
            itemKey: outcome.reminder.taskId,
            reason: outcome.reason,
            detail: { remindAt: String(outcome.reminder.remindAt), ownerId: outcome.reminder.ownerId },
          });
        } else {
          await appendToOutboxOnce(tx, outcome);
          ok++;
        }
      }
      await markReminded(tx, due.map((r) => r.taskId));
      return { claimed: due.length, written: ok, poison: bad };
    });
    for (const p of poison) deps.setAside.report(REMINDER_SET_ASIDE_WORK, p.reminder.taskId, p.reason, deps.logger);
    if (written > 0) deps.outboxWritten();
    tick.sent += written;
    tick.setAside += poison.length;
    if (claimed < deps.batchSize || Date.now() > deadline) return tick;
  }
}
