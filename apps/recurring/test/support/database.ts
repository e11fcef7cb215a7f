import type pg from 'pg';
import { admin, testAppDatabase } from '@lifeline/db/testing';

export { admin, dropSchema } from '@lifeline/db/testing';

/** The two apps the recurring tests run for real, each on its own schema and as its own role. */
export const RECURRING_DB = testAppDatabase('recurring');
export const TASKS_DB = testAppDatabase('tasks');

export async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  return admin(async (client) => (await client.query<T>(sql, params)).rows);
}
