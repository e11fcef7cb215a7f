import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@lifeline/kit';
import { loadTasksConfig } from '../src/config.ts';

const required = {
  APP_ID: 'tasks',
  JWT_SECRET: 'x'.repeat(32),
  DATABASE_URL: 'postgres://tasks_app:secret@db:5432/lifeline',
};

describe('configuration', () => {
  it('when only the required variables are set, then the documented defaults apply', () => {
    const config = loadTasksConfig(required);
    assert.equal(config.DB_SCHEMA, 'tasks');
    assert.equal(config.DB_POOL_MAX, 10);
    assert.equal(config.OUTBOX_POLL_MS, 250);
    assert.equal(config.OUTBOX_BATCH, 100);
    assert.equal(config.OUTBOX_RETENTION_HOURS, 168);
  });

  it('when DATABASE_URL is missing, then start-up fails naming it', () => {
    assert.throws(() => loadTasksConfig({ ...required, DATABASE_URL: undefined }), (err: unknown) => err instanceof ConfigError && err.problems.includes('DATABASE_URL: required'));
  });

  it('when values are bad, then every one is named and the database URL is never echoed', () => {
    try {
      loadTasksConfig({ ...required, DATABASE_URL: 'mysql://root:hunter2@db/x', DB_SCHEMA: 'Tasks; drop', OUTBOX_BATCH: '0' });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems.map((p) => p.split(':')[0]), ['DATABASE_URL', 'DB_SCHEMA', 'OUTBOX_BATCH']);
      assert.doesNotMatch(err.message, /hunter2/);
    }
  });

  it('when DATABASE_URL carries options=, then it is refused (it would replace the search_path)', () => {
    assert.throws(() => loadTasksConfig({ ...required, DATABASE_URL: `${required.DATABASE_URL}?options=-c%20search_path%3Dpublic` }), ConfigError);
  });
});
