import type { TaskState } from '@lifeline/contracts';
import { requireVersion, type AuthContext, type VersionCondition } from '@lifeline/kit';
import { inOutboxTransaction } from '@lifeline/db';
import { saveTask } from '../data/task-repository.ts';
import { lockManagedTask } from './task-access.ts';
import { changedFields } from './task-changes.ts';
import { nowIso, type TaskDeps } from './task-deps.ts';
import { taskEvent } from './task-event.ts';
import { versionConflict } from './version-condition.ts';

/**
 * Puts a done or cancelled task back to open, announced as task.updated (status, completedAt). Reopening an
 * open task answers it unchanged, like completing a done one.
 */
export async function reopenTask(deps: TaskDeps, caller: AuthContext, id: string, condition?: VersionCondition): Promise<TaskState> {
  return inOutboxTransaction(deps, async (tx, emit) => {
    const before = await lockManagedTask(tx, caller, id);
    if (before.status === 'open') return before;
    requireVersion('Task', before, condition);

    const after: TaskState = { ...before, status: 'open', completedAt: null, version: before.version + 1, updatedAt: nowIso(deps) };
    if (!(await saveTask(tx, after, before.version))) throw versionConflict(id);
    emit(taskEvent('task.updated', id, caller, { before, after, changedFields: changedFields(before, after) }));
    return after;
  });
}
