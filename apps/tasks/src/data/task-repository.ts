import { Prisma } from '../generated/prisma/client.ts';
import { taskPrioritySchema, taskStatusSchema, type TaskState } from '@lifeline/contracts';
import type { Task } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';
import type { OutboxEntry, SqlClient } from '@lifeline/db';

/** The columns of a task as raw queries select them, named like the Prisma model so rows map the same way. */
export const TASK_COLUMNS = Prisma.sql`
  id::text AS id, owner_id AS "ownerId", title, notes, priority, tags, due_at AS "dueAt", remind_at AS "remindAt",
  timezone, status, completed_at AS "completedAt", recurrence, version, created_at AS "createdAt",
  updated_at AS "updatedAt", created_by AS "createdBy"`;

export type TaskRow = Omit<Task, 'remindedFor'>;

function toDate(iso: string | null): Date | null {
  return iso === null ? null : new Date(iso);
}

function toIso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function toTaskState(row: TaskRow): TaskState {
  return {
    id: row.id,
    ownerId: row.ownerId,
    title: row.title,
    notes: row.notes,
    // The table's CHECK constraints hold the same sets; parsing keeps a drifted row from leaving as a valid task.
    priority: taskPrioritySchema.parse(row.priority),
    tags: row.tags,
    dueAt: toIso(row.dueAt),
    remindAt: toIso(row.remindAt),
    timezone: row.timezone,
    status: taskStatusSchema.parse(row.status),
    completedAt: toIso(row.completedAt),
    recurrence: row.recurrence,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdBy: row.createdBy,
  };
}

/** The columns a write may change; id, owner and creation facts never change after insert. */
function mutableColumns(task: TaskState) {
  return {
    title: task.title,
    notes: task.notes,
    priority: task.priority,
    tags: task.tags,
    dueAt: toDate(task.dueAt),
    remindAt: toDate(task.remindAt),
    timezone: task.timezone,
    status: task.status,
    completedAt: toDate(task.completedAt),
    recurrence: task.recurrence,
    version: task.version,
    updatedAt: new Date(task.updatedAt),
  };
}

export async function insertTask(db: Db, task: TaskState): Promise<void> {
  await db.task.create({
    data: { ...mutableColumns(task), id: task.id, ownerId: task.ownerId, createdBy: task.createdBy, createdAt: new Date(task.createdAt) },
  });
}

/**
 * A new task and its event in ONE statement: a single statement is atomic on its own, so the common create
 * (no Idempotency-Key) needs no interactive transaction, which costs several round trips and most of the
 * create's CPU under load. Both rows commit together or not at all, as in inTaskTransaction.
 */
export async function insertTaskWithEvent(db: SqlClient, task: TaskState, event: OutboxEntry): Promise<void> {
  await db.$executeRaw`
    WITH new_task AS (
      INSERT INTO tasks (id, owner_id, title, notes, priority, tags, due_at, remind_at, timezone, status,
                         completed_at, recurrence, version, created_at, updated_at, created_by)
      VALUES (${task.id}::uuid, ${task.ownerId}, ${task.title}, ${task.notes}, ${task.priority}, ${task.tags}::text[],
              ${toDate(task.dueAt)}::timestamptz, ${toDate(task.remindAt)}::timestamptz, ${task.timezone}, ${task.status},
              ${toDate(task.completedAt)}::timestamptz, ${task.recurrence}, ${task.version},
              ${new Date(task.createdAt)}::timestamptz, ${new Date(task.updatedAt)}::timestamptz, ${task.createdBy})
      RETURNING id
    )
    INSERT INTO outbox (id, topic, type, payload)
    SELECT ${event.id}::uuid, ${event.topic}, ${event.type}, ${JSON.stringify(event.payload)}::jsonb FROM new_task`;
}

export async function findTask(db: Db, id: string): Promise<TaskState | undefined> {
  const row = await db.task.findUnique({ where: { id } });
  return row === null ? undefined : toTaskState(row);
}

/** Reads the task and holds its row lock until the transaction ends, so check-then-write cannot interleave. */
export async function lockTask(tx: Prisma.TransactionClient, id: string): Promise<TaskState | undefined> {
  const [row] = await tx.$queryRaw<TaskRow[]>`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ${id}::uuid FOR UPDATE`;
  return row === undefined ? undefined : toTaskState(row);
}

/** Writes the new state of a locked task; the version guard is a second line behind the lock. */
export async function saveTask(db: Db, task: TaskState, previousVersion: number): Promise<boolean> {
  const { count } = await db.task.updateMany({ where: { id: task.id, version: previousVersion }, data: mutableColumns(task) });
  return count === 1;
}

export async function deleteTask(db: Db, id: string, version: number): Promise<boolean> {
  const { count } = await db.task.deleteMany({ where: { id, version } });
  return count === 1;
}
