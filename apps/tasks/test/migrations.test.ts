import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '@lifeline/db';
import { adminUrl, appUrl, createTestSchema, dropSchema, migrationsDir } from './support/database.ts';

describe('tasks migrations', () => {
  let schema: string;
  let app: pg.Client;

  before(async () => {
    schema = await createTestSchema('migrations');
    app = new pg.Client({ connectionString: appUrl(), options: `-c search_path=${schema}` });
    await app.connect();
  });
  after(async () => {
    await app?.end();
    if (schema) await dropSchema(schema);
  });

  it('when they run again, then nothing is applied twice', async () => {
    const result = await migrate({ databaseUrl: adminUrl, migrationsDir, schema });
    assert.deepEqual(result.applied, []);
    assert.ok(result.alreadyApplied.length >= 1);
  });

  it('when the app role connects, then it can read and write tasks and the outbox of that schema', async () => {
    const id = randomUUID();
    await app.query(`INSERT INTO tasks (id, owner_id, title, updated_at, created_by) VALUES ($1, 'u', 't', now(), 'u')`, [id]);
    await app.query(`INSERT INTO outbox (id, topic, type, payload) VALUES ($1, 'task-events', 'task.created', '{}')`, [id]);
    await app.query(`UPDATE outbox SET published_at = now() WHERE id = $1`, [id]);
    await app.query(`DELETE FROM outbox WHERE id = $1`, [id]);
    const { rows } = await app.query<{ title: string; priority: string; status: string; version: number; tags: string[] }>(
      'SELECT title, priority, status, version, tags FROM tasks WHERE id = $1',
      [id],
    );
    assert.deepEqual(rows, [{ title: 't', priority: 'normal', status: 'open', version: 1, tags: [] }]);
  });

  it('when the app role touches the migration history or the DDL, then Postgres refuses', async () => {
    await assert.rejects(app.query('SELECT * FROM _prisma_migrations'), /permission denied/);
    await assert.rejects(app.query('CREATE TABLE sneaky (id int)'), /permission denied/);
    await assert.rejects(app.query('DROP TABLE tasks'), /must be owner/);
  });

  it('when a row breaks a task invariant, then the table refuses it', async () => {
    const insert = (priority: string, status: string, completedAt: string | null) =>
      app.query(
        `INSERT INTO tasks (id, owner_id, title, priority, status, completed_at, updated_at, created_by) VALUES ($1, 'u', 't', $2, $3, $4, now(), 'u')`,
        [randomUUID(), priority, status, completedAt],
      );
    await assert.rejects(insert('asap', 'open', null), /tasks_priority_check/);
    await assert.rejects(insert('low', 'archived', null), /tasks_status_check/);
    await assert.rejects(insert('low', 'done', null), /tasks_completed_check/);
    await insert('low', 'done', new Date().toISOString());
  });
});
