import { uuidV5 } from '@lifeline/kit';

// Fixed namespace of instance keys; changing it would make every retry look like a new instance to the tasks app.
const INSTANCE_NAMESPACE = 'a4c2e1f0-7b3d-5e6f-9a8b-1c2d3e4f5a6b';

/**
 * The instance row id and the Idempotency-Key of its POST /tasks: one per (series, revision, due instant).
 * Every attempt for that occurrence sends the same key, so the tasks app makes the task once; a new revision
 * (the template changed) is a different key, so its replacement is a new task rather than a replay of the old.
 */
export function instanceKey(seriesId: string, revision: number, dueAt: Date): string {
  return uuidV5(`instance/${seriesId}/${revision}/${dueAt.toISOString()}`, INSTANCE_NAMESPACE);
}

/** The row that records the source task as the instance of its own due time. */
export function sourceInstanceKey(seriesId: string, taskId: string): string {
  return uuidV5(`source/${seriesId}/${taskId}`, INSTANCE_NAMESPACE);
}
