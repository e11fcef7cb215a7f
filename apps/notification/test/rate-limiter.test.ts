import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisRateLimiter } from '../src/domain/rate-limiter.ts';
import { REDIS_URL, redisKeyPrefix } from './support/notification-app.ts';

describe('the Redis rate limiter', () => {
  const redis = new Redis(REDIS_URL);
  const prefix = redisKeyPrefix('limiter');
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('when more deliveries than allowed ask at once, then exactly max are admitted (atomic across callers)', async () => {
    const limiter = redisRateLimiter({ redis, keyPrefix: prefix, max: 10, windowMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 25 }, () => limiter.acquire('rita', 'email', randomUUID())));
    assert.equal(answers.filter(Boolean).length, 10);
  });

  it('when the same delivery asks again, then it keeps its slot and takes no second one; a refused one takes none', async () => {
    const limiter = redisRateLimiter({ redis, keyPrefix: prefix, max: 2, windowMs: 60_000 });
    const first = randomUUID();
    assert.equal(await limiter.acquire('otto', 'push', first), true);
    assert.equal(await limiter.acquire('otto', 'push', first), true);
    assert.equal(await limiter.acquire('otto', 'push', randomUUID()), true);
    assert.equal(await limiter.acquire('otto', 'push', randomUUID()), false);
    assert.equal(await limiter.acquire('otto', 'push', first), true);
    assert.equal(await redis.zcard(`${prefix}rate:push:otto`), 2);
  });

  it('when the window slides past old deliveries, then new ones are admitted again; channels and users count apart', async () => {
    const limiter = redisRateLimiter({ redis, keyPrefix: prefix, max: 1, windowMs: 150 });
    assert.equal(await limiter.acquire('ida', 'email', randomUUID()), true);
    assert.equal(await limiter.acquire('ida', 'email', randomUUID()), false);
    assert.equal(await limiter.acquire('ida', 'websocket', randomUUID()), true);
    assert.equal(await limiter.acquire('ivo', 'email', randomUUID()), true);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await limiter.acquire('ida', 'email', randomUUID()), true);
  });
});
