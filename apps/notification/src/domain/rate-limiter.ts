import type { Redis } from 'ioredis';
import type { NotificationChannel } from './notification.ts';

export interface RateLimiter {
  /**
   * Takes one slot of the user's window on this channel for this delivery; false when the window is full.
   * Asking again for the same delivery answers the same without taking a second slot.
   */
  acquire(userId: string, channel: NotificationChannel, deliveryId: string): Promise<boolean>;
}

/*
 * A sliding window per (user, channel): a sorted set of the delivery ids that got a slot, scored by time.
 * One Lua script drops entries older than the window, then admits the delivery only while fewer than `max`
 * remain, so replicas never race between counting and adding. A refused delivery takes no slot (it is not
 * sent, so it does not count against the user's next notifications), and a retried check of an admitted
 * delivery finds its own entry. A sliding window rather than fixed minute buckets: "10 a minute" then
 * holds for any 60 seconds, not 20 across a bucket boundary.
 */
const SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZSCORE', key, ARGV[4]) then return 1 end
if redis.call('ZCARD', key) >= max then return 0 end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 1
`;

export interface RedisRateLimiterOptions {
  redis: Redis;
  keyPrefix: string;
  max: number;
  windowMs: number;
}

export function redisRateLimiter(opts: RedisRateLimiterOptions): RateLimiter {
  const { redis, keyPrefix, max, windowMs } = opts;
  return {
    async acquire(userId, channel, deliveryId) {
      // Unambiguous with any user id: the channel before it is a fixed name without ':'.
      const key = `${keyPrefix}rate:${channel}:${userId}`;
      const admitted = await redis.eval(SCRIPT, 1, key, Date.now(), windowMs, max, deliveryId);
      return admitted === 1;
    },
  };
}
