import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@lifeline/kit';
import { loadNotificationConfig } from '../src/config.ts';

const base = {
  APP_ID: 'notification',
  JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
  DATABASE_URL: 'postgres://notification_app:pw@127.0.0.1:25432/lifeline',
  REDIS_URL: 'redis://127.0.0.1:26379/2',
  SMTP_URL: 'smtp://127.0.0.1:22525',
};

describe('notification config', () => {
  it('when only the required variables are set, then the documented defaults apply', () => {
    const config = loadNotificationConfig(base);
    assert.equal(config.DB_SCHEMA, 'notification');
    assert.equal(config.RATE_LIMIT_MAX, 10);
    assert.equal(config.RATE_LIMIT_WINDOW_MS, 60_000);
    assert.equal(config.PUSH_BINDING, 'push');
    assert.equal(config.FANOUT_PUBSUB, 'fanout');
    assert.equal(config.DELIVERY_MAX_ATTEMPTS, 5);
    assert.equal(config.LIVE_MAX_AGE_MS, 30_000);
  });

  it('when values are wrong or missing, then one ConfigError names each of them', () => {
    assert.throws(
      () => loadNotificationConfig({ ...base, REDIS_URL: 'http://x', SMTP_URL: undefined, RATE_LIMIT_MAX: '0', FANOUT_PUBSUB: 'bad name' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = err.problems.join('\n');
        for (const name of ['REDIS_URL', 'SMTP_URL', 'RATE_LIMIT_MAX', 'FANOUT_PUBSUB']) assert.match(text, new RegExp(name));
        return true;
      },
    );
  });
});
