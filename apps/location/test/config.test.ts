import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@lifeline/kit';
import { loadLocationConfig } from '../src/config.ts';

const base = {
  APP_ID: 'location',
  JWT_SECRET: 'x'.repeat(32),
  DATABASE_URL: 'postgres://location_app:pw@127.0.0.1:25432/lifeline',
  REDIS_URL: 'redis://127.0.0.1:26379/3',
};

describe('location config', () => {
  it('when only the required variables are set, then the defaults hold', () => {
    const config = loadLocationConfig(base);
    assert.deepEqual([config.DB_SCHEMA, config.REDIS_KEY_PREFIX, config.PARTITION_DAYS_AHEAD, config.MAX_FENCES_PER_PERSON], ['location', 'location:', 3, 50]);
  });

  it('when REDIS_URL is missing or not a redis URL, then loading fails naming it', () => {
    const withoutRedis: Record<string, string> = { ...base };
    delete withoutRedis.REDIS_URL;
    assert.throws(() => loadLocationConfig(withoutRedis), (err: unknown) => err instanceof ConfigError && /REDIS_URL: required/.test(err.message));
    assert.throws(() => loadLocationConfig({ ...base, REDIS_URL: 'http://x' }), /REDIS_URL/);
    assert.throws(() => loadLocationConfig({ ...base, MAX_FENCES_PER_PERSON: '0' }), /MAX_FENCES_PER_PERSON/);
  });
});
