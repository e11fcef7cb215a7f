import type { TaskState } from '@lifeline/contracts';
import { conflict, requireVersion, type AuthContext, type VersionCondition } from '@lifeline/kit';
import { inOutboxTransaction } from '@lifeline/db';
import { saveTask } from '../data/task-repository.ts';
import { lockManagedTask } from './task-access.ts';
import { nowIso, type TaskDeps } from './task-deps.ts';
import { taskEvent } from './task-event.ts';
import { versionConflict } from './version-condition.ts';

/**
 * Marks an open task done. Completing a task that is already done answers it unchanged (no new version,
 * no second task.completed): a client that lost the first answer can simply retry, even with the If-Match
 * it sent the first time (RFC 9110 §13.1.1 allows a 2xx when the requested change has already happened).
 * A cancelled task must be reopened first: 409.
 */
export async function completeTask(deps: TaskDeps, caller: AuthContext, id: string, condition?: VersionCondition): Promise<TaskState> {
  return inOutboxTransaction(deps, async (tx, emit) => {
    const before = await lockManagedTask(tx, caller, id);
    if (before.status === 'done') return before;
    if (before.status === 'cancelled') {
      throw conflict(`Task ${id} is cancelled; reopen it before completing it.`, { type: 'invalid-status-transition' });
    }
    requireVersion('Task', before, condition);

    const now = nowIso(deps);
    const after: TaskState = { ...before, status: 'done', completedAt: now, version: before.version + 1, updatedAt: now };
    if (!(await saveTask(tx, after, before.version))) throw versionConflict(id);
    emit(taskEvent('task.completed', id, caller, { before, after }));
    return after;
  });
}
