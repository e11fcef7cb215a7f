import { emergencyRecipientSchema, type EmergencyRecipient, type TierOrder } from '@lifeline/contracts';
import { unprocessable } from '@lifeline/kit';
import type { Contact } from './contact.ts';
import type { EscalationPlan, PlanTier } from './emergency.ts';

export interface PolicyTier {
  contactIds: string[];
  waitMinutes: number;
  repeat: number;
  /** all: the tier's contacts at once; nearest_first: the one nearest the person first, the rest a head start later. */
  order: TierOrder;
  /** nearest_first only: how long the nearest contact is alone before the rest of the tier is paged. */
  headStartMinutes: number;
}

export interface Policy {
  personId: string;
  /** null for the default policy (none stored). */
  id: string | null;
  isDefault: boolean;
  tiers: PolicyTier[];
  /** Minutes an acknowledgement may stay unresolved before the escalation starts again; null: never. */
  ackTimeoutMinutes: number | null;
  version: number;
  updatedAt: string | null;
}

/** Bounds of a policy: enough for any real escalation, small enough that no policy pages for days. */
export const POLICY_LIMITS = { tiers: 10, contactsPerTier: 20, waitMinutes: { min: 1, max: 120 }, repeat: { min: 0, max: 5 }, headStartMinutes: { min: 1, max: 30 }, ackTimeoutMinutes: { min: 1, max: 24 * 60 } };

/** Without a stored policy: every contact at once, a second round after five minutes, then exhausted. */
export const DEFAULT_TIER = { waitMinutes: 5, repeat: 1, order: 'all', headStartMinutes: 1 } as const;

export function defaultPolicy(personId: string, contacts: readonly Contact[]): Policy {
  return {
    personId,
    id: null,
    isDefault: true,
    tiers: contacts.length === 0 ? [] : [{ contactIds: contacts.map((c) => c.id), ...DEFAULT_TIER }],
    ackTimeoutMinutes: null,
    version: 0,
    updatedAt: null,
  };
}

/**
 * A stored policy may only name the person's own contacts: an unknown id is a 422 naming it, and nothing is
 * written. Shape and bounds are the input schema's concern (400).
 */
export function checkPolicyContacts(tiers: readonly PolicyTier[], contacts: readonly Contact[]): void {
  const known = new Set(contacts.map((c) => c.id));
  const unknown = tiers.flatMap((t, i) => t.contactIds.filter((id) => !known.has(id)).map((id) => ({ tier: i + 1, id })));
  if (unknown.length > 0) {
    throw unprocessable(`The policy names contacts this person does not have: ${unknown.map((u) => `${u.id} (tier ${u.tier})`).join(', ')}.`, {
      type: 'unknown-contact',
      extra: { unknownContacts: unknown },
    });
  }
}

/** A contact row that no page could carry (damaged past the API's validation) is left out rather than failing the raise. */
function recipientOf(contact: Contact): EmergencyRecipient | undefined {
  const candidate =
    contact.kind === 'user'
      ? { kind: 'user', userId: contact.userId ?? '' }
      : { kind: 'contact', contactId: contact.id, name: contact.name, email: contact.email ?? '' };
  const parsed = emergencyRecipientSchema.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The policy resolved into recipients when an emergency is raised. A contact deleted since the policy was
 * stored (or one no page could carry) is left out, and a tier left with nobody is dropped, so every
 * remaining tier pages someone.
 */
export function resolvePlan(policy: Policy, contacts: readonly Contact[]): EscalationPlan {
  const byId = new Map(contacts.map((c) => [c.id, c]));
  const tiers: PlanTier[] = policy.tiers
    .map((t) => ({
      recipients: t.contactIds.flatMap((id) => {
        const c = byId.get(id);
        const recipient = c === undefined ? undefined : recipientOf(c);
        return recipient === undefined ? [] : [recipient];
      }),
      waitMinutes: t.waitMinutes,
      repeat: t.repeat,
      order: t.order,
      headStartMinutes: t.headStartMinutes,
    }))
    .filter((t) => t.recipients.length > 0);
  return { policyId: policy.id, tiers, ackTimeoutMinutes: policy.ackTimeoutMinutes };
}

/** Everyone on every tier, once each. */
export function everyoneInPlan(plan: EscalationPlan): EmergencyRecipient[] {
  const seen = new Map<string, EmergencyRecipient>();
  for (const tier of plan.tiers) for (const r of tier.recipients) seen.set(r.kind === 'user' ? `u:${r.userId}` : `c:${r.contactId}`, r);
  return [...seen.values()];
}
