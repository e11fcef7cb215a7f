import { query } from './database.ts';

/** What the two apps stored, read straight from their tables: the truth the tests assert on. */

export interface InstanceRecord {
  id: string;
  series_id: string;
  due_at: Date;
  revision: number;
  origin: string;
  state: string;
  task_id: string | null;
  task_version: number | null;
}

export async function instanceRows(schema: string, seriesId: string): Promise<InstanceRecord[]> {
  return query<InstanceRecord>(
    `SELECT id::text, series_id::text, due_at, revision, origin, state, task_id::text, task_version FROM "${schema}".instances WHERE series_id = $1 ORDER BY due_at, created_at`,
    [seriesId],
  );
}

export interface TaskRecord {
  id: string;
  owner_id: string;
  title: string;
  notes: string | null;
  priority: string;
  tags: string[];
  due_at: Date | null;
  remind_at: Date | null;
  timezone: string;
  status: string;
  recurrence: string | null;
  version: number;
  created_by: string;
}

export async function taskRows(schema: string, ownerId: string): Promise<TaskRecord[]> {
  return query<TaskRecord>(
    `SELECT id::text, owner_id, title, notes, priority, tags, due_at, remind_at, timezone, status, recurrence, version, created_by FROM "${schema}".tasks WHERE owner_id = $1 ORDER BY due_at NULLS FIRST, created_at`,
    [ownerId],
  );
}

/** Tasks this app made (its service id is their creator), by status. */
export async function instanceTasks(schema: string, ownerId: string, status?: string): Promise<TaskRecord[]> {
  return (await taskRows(schema, ownerId)).filter((t) => t.created_by === 'recurring' && (status === undefined || t.status === status));
}

export async function seriesRow(schema: string, id: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await query<Record<string, unknown>>(`SELECT * FROM "${schema}".series WHERE id = $1`, [id]);
  return row;
}

/** Everything a request could have written; a refused request must leave all of it as it was. */
export async function snapshot(schema: string): Promise<unknown> {
  const [series, instances, outbox, processed] = await Promise.all([
    query(`SELECT * FROM "${schema}".series ORDER BY id`),
    query(`SELECT * FROM "${schema}".instances ORDER BY id`),
    query(`SELECT id, type FROM "${schema}".outbox ORDER BY seq`),
    query(`SELECT consumer, event_id FROM "${schema}".processed_events ORDER BY event_id`),
  ]);
  return { series, instances, outbox, processed };
}
