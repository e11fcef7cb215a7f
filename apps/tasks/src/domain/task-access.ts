import type { TaskState } from '@lifeline/contracts';
import { canActFor, notFound, type AuthContext, type HttpProblem } from '@lifeline/kit';
import type { Prisma } from '../generated/prisma/client.ts';
import { lockTask } from '../data/task-repository.ts';

export function taskNotFound(id: string): HttpProblem {
  return notFound(`Task ${id} was not found.`, { type: 'task-not-found' });
}

/**
 * The task a write is about, locked for the rest of the transaction. Someone else's task answers exactly
 * like a missing one, so ids cannot be probed for existence through any endpoint.
 */
export async function lockManagedTask(tx: Prisma.TransactionClient, caller: AuthContext, id: string): Promise<TaskState> {
  const task = await lockTask(tx, id);
  if (task === undefined || !canActFor(caller, task.ownerId)) throw taskNotFound(id);
  return task;
}
