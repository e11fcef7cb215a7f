import { emergencyRecipientSchema, type EmergencyRecipient } from '@lifeline/contracts';
import { recipientKey } from '../domain/emergency.ts';
import type { Db } from './db.ts';

/** Remembers who was paged (first time only): they may read the emergency and are told how it ends. One statement for the lot. */
export async function recordPaged(db: Db, emergencyId: string, recipients: readonly EmergencyRecipient[]): Promise<void> {
  if (recipients.length === 0) return;
  await db.$executeRaw`
    INSERT INTO paged_recipients (emergency_id, recipient_key, recipient)
    SELECT ${emergencyId}::uuid, r.key, r.recipient
    FROM unnest(${recipients.map(recipientKey)}::text[], ${recipients.map((r) => JSON.stringify(r))}::jsonb[]) AS r(key, recipient)
    ON CONFLICT DO NOTHING`;
}

/** Everyone paged so far, in the order they were first paged. */
export async function pagedRecipients(db: Db, emergencyId: string): Promise<EmergencyRecipient[]> {
  const rows = await db.$queryRaw<Array<{ recipient: unknown }>>`
    SELECT recipient FROM paged_recipients WHERE emergency_id = ${emergencyId}::uuid ORDER BY first_paged_at, recipient_key`;
  return rows.map((r) => emergencyRecipientSchema.parse(r.recipient));
}

export async function wasPaged(db: Db, emergencyId: string, key: string): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>`
    SELECT 1 FROM paged_recipients WHERE emergency_id = ${emergencyId}::uuid AND recipient_key = ${key}`;
  return rows.length > 0;
}
