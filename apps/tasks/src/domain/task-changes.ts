import { taskFieldSchema, type TaskState } from '@lifeline/contracts';

type TaskField = TaskState extends infer T ? keyof T : never;

// Bookkeeping every write changes; listing them would say nothing about what the user changed.
const BOOKKEEPING: ReadonlySet<TaskField> = new Set<TaskField>(['version', 'updatedAt']);

/** The fields whose values differ, in contract order, for task.updated's changedFields. */
export function changedFields(before: TaskState, after: TaskState): TaskField[] {
  return taskFieldSchema.options.filter(
    (field) => !BOOKKEEPING.has(field) && JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
}
