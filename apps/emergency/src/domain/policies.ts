import { randomUUID } from 'node:crypto';
import { canActFor, forbidden, type AuthContext } from '@lifeline/kit';
import type { Db } from '../data/db.ts';
import { listContacts, lockContactList } from '../data/contact-repository.ts';
import { findPolicy, savePolicy } from '../data/policy-repository.ts';
import type { Contact } from './contact.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import { checkPolicyContacts, defaultPolicy, type Policy, type PolicyTier } from './policy.ts';

export function requireManager(caller: AuthContext, personId: string, what: string): void {
  // A list or a policy is not one id being probed: refusing says nothing about anyone's data, so 403.
  if (!canActFor(caller, personId)) throw forbidden(`You may manage ${what} only for yourself or for the people you care for.`);
}

/** The stored policy, or the default one for this person's contacts. */
export async function currentPolicy(db: Db, personId: string, contacts: readonly Contact[]): Promise<Policy> {
  const stored = await findPolicy(db, personId);
  if (stored === undefined) return defaultPolicy(personId, contacts);
  return { personId, id: stored.id, isDefault: false, tiers: stored.tiers, ackTimeoutMinutes: stored.ackTimeoutMinutes, version: stored.version, updatedAt: stored.updatedAt };
}

export async function getPolicy(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, personId: string): Promise<Policy> {
  requireManager(caller, personId, 'escalation policies');
  return currentPolicy(deps.db, personId, await listContacts(deps.db, personId));
}

/** Replaces the person's policy; every contact it names must be one of theirs (422 otherwise, nothing written). */
export async function putPolicy(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, personId: string, tiers: PolicyTier[], ackTimeoutMinutes: number | null): Promise<Policy> {
  requireManager(caller, personId, 'escalation policies');
  return deps.db.$transaction(async (tx) => {
    // The same lock contact writes take: a contact cannot be deleted between the check and the save.
    await lockContactList(tx, personId);
    const contacts = await listContacts(tx, personId);
    checkPolicyContacts(tiers, contacts);
    const existing = await findPolicy(tx, personId);
    await savePolicy(tx, { id: existing?.id ?? randomUUID(), personId, tiers, ackTimeoutMinutes, updatedBy: caller.userId });
    return currentPolicy(tx, personId, contacts);
  });
}
