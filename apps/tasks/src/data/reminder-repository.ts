import type { Prisma } from '../generated/prisma/client.ts';

export interface DueReminder {
  taskId: string;
  ownerId: string;
  title: string;
  priority: string;
  dueAt: Date | null;
  remindAt: Date;
  timezone: string;
}

/**
 * Open tasks whose reminder time has come and whose current remindAt has not been reminded yet, locked
 * until the transaction ends. SKIP LOCKED lets an overlapping tick (or another replica) take other rows
 * instead of waiting for these and sending them again; a row it reads after this transaction committed no
 * longer matches. The WHERE repeats tasks_reminder_due_idx's predicate so the planner uses that index.
 */
export async function claimDueReminders(tx: Prisma.TransactionClient, limit: number): Promise<DueReminder[]> {
  return tx.$queryRaw<DueReminder[]>`
    SELECT id::text AS "taskId", owner_id AS "ownerId", title, priority, due_at AS "dueAt", remind_at AS "remindAt", timezone
    FROM tasks
    WHERE status = 'open' AND remind_at IS NOT NULL AND reminded_for IS DISTINCT FROM remind_at
      AND remind_at <= statement_timestamp()
    ORDER BY remind_at
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
}

/** Disarms the reminders just written to the outbox; the rows are locked, so remind_at is what was read. */
export async function markReminded(tx: Prisma.TransactionClient, taskIds: readonly string[]): Promise<void> {
  if (taskIds.length === 0) return;
  await tx.$executeRaw`UPDATE tasks SET reminded_for = remind_at WHERE id = ANY(${[...taskIds]}::uuid[])`;
}
