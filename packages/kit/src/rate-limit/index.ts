export { clientAddress, trustedProxies } from './client-address.ts';
export { rateLimitHeader, rateLimitPolicyHeader } from './headers.ts';
export { createRateLimits } from './limiter.ts';
export type { RateLimitDecision, RateLimits, RateLimitsOptions } from './limiter.ts';
export { USER_ID_HEADER, callerMiddleware, isRateLimited, limitRequest } from './middleware.ts';
export type { CallerMiddlewareOptions } from './middleware.ts';
export { DEFAULT_RATE_POLICIES, RATE_LIMIT_GROUPS, parseRatePolicy, policiesFrom, rateLimitConfigShape } from './policy.ts';
export type { RateLimitGroup, RateLimitSettings, RatePolicies, RatePolicy } from './policy.ts';
