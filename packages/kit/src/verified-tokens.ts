import type { AuthContext } from './auth.ts';

interface Entry {
  auth: AuthContext;
  /** Epoch ms after which the token is no longer accepted (its exp plus the clock tolerance). */
  validUntil: number;
}

/**
 * Tokens that already passed signature and claim checks, keyed by the whole token text (signature
 * included), so a client presenting the same bearer token on every request pays for HMAC verification
 * once. An entry never outlives the token's own expiry, and the map is bounded: the least recently used
 * token goes first. Nothing is cached for a token that failed.
 */
export class VerifiedTokens {
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): AuthContext | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    this.#entries.delete(token);
    if (entry.validUntil <= this.now()) return undefined;
    // Re-inserted so that Map order is recency order.
    this.#entries.set(token, entry);
    return entry.auth;
  }

  set(token: string, auth: AuthContext, validUntil: number): void {
    if (this.maxEntries <= 0 || validUntil <= this.now()) return;
    this.#entries.delete(token);
    this.#entries.set(token, { auth, validUntil });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}
