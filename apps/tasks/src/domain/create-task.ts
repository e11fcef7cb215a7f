import { randomUUID } from 'node:crypto';
import type { TaskState } from '@lifeline/contracts';
import { canActFor, forbidden, type AuthContext } from '@lifeline/kit';
import { appendToOutbox } from '../data/outbox-repository.ts';
import { insertTask } from '../data/task-repository.ts';
import type { TaskDeps } from './task-deps.ts';
import { taskEvent } from './task-event.ts';

export interface NewTask {
  /** Whose task it is; the caller when absent. */
  ownerId?: string | undefined;
  title: string;
  notes?: string | null | undefined;
  priority: TaskState['priority'];
  tags: string[];
  dueAt?: string | null | undefined;
  remindAt?: string | null | undefined;
  timezone: string;
  recurrence?: string | null | undefined;
}

export async function createTask(deps: TaskDeps, caller: AuthContext, input: NewTask): Promise<TaskState> {
  const ownerId = input.ownerId ?? caller.userId;
  if (!canActFor(caller, ownerId)) {
    throw forbidden('You may create tasks only for yourself or for the people you care for.');
  }

  const now = (deps.now?.() ?? new Date()).toISOString();
  const task: TaskState = {
    id: randomUUID(),
    ownerId,
    title: input.title,
    notes: input.notes ?? null,
    priority: input.priority,
    tags: input.tags,
    dueAt: input.dueAt ?? null,
    remindAt: input.remindAt ?? null,
    timezone: input.timezone,
    status: 'open',
    completedAt: null,
    recurrence: input.recurrence ?? null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: caller.userId,
  };
  const created = taskEvent('task.created', task.id, caller, { after: task });

  // The task and its event commit together or not at all: no task without its event, no event for a task that never was.
  await deps.prisma.$transaction(async (tx) => {
    await insertTask(tx, task);
    await appendToOutbox(tx, created);
  });
  deps.outboxWritten();
  return task;
}
