import type { TaskState } from '@lifeline/contracts';
import { preconditionFailed, type HttpProblem } from '@lifeline/kit';

/** What the client says it last saw: If-Match (or a body `version`). */
export type VersionCondition = { kind: 'any' } | { kind: 'one-of'; versions: readonly number[] };

export function entityTag(task: Pick<TaskState, 'version'>): string {
  return `"${task.version}"`;
}

/** Optimistic concurrency: a write based on an older version than the stored one is refused, not merged. */
export function requireVersion(task: TaskState, condition: VersionCondition | undefined): void {
  if (condition === undefined || condition.kind === 'any' || condition.versions.includes(task.version)) return;
  const sent = condition.versions.length > 0 ? `version ${condition.versions.join(' or ')}` : 'no version this service issued';
  throw preconditionFailed(`Task ${task.id} is at version ${task.version}, but the request was based on ${sent}. Read it again and reapply the change.`, {
    type: 'version-conflict',
    extra: { currentVersion: task.version },
    headers: { ETag: entityTag(task) },
  });
}

/** Behind the row lock this should not happen; if a write still finds another version, it is refused, never merged. */
export function versionConflict(id: string): HttpProblem {
  return preconditionFailed(`Task ${id} changed while this request was applied. Read it again and reapply the change.`, { type: 'version-conflict' });
}
