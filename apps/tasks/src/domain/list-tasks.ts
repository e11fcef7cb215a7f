import type { TaskState } from '@lifeline/contracts';
import { canActFor, forbidden, type AuthContext } from '@lifeline/kit';
import { keysetOf, listTasks as readPage, type Keyset, type TaskFilter, type TaskSort } from '../data/task-list-repository.ts';
import type { TaskDeps } from './task-deps.ts';

export interface TaskListRequest extends Omit<TaskFilter, 'ownerId'> {
  /** Whose tasks; the caller's own when absent. */
  ownerId?: string | undefined;
  sort: TaskSort;
  limit: number;
  after?: Keyset | undefined;
}

export interface TaskPage {
  ownerId: string;
  tasks: TaskState[];
  /** Where the next page starts; absent on the last page. */
  next?: Keyset;
}

export async function listTasks(deps: Pick<TaskDeps, 'prisma'>, caller: AuthContext, request: TaskListRequest): Promise<TaskPage> {
  const ownerId = request.ownerId ?? caller.userId;
  // Listing is not asking for one id: refusing says nothing about any task, so 403 rather than an empty page.
  if (!canActFor(caller, ownerId)) {
    throw forbidden('You may list only your own tasks or those of the people you care for.');
  }
  const { sort, limit, after, ...filter } = request;
  const page = await readPage(deps.prisma, { ...filter, ownerId }, sort, limit, after);
  const last = page.tasks.at(-1);
  return { ownerId, tasks: page.tasks, ...(page.more && last !== undefined ? { next: keysetOf(last, sort) } : {}) };
}
