import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { admin, dropSchema, testAppDatabase, uniqueSchema, withClient } from '@lifeline/db/testing';
import { fixtureMigrations, tablesIn } from './support/database.ts';

describe('test databases of an app', () => {
  const tasks = testAppDatabase('tasks');
  const made: string[] = [];
  after(async () => {
    for (const schema of made) await dropSchema(schema);
  });

  it('when a test schema is created, then it holds the app migrations and the app role reads and writes it, as in production', async () => {
    const schema = await tasks.createSchema('testing');
    made.push(schema);
    assert.match(schema, /^t_tasks_testing_[0-9a-f]{8}$/);
    assert.ok((await tablesIn(schema)).includes('outbox'));
    assert.equal(new URL(tasks.url()).username, 'tasks_app');
    const rows = await withClient(tasks.url(), async (client) => {
      await client.query(`INSERT INTO outbox (id, topic, type, payload) VALUES (gen_random_uuid(), 'task-events', 'task.created', '{}')`);
      return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]?.n;
    }, schema);
    assert.equal(rows, 1);
  });

  it('when the app role tries what only the owner may, then the database refuses it', async () => {
    const schema = await tasks.createSchema('grants');
    made.push(schema);
    await assert.rejects(withClient(tasks.url(), (client) => client.query('DROP TABLE outbox'), schema), /must be owner/);
  });

  it('when other migrations are named, then they are applied instead of the app folder', async () => {
    const schema = await tasks.createSchema('fixture', { migrationsDir: fixtureMigrations });
    made.push(schema);
    assert.deepEqual(await tablesIn(schema), ['_prisma_migrations', 'notes', 'processed_events']);
  });

  it('when a schema is dropped, then it is gone, and dropping it again is harmless', async () => {
    const schema = await tasks.createSchema('dropped');
    await dropSchema(schema);
    await dropSchema(schema);
    const found = await admin(async (client) => (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount);
    assert.equal(found, 0);
  });

  it('when names are made for parallel test files, then they never collide; an app name that is not one is refused', () => {
    const names = new Set(Array.from({ length: 200 }, () => uniqueSchema('same')));
    assert.equal(names.size, 200);
    for (const bad of ['', 'Tasks', 'tasks; DROP ROLE x', '1tasks']) assert.throws(() => testAppDatabase(bad), TypeError);
  });
});
