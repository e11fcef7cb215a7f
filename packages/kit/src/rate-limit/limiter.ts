import { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../logger.ts';
import { RATE_LIMIT_GROUPS, type RateLimitGroup, type RatePolicies, type RatePolicy } from './policy.ts';

export interface RateLimitDecision {
  group: RateLimitGroup;
  policy: RatePolicy;
  allowed: boolean;
  /** Requests left in the window; undefined when the count could not be read (failed open). */
  remaining: number | undefined;
  /** Seconds until the window resets; undefined when failed open. */
  resetSeconds: number | undefined;
}

export interface RateLimits {
  readonly policies: RatePolicies;
  /** Counts one request of `key` (a user id or a client address) against the group's budget. */
  consume(group: RateLimitGroup, key: string): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

export interface RateLimitsOptions {
  /** A Redis URL (the limits open and own their connection) or a client the caller owns. */
  redis: string | Redis;
  policies: RatePolicies;
  keyPrefix: string;
  logger: Logger;
  /** Where rate_limit_* counters go; the app's registry. */
  registry?: Registry;
  /** A counter update slower than this lets the request through, as if Redis were down. */
  timeoutMs?: number;
}

function counter(registry: Registry | undefined, name: string, help: string, labelNames: string[]): Counter<string> {
  const existing = registry?.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames, registers: registry ? [registry] : [] });
}

/**
 * Fixed-window counters in Redis (rate-limiter-flexible's atomic INCR + PEXPIRE script), so every replica
 * of every app spends the same budget. When Redis cannot answer, the request is let through, counted in
 * rate_limit_failed_open_total and logged (at most once a minute): an SOS must not be refused because the
 * counters are unreachable, and the limits are a guard against abuse, not a correctness rule.
 */
export function createRateLimits(opts: RateLimitsOptions): RateLimits {
  const owned = typeof opts.redis === 'string';
  // No offline queue: while Redis is unreachable a command fails at once instead of waiting for a reconnect.
  const redis = typeof opts.redis === 'string' ? new Redis(opts.redis, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : opts.redis;
  if (owned) redis.on('error', () => {
    // Reported per request below (failed open); ioredis would otherwise print every reconnect attempt.
  });
  const timeoutMs = opts.timeoutMs ?? 250;
  const limiters = new Map(
    RATE_LIMIT_GROUPS.map((group) => {
      const policy = opts.policies[group];
      return [group, new RateLimiterRedis({ storeClient: redis, keyPrefix: `${opts.keyPrefix}${group}`, points: policy.points, duration: policy.windowSeconds })] as const;
    }),
  );
  const limited = counter(opts.registry, 'rate_limit_rejected_total', 'Requests answered 429 by the rate limits, by group', ['group']);
  const failedOpen = counter(opts.registry, 'rate_limit_failed_open_total', 'Requests let through because the rate-limit counters could not be read', ['group']);
  let lastWarning = 0;

  async function consume(group: RateLimitGroup, key: string): Promise<RateLimitDecision> {
    const policy = opts.policies[group];
    const limiter = limiters.get(group);
    if (!limiter) throw new Error(`unknown rate-limit group ${group}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`rate-limit counter did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const res = await Promise.race([limiter.consume(key, 1), timeout]);
      return { group, policy, allowed: true, remaining: res.remainingPoints, resetSeconds: Math.ceil(res.msBeforeNext / 1000) };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        limited.inc({ group });
        return { group, policy, allowed: false, remaining: 0, resetSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
      failedOpen.inc({ group });
      const now = Date.now();
      if (now - lastWarning > 60_000) {
        lastWarning = now;
        opts.logger.warn({ err, group }, 'rate limits failed open: the counters in Redis could not be read, so requests pass unlimited');
      }
      return { group, policy, allowed: true, remaining: undefined, resetSeconds: undefined };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    policies: opts.policies,
    consume,
    close: async () => {
      if (owned) redis.disconnect();
    },
  };
}
