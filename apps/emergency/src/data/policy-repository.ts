import { z } from 'zod';
import type { PolicyTier } from '../domain/policy.ts';
import type { Db } from './db.ts';

export interface StoredPolicy {
  id: string;
  personId: string;
  tiers: PolicyTier[];
  ackTimeoutMinutes: number | null;
  version: number;
  updatedAt: string;
}

// Policies stored before nearest-first tiers page everyone at once.
const tiersSchema = z.array(
  z.object({
    contactIds: z.array(z.string()),
    waitMinutes: z.int(),
    repeat: z.int(),
    order: z.enum(['all', 'nearest_first']).default('all'),
    headStartMinutes: z.int().default(1),
  }),
);

export async function findPolicy(db: Db, personId: string): Promise<StoredPolicy | undefined> {
  const [row] = await db.$queryRaw<Array<{ id: string; personId: string; tiers: unknown; ackTimeoutMinutes: number | null; version: number; updatedAt: Date }>>`
    SELECT id::text AS id, person_id AS "personId", tiers, ack_timeout_minutes AS "ackTimeoutMinutes", version, updated_at AS "updatedAt"
    FROM policies WHERE person_id = ${personId}`;
  if (row === undefined) return undefined;
  return { ...row, tiers: tiersSchema.parse(row.tiers), updatedAt: row.updatedAt.toISOString() };
}

/** Insert or replace; the version counts replacements. */
export async function savePolicy(db: Db, p: { id: string; personId: string; tiers: PolicyTier[]; ackTimeoutMinutes: number | null; updatedBy: string }): Promise<void> {
  await db.$executeRaw`
    INSERT INTO policies (person_id, id, tiers, ack_timeout_minutes, version, updated_at, updated_by)
    VALUES (${p.personId}, ${p.id}::uuid, ${JSON.stringify(p.tiers)}::jsonb, ${p.ackTimeoutMinutes}, 1, statement_timestamp(), ${p.updatedBy})
    ON CONFLICT (person_id) DO UPDATE
      SET tiers = EXCLUDED.tiers, ack_timeout_minutes = EXCLUDED.ack_timeout_minutes, version = policies.version + 1,
          updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`;
}

/** A deleted contact leaves every tier of the person's policy; a tier left empty goes with it. */
export async function removeContactFromPolicy(db: Db, personId: string, contactId: string): Promise<void> {
  const policy = await findPolicy(db, personId);
  if (policy === undefined) return;
  const tiers = policy.tiers.map((t) => ({ ...t, contactIds: t.contactIds.filter((id) => id !== contactId) })).filter((t) => t.contactIds.length > 0);
  if (tiers.length === policy.tiers.length && tiers.every((t, i) => t.contactIds.length === policy.tiers[i]?.contactIds.length)) return;
  await db.$executeRaw`
    UPDATE policies SET tiers = ${JSON.stringify(tiers)}::jsonb, version = version + 1, updated_at = statement_timestamp()
    WHERE person_id = ${personId}`;
}
