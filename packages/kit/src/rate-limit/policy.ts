import { z } from 'zod';

/**
 * The route groups of issue 13, each with its own budget per caller: every request a service answers on
 * its public API falls into exactly one, so one set of RateLimit headers describes it.
 * - default: any request with a verified token;
 * - tokenless: a request without a valid token (the signed-link pages, a 401 in the making), counted by
 *   client address: nobody can spend a person's budget without that person's token;
 * - emergency: raising an SOS (POST /emergencies), counted after the dedup (see emergency-routes.ts);
 * - location: reporting positions, a batch counting once like a single report.
 */
export const RATE_LIMIT_GROUPS = ['default', 'tokenless', 'emergency', 'location'] as const;
export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[number];

export interface RatePolicy {
  /** Requests allowed per window (the draft's quota, q). */
  points: number;
  /** Window length in seconds (the draft's w). */
  windowSeconds: number;
}

export type RatePolicies = Record<RateLimitGroup, RatePolicy>;

/** The seed's numbers; deployments override each with RATE_LIMIT_<GROUP> (see rateLimitConfigShape). */
export const DEFAULT_RATE_POLICIES: RatePolicies = {
  default: { points: 1000, windowSeconds: 60 },
  tokenless: { points: 100, windowSeconds: 60 },
  emergency: { points: 10, windowSeconds: 60 },
  location: { points: 2, windowSeconds: 1 },
};

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** "1000/1m", "2/1s", "10/60s": points per window, as an operator writes it in an env var. */
export function parseRatePolicy(text: string): RatePolicy | undefined {
  const m = /^\s*(\d{1,9})\s*\/\s*(\d{1,6})(s|m|h)\s*$/.exec(text);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  const points = Number(m[1]);
  const windowSeconds = Number(m[2]) * (UNIT_SECONDS[m[3]] ?? 0);
  if (points < 1 || windowSeconds < 1 || windowSeconds > 86_400) return undefined;
  return { points, windowSeconds };
}

const policyVar = z.string().transform((raw, ctx) => {
  const policy = parseRatePolicy(raw);
  if (!policy) {
    ctx.addIssue({ code: 'custom', message: 'expected <requests>/<window>, e.g. 1000/1m or 2/1s (window 1s-24h)' });
    return z.NEVER;
  }
  return policy;
});

/** A comma-separated list of addresses or CIDR blocks (IPv4 or IPv6). */
const addressList = z.string().transform((raw, ctx) => {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(item)) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not an address or CIDR block` });
      return z.NEVER;
    }
  }
  return items;
});

/**
 * The variables every app reads (part of the kit's base config). Without RATE_LIMIT_REDIS_URL the limits
 * are off, which the app says at startup: the e2e harness and unit tests run so, the dev stack, compose
 * and the chart set it.
 */
export const rateLimitConfigShape = {
  /** The Redis database of the counters, shared by every replica of every app (a data structure, not a bus). */
  RATE_LIMIT_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL').optional(),
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).max(100).default('ratelimit:'),
  RATE_LIMIT_DEFAULT: policyVar.optional(),
  RATE_LIMIT_TOKENLESS: policyVar.optional(),
  RATE_LIMIT_EMERGENCY: policyVar.optional(),
  RATE_LIMIT_LOCATION: policyVar.optional(),
  /**
   * Peers whose X-Real-IP / X-Forwarded-For name the client: the gateway. Anyone else is counted by the
   * address of their own connection, so a client cannot pick a fresh address per request.
   */
  RATE_LIMIT_TRUSTED_PROXIES: addressList.default(['127.0.0.1/8', '::1/128']),
  /** How long a counter update may take before the request is let through (Redis slow = Redis down). */
  RATE_LIMIT_REDIS_TIMEOUT_MS: z.string().regex(/^\d{1,5}$/).transform(Number).default(250),
};

export interface RateLimitSettings {
  RATE_LIMIT_REDIS_URL?: string | undefined;
  RATE_LIMIT_KEY_PREFIX?: string;
  RATE_LIMIT_DEFAULT?: RatePolicy | undefined;
  RATE_LIMIT_TOKENLESS?: RatePolicy | undefined;
  RATE_LIMIT_EMERGENCY?: RatePolicy | undefined;
  RATE_LIMIT_LOCATION?: RatePolicy | undefined;
  RATE_LIMIT_TRUSTED_PROXIES?: string[];
  RATE_LIMIT_REDIS_TIMEOUT_MS?: number;
}

export function policiesFrom(settings: RateLimitSettings): RatePolicies {
  return {
    default: settings.RATE_LIMIT_DEFAULT ?? DEFAULT_RATE_POLICIES.default,
    tokenless: settings.RATE_LIMIT_TOKENLESS ?? DEFAULT_RATE_POLICIES.tokenless,
    emergency: settings.RATE_LIMIT_EMERGENCY ?? DEFAULT_RATE_POLICIES.emergency,
    location: settings.RATE_LIMIT_LOCATION ?? DEFAULT_RATE_POLICIES.location,
  };
}
