import { requireVersion, type AuthContext, type VersionCondition } from '@lifeline/kit';
import { inOutboxTransaction } from '@lifeline/db';
import { deleteTask as removeTask } from '../data/task-repository.ts';
import { lockManagedTask } from './task-access.ts';
import type { TaskDeps } from './task-deps.ts';
import { taskEvent } from './task-event.ts';
import { versionConflict } from './version-condition.ts';

/** Deletes a task the caller manages; task.deleted carries its last state so consumers need not have kept it. */
export async function deleteTask(deps: TaskDeps, caller: AuthContext, id: string, condition?: VersionCondition): Promise<void> {
  await inOutboxTransaction(deps, async (tx, emit) => {
    const before = await lockManagedTask(tx, caller, id);
    requireVersion('Task', before, condition);
    if (!(await removeTask(tx, id, before.version))) throw versionConflict(id);
    emit(taskEvent('task.deleted', id, caller, { before }));
  });
}
