import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Tokens for links mailed to people without a login (an outside contact's "I am responding"): base64url JSON
 * of the claims, an expiry and a random nonce, plus an HMAC under a key derived from the service secret for
 * one purpose only. One app signs and another verifies with the same secret and purpose; a token of another
 * purpose never verifies. The nonce lets the verifier make a link single-use (it records the nonce when the
 * link is used); expiry is checked here.
 */
export interface SignedLinkOptions {
  /** The shared service secret (JWT_SECRET); the MAC key is derived from it and the purpose. */
  secret: string;
  /** Names what the token is for (e.g. "emergency-ack-link"); part of the key. */
  purpose: string;
  /** Epoch milliseconds; tests pass a clock. */
  now?: () => number;
}

/** Short claim names keep links short; values are strings the verifier checks itself. */
export type LinkClaims = Record<string, string>;

export interface VerifiedLink<C extends LinkClaims> {
  claims: C;
  /** Epoch seconds. */
  expiresAt: number;
  nonce: string;
}

export type LinkCheck<C extends LinkClaims> = ({ ok: true } & VerifiedLink<C>) | { ok: false; reason: 'invalid' | 'expired' };

export interface SignedLinks<C extends LinkClaims> {
  sign(claims: C, ttlSeconds: number): string;
  verify(token: string): LinkCheck<C>;
}

const MAC_LENGTH = 16;
const TOKEN = /^([A-Za-z0-9_-]{10,1200})\.([A-Za-z0-9_-]{22})$/;
/** `x` (expiry) and `n` (nonce) are the helper's own names; a claim may not use them. */
const RESERVED = new Set(['x', 'n']);
const envelopeSchema = z.looseObject({ x: z.int().positive(), n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

/**
 * `claims` validates what the signer put in (a zod object of strings): a token that verifies but carries
 * claims of another shape is invalid, never trusted half-way.
 */
export function createSignedLinks<C extends LinkClaims>(opts: SignedLinkOptions & { claims: z.ZodType<C> }): SignedLinks<C> {
  // The key derivation predates this helper (emergency's own links): links mailed before it still verify.
  const key = createHash('sha256').update(`lifeline/${opts.purpose}\0`).update(opts.secret).digest();
  const mac = (data: string) => createHmac('sha256', key).update(data).digest().subarray(0, MAC_LENGTH);
  const now = opts.now ?? Date.now;

  return {
    sign(claims, ttlSeconds) {
      const clash = Object.keys(claims).find((k) => RESERVED.has(k));
      if (clash !== undefined) throw new Error(`link claim "${clash}" is reserved`);
      const payload = { ...claims, x: Math.floor(now() / 1000) + Math.max(1, Math.floor(ttlSeconds)), n: randomBytes(16).toString('base64url') };
      const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${data}.${mac(data).toString('base64url')}`;
    },
    verify(token) {
      const m = TOKEN.exec(token);
      const [, data = '', tag = ''] = m ?? [];
      const given = Buffer.from(tag, 'base64url');
      if (!m || given.length !== MAC_LENGTH || !timingSafeEqual(given, mac(data))) return { ok: false, reason: 'invalid' };
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      const envelope = envelopeSchema.safeParse(json);
      if (!envelope.success) return { ok: false, reason: 'invalid' };
      const { x, n, ...rest } = envelope.data;
      const claims = opts.claims.safeParse(rest);
      if (!claims.success) return { ok: false, reason: 'invalid' };
      if (x * 1000 <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, claims: claims.data, expiresAt: x, nonce: n };
    },
  };
}
