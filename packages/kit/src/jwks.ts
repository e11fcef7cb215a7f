import { createRemoteJWKSet } from 'jose';

/**
 * The asymmetric algorithms user tokens may carry. The key's type pins the algorithm: jose only picks an
 * RSA key for RS256 and a P-256 EC key for ES256 (and a JWK's own `alg`, when it has one, must match), so
 * a token cannot choose to be checked by a key of another kind. HS256 is never among them: a token
 * "signed" with the public key as an HMAC secret finds no key here.
 */
export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

export interface JwksOptions {
  /** A fetched key set is used this long before it is fetched again (jose's default: 10 min). */
  cacheMaxAgeMs?: number;
  /**
   * After a fetch, an unknown `kid` waits this long before it may cause another: a flood of tokens with
   * made-up kids costs the JWKS host one request per cooldown, not one per token.
   */
  cooldownMs?: number;
  timeoutMs?: number;
}

export type JwksKeys = ReturnType<typeof createRemoteJWKSet>;

/** Keys by `kid` from a JWKS URL, cached, refreshed on an unknown kid at most once per cooldown. */
export function remoteJwks(url: string, opts: JwksOptions = {}): JwksKeys {
  return createRemoteJWKSet(new URL(url), {
    cacheMaxAge: opts.cacheMaxAgeMs ?? 10 * 60_000,
    cooldownDuration: opts.cooldownMs ?? 30_000,
    timeoutDuration: opts.timeoutMs ?? 5_000,
  });
}
