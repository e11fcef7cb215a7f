import { z } from 'zod';
import { createSignedLinks } from './signed-link.ts';

/**
 * The acknowledgement link of an outside contact's emergency page, shared by the two apps it passes between:
 * notification signs it when it mails the contact, emergency verifies it when the contact presses the button.
 * Neither the event nor the audit trail ever holds one. The purpose and claim names are those emergency used
 * when it signed the links itself, so a link mailed before the move still verifies.
 */
export type AckLinkCheck = { ok: true; contactId: string; nonce: string; expiresAt: number } | { ok: false; reason: 'invalid' | 'expired' | 'other-emergency' };

export interface EmergencyAckLinks {
  /** The page (GET /emergencies/{id}/respond) the mail links to, under the API's public base. */
  urlFor(baseUrl: string, emergencyId: string, contactId: string, ttlSeconds: number): string;
  sign(emergencyId: string, contactId: string, ttlSeconds: number): string;
  verify(token: string, emergencyId: string): AckLinkCheck;
}

export const EMERGENCY_ACK_LINK_PURPOSE = 'emergency-ack-link';

const claims = z.strictObject({ e: z.uuid(), c: z.uuid() });

export function createEmergencyAckLinks(opts: { secret: string; now?: () => number }): EmergencyAckLinks {
  const links = createSignedLinks({ secret: opts.secret, purpose: EMERGENCY_ACK_LINK_PURPOSE, claims, ...(opts.now ? { now: opts.now } : {}) });
  const sign = (emergencyId: string, contactId: string, ttlSeconds: number) => links.sign({ e: emergencyId, c: contactId }, ttlSeconds);
  return {
    sign,
    urlFor(baseUrl, emergencyId, contactId, ttlSeconds) {
      return `${baseUrl.replace(/\/+$/, '')}/emergencies/${encodeURIComponent(emergencyId)}/respond?token=${sign(emergencyId, contactId, ttlSeconds)}`;
    },
    verify(token, emergencyId) {
      const check = links.verify(token);
      if (!check.ok) return check;
      if (check.claims.e !== emergencyId) return { ok: false, reason: 'other-emergency' };
      return { ok: true, contactId: check.claims.c, nonce: check.nonce, expiresAt: check.expiresAt };
    },
  };
}
