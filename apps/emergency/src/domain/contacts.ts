import { randomUUID } from 'node:crypto';
import { canActFor, conflict, notFound, unprocessable, type AuthContext, type HttpProblem } from '@lifeline/kit';
import { deleteContact, findContact, insertContact, listContacts, lockContactList, updateContact } from '../data/contact-repository.ts';
import { removeContactFromPolicy } from '../data/policy-repository.ts';
import { MAX_CONTACTS, type Contact } from './contact.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import { requireManager } from './policies.ts';

export type NewContact =
  | { personId?: string | undefined; userId: string; name?: string | undefined }
  | { personId?: string | undefined; name: string; email: string; phone?: string | undefined };

function contactNotFound(id: string): HttpProblem {
  return notFound(`Contact ${id} was not found.`, { type: 'contact-not-found' });
}

export async function listPersonContacts(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, personId: string): Promise<Contact[]> {
  requireManager(caller, personId, 'emergency contacts');
  return listContacts(deps.db, personId);
}

/** Someone else's contact answers like a missing one. */
export async function getContact(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, id: string): Promise<Contact> {
  const contact = await findContact(deps.db, id);
  if (contact === undefined || !canActFor(caller, contact.personId)) throw contactNotFound(id);
  return contact;
}

export async function addContact(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, input: NewContact): Promise<Contact> {
  const personId = input.personId ?? caller.userId;
  requireManager(caller, personId, 'emergency contacts');
  if ('userId' in input && input.userId === personId) throw unprocessable('A person cannot be their own emergency contact.', { type: 'self-contact' });
  return deps.db.$transaction(async (tx) => {
    await lockContactList(tx, personId);
    const existing = await listContacts(tx, personId);
    if (existing.length >= MAX_CONTACTS) {
      throw unprocessable(`A person keeps at most ${MAX_CONTACTS} emergency contacts; remove one first.`, { type: 'too-many-contacts' });
    }
    const id = randomUUID();
    const row =
      'userId' in input
        ? { id, personId, kind: 'user' as const, userId: input.userId, name: input.name ?? input.userId, email: null, phone: null }
        : { id, personId, kind: 'contact' as const, userId: null, name: input.name, email: input.email, phone: input.phone ?? null };
    if (!(await insertContact(tx, row))) throw conflict(`${row.userId} is already one of this person's contacts.`, { type: 'duplicate-contact' });
    const made = await findContact(tx, id);
    if (made === undefined) throw new Error(`contact ${id} vanished inside its own transaction`);
    return made;
  });
}

export interface ContactChange {
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | null | undefined;
}

export async function changeContact(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, id: string, change: ContactChange): Promise<Contact> {
  return deps.db.$transaction(async (tx) => {
    const contact = await findContact(tx, id);
    if (contact === undefined || !canActFor(caller, contact.personId)) throw contactNotFound(id);
    if (contact.kind === 'user' && (change.email !== undefined || change.phone !== undefined)) {
      throw unprocessable('A Lifeline user is reached through their own notification settings; only the name can change.', { type: 'user-contact-address' });
    }
    await updateContact(tx, {
      id,
      name: change.name ?? contact.name,
      email: change.email ?? contact.email,
      phone: change.phone === undefined ? contact.phone : change.phone,
    });
    return (await findContact(tx, id)) ?? contact;
  });
}

/** Deleting a contact also takes it out of the person's policy; running escalations keep their snapshot. */
export async function removeContact(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, id: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const contact = await findContact(tx, id);
    if (contact === undefined || !canActFor(caller, contact.personId)) throw contactNotFound(id);
    await lockContactList(tx, contact.personId);
    await deleteContact(tx, id);
    await removeContactFromPolicy(tx, contact.personId, id);
  });
}
