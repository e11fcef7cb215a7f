import type { RateLimitGroup, RatePolicy } from './policy.ts';

/**
 * The fields of draft-ietf-httpapi-ratelimit-headers (-10): structured-field lists whose items name the
 * policy, with q (quota) and w (window, s) in RateLimit-Policy and r (remaining) and t (seconds until the
 * quota resets) in RateLimit. The policy names are the groups, so a client sees which budget it spends.
 */
export function rateLimitPolicyHeader(group: RateLimitGroup, policy: RatePolicy): string {
  return `"${group}";q=${policy.points};w=${policy.windowSeconds}`;
}

export function rateLimitHeader(group: RateLimitGroup, remaining: number, resetSeconds: number): string {
  return `"${group}";r=${Math.max(0, remaining)};t=${Math.max(0, resetSeconds)}`;
}
