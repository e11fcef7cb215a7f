import type { TaskState } from '@lifeline/contracts';
import { requireVersion, type AuthContext, type VersionCondition } from '@lifeline/kit';
import { inOutboxTransaction } from '@lifeline/db';
import { checkRecurrence } from '@lifeline/recurrence';
import { saveTask } from '../data/task-repository.ts';
import { lockManagedTask } from './task-access.ts';
import { changedFields } from './task-changes.ts';
import { nowIso, type TaskDeps } from './task-deps.ts';
import { taskEvent } from './task-event.ts';
import { versionConflict } from './version-condition.ts';

/** JSON merge patch (RFC 7396) of the fields a client may change: absent = keep, null = remove. */
export interface TaskPatch {
  title?: string | undefined;
  notes?: string | null | undefined;
  priority?: TaskState['priority'] | undefined;
  tags?: string[] | undefined;
  dueAt?: string | null | undefined;
  remindAt?: string | null | undefined;
  timezone?: string | undefined;
  recurrence?: string | null | undefined;
  /** Completing has its own endpoint and event; a patch may only reopen or cancel. */
  status?: 'open' | 'cancelled' | undefined;
}

function applyPatch(before: TaskState, patch: TaskPatch, recurrence: string | null | undefined): TaskState {
  const after: TaskState = { ...before };
  if (patch.title !== undefined) after.title = patch.title;
  if (patch.notes !== undefined) after.notes = patch.notes;
  if (patch.priority !== undefined) after.priority = patch.priority;
  if (patch.tags !== undefined) after.tags = patch.tags;
  if (patch.dueAt !== undefined) after.dueAt = patch.dueAt;
  if (patch.remindAt !== undefined) after.remindAt = patch.remindAt;
  if (patch.timezone !== undefined) after.timezone = patch.timezone;
  if (recurrence !== undefined) after.recurrence = recurrence;
  if (patch.status !== undefined && patch.status !== before.status) {
    after.status = patch.status;
    after.completedAt = null;
  }
  return after;
}

/**
 * Applies a merge patch to a task the caller manages, if it is still at the version the caller read.
 * A patch that changes nothing answers the task as it is: no new version, no event.
 */
export async function updateTask(deps: TaskDeps, caller: AuthContext, id: string, patch: TaskPatch, condition: VersionCondition): Promise<TaskState> {
  // Checked before the transaction: evaluating a rule may take a while and must not hold the row lock.
  const recurrence = patch.recurrence ? (await checkRecurrence(deps.recurrence, patch.recurrence)).text : patch.recurrence;

  return inOutboxTransaction(deps, async (tx, emit) => {
    const before = await lockManagedTask(tx, caller, id);
    requireVersion('Task', before, condition);
    const patched = applyPatch(before, patch, recurrence);
    const changed = changedFields(before, patched);
    if (changed.length === 0) return before;

    const after: TaskState = { ...patched, version: before.version + 1, updatedAt: nowIso(deps) };
    if (!(await saveTask(tx, after, before.version))) throw versionConflict(id);
    emit(taskEvent('task.updated', id, caller, { before, after, changedFields: changed }));
    return after;
  });
}
