import { taskPrioritySchema, taskStatusSchema, type TaskState } from '@lifeline/contracts';
import type { Task } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

function toDate(iso: string | null): Date | null {
  return iso === null ? null : new Date(iso);
}

function toIso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function toTaskState(row: Task): TaskState {
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

export async function insertTask(db: Db, task: TaskState): Promise<void> {
  await db.task.create({
    data: {
      ...task,
      dueAt: toDate(task.dueAt),
      remindAt: toDate(task.remindAt),
      completedAt: toDate(task.completedAt),
      createdAt: new Date(task.createdAt),
      updatedAt: new Date(task.updatedAt),
    },
  });
}

export async function findTask(db: Db, id: string): Promise<TaskState | undefined> {
  const row = await db.task.findUnique({ where: { id } });
  return row === null ? undefined : toTaskState(row);
}
