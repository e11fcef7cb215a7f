import { createHash } from 'node:crypto';

// Fixed namespace of instance keys; changing it would make every retry look like a new instance to the tasks app.
const INSTANCE_NAMESPACE = 'a4c2e1f0-7b3d-5e6f-9a8b-1c2d3e4f5a6b';

/** RFC 9562 name-based UUID (version 5, SHA-1): the same name always gives the same id. */
function uuidV5(name: string, namespace: string): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

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
