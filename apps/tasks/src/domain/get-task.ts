import type { TaskState } from '@lifeline/contracts';
import { canActFor, notFound, type AuthContext } from '@lifeline/kit';
import { findTask } from '../data/task-repository.ts';
import type { TaskDeps } from './task-deps.ts';

export async function getTask(deps: Pick<TaskDeps, 'prisma'>, caller: AuthContext, id: string): Promise<TaskState> {
  const task = await findTask(deps.prisma, id);
  // Someone else's task answers exactly like a missing one, so ids cannot be probed for existence.
  if (task === undefined || !canActFor(caller, task.ownerId)) {
    throw notFound(`Task ${id} was not found.`, { type: 'task-not-found' });
  }
  return task;
}
