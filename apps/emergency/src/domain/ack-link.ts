import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Acknowledgement links for outside contacts, who have no Lifeline login: base64url JSON of (emergency,
 * contact, expiry, nonce) plus an HMAC under a key derived from the service secret for this purpose only.
 * The link acknowledges one emergency as one contact, until it expires; its nonce is recorded when used, so
 * it works once.
 */
export interface AckLinkClaims {
  emergencyId: string;
  contactId: string;
  /** Epoch seconds. */
  expiresAt: number;
  nonce: string;
}

export type AckLinkCheck = { ok: true; claims: AckLinkClaims } | { ok: false; reason: 'invalid' | 'expired' | 'other-emergency' };

export interface AckLinks {
  /** The page URL a contact's mail links to. */
  urlFor(emergencyId: string, contactId: string): string;
  sign(emergencyId: string, contactId: string): string;
  verify(token: string, emergencyId: string): AckLinkCheck;
}

const MAC_LENGTH = 16;
const TOKEN = /^([A-Za-z0-9_-]{10,600})\.([A-Za-z0-9_-]{22})$/;
const claimsSchema = z.strictObject({ e: z.uuid(), c: z.uuid(), x: z.int().positive(), n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

export function createAckLinks(opts: { secret: string; baseUrl: string; ttlHours: number; now?: () => number }): AckLinks {
  const key = createHash('sha256').update('lifeline/emergency-ack-link\0').update(opts.secret).digest();
  const mac = (data: string) => createHmac('sha256', key).update(data).digest().subarray(0, MAC_LENGTH);
  const now = opts.now ?? Date.now;
  const base = opts.baseUrl.replace(/\/+$/, '');

  function sign(emergencyId: string, contactId: string): string {
    const claims = { e: emergencyId, c: contactId, x: Math.floor(now() / 1000) + opts.ttlHours * 3600, n: randomBytes(16).toString('base64url') };
    const data = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${data}.${mac(data).toString('base64url')}`;
  }

  return {
    sign,
    urlFor(emergencyId, contactId) {
      return `${base}/emergencies/${emergencyId}/respond?token=${sign(emergencyId, contactId)}`;
    },
    verify(token, emergencyId) {
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
      const parsed = claimsSchema.safeParse(json);
      if (!parsed.success) return { ok: false, reason: 'invalid' };
      const c = parsed.data;
      if (c.e !== emergencyId) return { ok: false, reason: 'other-emergency' };
      if (c.x * 1000 <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, claims: { emergencyId: c.e, contactId: c.c, expiresAt: c.x, nonce: c.n } };
    },
  };
}
