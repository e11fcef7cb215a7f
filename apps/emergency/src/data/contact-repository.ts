import type { Contact } from '../domain/contact.ts';
import type { Db } from './db.ts';

interface ContactRow {
  id: string;
  personId: string;
  position: number;
  kind: string;
  userId: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function toContact(row: ContactRow): Contact {
  return {
    ...row,
    kind: row.kind === 'user' ? 'user' : 'contact',
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const COLUMNS = `id::text AS id, person_id AS "personId", position, kind, user_id AS "userId", name, email, phone,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The person's list in its order. */
export async function listContacts(db: Db, personId: string): Promise<Contact[]> {
  const rows = await db.$queryRawUnsafe<ContactRow[]>(`SELECT ${COLUMNS} FROM contacts WHERE person_id = $1 ORDER BY position, id`, personId);
  return rows.map(toContact);
}

export async function findContact(db: Db, id: string): Promise<Contact | undefined> {
  const [row] = await db.$queryRawUnsafe<ContactRow[]>(`SELECT ${COLUMNS} FROM contacts WHERE id = $1::uuid`, id);
  return row === undefined ? undefined : toContact(row);
}

/**
 * Serialises the writes to one person's list (count bound, positions) for the rest of the transaction; a
 * transaction-scoped advisory lock, because an empty list has no row to lock.
 */
export async function lockContactList(db: Db, personId: string): Promise<void> {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('emergency-contacts'), hashtext(${personId}))`;
}

/** Appends at the end of the list; false when the person already has this Lifeline user as a contact. */
export async function insertContact(db: Db, c: Omit<Contact, 'position' | 'createdAt' | 'updatedAt'>): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO contacts (id, person_id, position, kind, user_id, name, email, phone)
    SELECT ${c.id}::uuid, ${c.personId}, COALESCE(max(position), 0) + 1, ${c.kind}, ${c.userId}, ${c.name}, ${c.email}, ${c.phone}
    FROM contacts WHERE person_id = ${c.personId}
    ON CONFLICT (person_id, user_id) WHERE user_id IS NOT NULL DO NOTHING`;
  return inserted === 1;
}

export async function updateContact(db: Db, c: Pick<Contact, 'id' | 'name' | 'email' | 'phone'>): Promise<void> {
  await db.$executeRaw`
    UPDATE contacts SET name = ${c.name}, email = ${c.email}, phone = ${c.phone}, updated_at = statement_timestamp()
    WHERE id = ${c.id}::uuid`;
}

export async function deleteContact(db: Db, id: string): Promise<void> {
  await db.$executeRaw`DELETE FROM contacts WHERE id = ${id}::uuid`;
}
