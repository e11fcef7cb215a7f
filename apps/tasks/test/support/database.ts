import { admin, testAppDatabase } from '@lifeline/db/testing';

export { admin, adminUrl, dropSchema } from '@lifeline/db/testing';

const tasksDatabase = testAppDatabase('tasks');
export const migrationsDir = tasksDatabase.migrationsDir;

/** The app connects as tasks_app, never as the superuser. */
export function appUrl(): string {
  return tasksDatabase.url();
}

/** A fresh schema no other test process uses, migrated the way the migrate CLI does it. */
export function createTestSchema(label: string): Promise<string> {
  return tasksDatabase.createSchema(label);
}

export async function countRows(schema: string, table: 'tasks' | 'outbox' | 'idempotency_keys'): Promise<number> {
  const { rows } = await admin((client) => client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`));
  return rows[0]?.n ?? 0;
}

export interface OutboxRow {
  id: string;
  topic: string;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
  published_at: Date | null;
  attempts: number;
  last_error: string | null;
}

export async function outboxRows(schema: string): Promise<OutboxRow[]> {
  const { rows } = await admin((client) => client.query<OutboxRow>(`SELECT * FROM "${schema}".outbox ORDER BY seq`));
  return rows;
}

/** Everything a request could have written; a refused request must leave all of it as it was. */
export async function tableSnapshot(schema: string): Promise<{ tasks: unknown[]; outbox: number; keys: number }> {
  return admin(async (client) => {
    const tasks = await client.query(`SELECT * FROM "${schema}".tasks ORDER BY id`);
    const outbox = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    const keys = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".idempotency_keys`);
    return { tasks: tasks.rows, outbox: outbox.rows[0]?.n ?? 0, keys: keys.rows[0]?.n ?? 0 };
  });
}

/** Outbox events written after `afterCount` rows, parsed as stored. */
export async function outboxEventsSince(schema: string, afterCount: number): Promise<Array<Record<string, unknown>>> {
  return (await outboxRows(schema)).slice(afterCount).map((r) => r.payload);
}
