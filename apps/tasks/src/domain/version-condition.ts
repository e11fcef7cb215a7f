import { preconditionFailed, type HttpProblem } from '@lifeline/kit';

/** Behind the row lock this should not happen; if a write still finds another version, it is refused, never merged. */
export function versionConflict(id: string): HttpProblem {
  return preconditionFailed(`Task ${id} changed while this request was applied. Read it again and reapply the change.`, { type: 'version-conflict' });
}
