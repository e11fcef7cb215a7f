import { z } from 'zod';
import { emergencyKindSchema, geoPositionSchema } from '@lifeline/contracts';
import { Prisma } from '../generated/prisma/client.ts';
import { EMERGENCY_STATUSES, type Emergency, type EscalationPlan } from '../domain/emergency.ts';
import type { OutboxEntry } from '@lifeline/db';
import type { StepRef } from '../domain/escalation-plan.ts';
import type { Db, Tx } from './db.ts';

export const EMERGENCY_COLUMNS = Prisma.sql`
  id::text AS id, person_id AS "personId", kind, status, message, location, policy_id::text AS "policyId", plan,
  raised_by AS "raisedBy", created_at AS "createdAt", updated_at AS "updatedAt", acknowledged_at AS "acknowledgedAt",
  acknowledged_by AS "acknowledgedBy", exhausted_at AS "exhaustedAt", closed_at AS "closedAt", closed_by AS "closedBy",
  close_note AS "closeNote", version, cycle`;

export interface EmergencyRow {
  id: string;
  personId: string;
  kind: string;
  status: string;
  message: string | null;
  location: unknown;
  policyId: string | null;
  plan: unknown;
  raisedBy: string;
  createdAt: Date;
  updatedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  exhaustedAt: Date | null;
  closedAt: Date | null;
  closedBy: string | null;
  closeNote: string | null;
  version: number;
  cycle: number;
}

// The plan is this app's own record and was valid when written; read it by shape only, so one damaged
// recipient fails that emergency's page (and is set aside there), never reading the emergency at all.
const storedRecipient = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), userId: z.string() }),
  z.object({ kind: z.literal('contact'), contactId: z.string(), name: z.string(), email: z.string() }),
]);
const planSchema = z.object({
  policyId: z.string().nullable(),
  tiers: z.array(
    z.object({
      recipients: z.array(storedRecipient),
      waitMinutes: z.int(),
      repeat: z.int(),
      // Plans written before nearest-first tiers page everyone at once.
      order: z.enum(['all', 'nearest_first']).default('all'),
      headStartMinutes: z.int().default(1),
    }),
  ),
  ackTimeoutMinutes: z.int().nullable().default(null),
});

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** The table's CHECK constraints hold the same sets; parsing keeps a drifted row from leaving as a valid emergency. */
export function toEmergency(row: EmergencyRow): Emergency {
  return {
    ...row,
    kind: emergencyKindSchema.parse(row.kind),
    status: z.enum(EMERGENCY_STATUSES).parse(row.status),
    location: row.location === null ? null : geoPositionSchema.parse(row.location),
    plan: planSchema.parse(row.plan),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    acknowledgedAt: iso(row.acknowledgedAt),
    exhaustedAt: iso(row.exhaustedAt),
    closedAt: iso(row.closedAt),
  };
}

export async function findEmergency(db: Db, id: string): Promise<Emergency | undefined> {
  const [row] = await db.$queryRaw<EmergencyRow[]>`SELECT ${EMERGENCY_COLUMNS} FROM emergencies WHERE id = ${id}::uuid`;
  return row === undefined ? undefined : toEmergency(row);
}

/**
 * Reads the emergency and holds its row lock until the transaction ends. Every change of its status and
 * every escalation step takes this lock, so an acknowledgement and a page can never interleave.
 */
export async function lockEmergency(tx: Tx, id: string): Promise<Emergency | undefined> {
  const [row] = await tx.$queryRaw<EmergencyRow[]>`SELECT ${EMERGENCY_COLUMNS} FROM emergencies WHERE id = ${id}::uuid FOR UPDATE`;
  return row === undefined ? undefined : toEmergency(row);
}

/** The person's active (open or acknowledged) emergency, locked; the partial unique index allows one. */
export async function lockActiveEmergency(tx: Tx, personId: string): Promise<Emergency | undefined> {
  const [row] = await tx.$queryRaw<EmergencyRow[]>`
    SELECT ${EMERGENCY_COLUMNS} FROM emergencies WHERE person_id = ${personId} AND status IN ('open', 'acknowledged') FOR UPDATE`;
  return row === undefined ? undefined : toEmergency(row);
}

export interface NewEmergency {
  id: string;
  personId: string;
  kind: Emergency['kind'];
  message: string | null;
  location: Emergency['location'];
  plan: EscalationPlan;
  raisedBy: string;
  createdAt: string;
}

/**
 * Inserts the person's new active emergency and answers it as stored. undefined: a concurrent raise
 * committed one first (the partial unique index); the caller then joins that one instead.
 */
export async function insertEmergency(tx: Tx, e: NewEmergency): Promise<Emergency | undefined> {
  const [row] = await tx.$queryRaw<EmergencyRow[]>`
    INSERT INTO emergencies (id, person_id, kind, status, message, location, policy_id, plan, raised_by, created_at, updated_at)
    VALUES (${e.id}::uuid, ${e.personId}, ${e.kind}, 'open', ${e.message}, ${e.location === null ? null : JSON.stringify(e.location)}::jsonb,
            ${e.plan.policyId}::uuid, ${JSON.stringify(e.plan)}::jsonb, ${e.raisedBy}, ${e.createdAt}::timestamptz, ${e.createdAt}::timestamptz)
    ON CONFLICT (person_id) WHERE status IN ('open', 'acknowledged') DO NOTHING
    RETURNING ${EMERGENCY_COLUMNS}`;
  return row === undefined ? undefined : toEmergency(row);
}

export interface RaisedRows {
  row: NewEmergency;
  firstStep: StepRef;
  /** The data of its 'raised' timeline entry. */
  timeline: Record<string, unknown>;
  /** emergency.created */
  event: OutboxEntry;
}

/**
 * A new emergency in ONE statement: its row, its first step (due now), its 'raised' timeline entry and its
 * outbox row commit together, or none of them when the person has an active emergency (the partial unique
 * index): undefined then. Nothing is held open between round trips.
 */
export async function insertRaisedEmergency(db: Db, r: RaisedRows): Promise<Emergency | undefined> {
  const e = r.row;
  const [row] = await db.$queryRaw<EmergencyRow[]>`
    WITH inserted AS (
      INSERT INTO emergencies (id, person_id, kind, status, message, location, policy_id, plan, raised_by, created_at, updated_at)
      VALUES (${e.id}::uuid, ${e.personId}, ${e.kind}, 'open', ${e.message}, ${e.location === null ? null : JSON.stringify(e.location)}::jsonb,
              ${e.plan.policyId}::uuid, ${JSON.stringify(e.plan)}::jsonb, ${e.raisedBy}, ${e.createdAt}::timestamptz, ${e.createdAt}::timestamptz)
      ON CONFLICT (person_id) WHERE status IN ('open', 'acknowledged') DO NOTHING
      RETURNING ${EMERGENCY_COLUMNS}
    ), step AS (
      INSERT INTO escalation_steps (emergency_id, cycle, tier, round, kind, due_at)
      SELECT id::uuid, 1, ${r.firstStep.tier}, ${r.firstStep.round}, ${r.firstStep.kind}, statement_timestamp() FROM inserted
    ), raised AS (
      INSERT INTO timeline (emergency_id, at, kind, actor, data)
      SELECT id::uuid, ${e.createdAt}::timestamptz, 'raised', ${e.raisedBy}, ${JSON.stringify(r.timeline)}::jsonb FROM inserted
    ), created AS (
      INSERT INTO outbox (id, topic, type, payload)
      SELECT ${r.event.id}::uuid, ${r.event.topic}, ${r.event.type}, ${JSON.stringify(r.event.payload)}::jsonb FROM inserted
    )
    SELECT * FROM inserted`;
  return row === undefined ? undefined : toEmergency(row);
}

/** Writes the status fields of a locked emergency. */
export async function saveStatus(tx: Tx, e: Emergency): Promise<void> {
  await tx.$executeRaw`
    UPDATE emergencies SET status = ${e.status}, acknowledged_at = ${e.acknowledgedAt}::timestamptz, acknowledged_by = ${e.acknowledgedBy},
      closed_at = ${e.closedAt}::timestamptz, closed_by = ${e.closedBy}, close_note = ${e.closeNote},
      exhausted_at = ${e.exhaustedAt}::timestamptz, updated_at = ${e.updatedAt}::timestamptz, version = ${e.version}, cycle = ${e.cycle}
    WHERE id = ${e.id}::uuid`;
}

/** Newest first, strictly after the keyset; one extra row tells whether another page follows. */
export async function listEmergencies(
  db: Db,
  filter: { personId: string; statuses?: readonly string[] | undefined },
  limit: number,
  after?: { createdAt: string; id: string },
): Promise<{ emergencies: Emergency[]; more: boolean }> {
  const where = [Prisma.sql`person_id = ${filter.personId}`];
  if (filter.statuses?.length) where.push(Prisma.sql`status = ANY(${[...filter.statuses]}::text[])`);
  if (after !== undefined) where.push(Prisma.sql`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  const rows = await db.$queryRaw<EmergencyRow[]>`
    SELECT ${EMERGENCY_COLUMNS} FROM emergencies WHERE ${Prisma.join(where, ' AND ')}
    ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`;
  return { emergencies: rows.slice(0, limit).map(toEmergency), more: rows.length > limit };
}

/**
 * What a raise's location lookup found, in ONE statement: the timeline entry, and the position as the
 * emergency's location when it has none yet (the raise carried none). Nothing for an emergency that is gone.
 */
export async function recordLocation(db: Db, id: string, latest: NonNullable<Emergency['location']> | null, entry: Record<string, unknown>): Promise<void> {
  await db.$executeRaw`
    WITH target AS (
      SELECT id FROM emergencies WHERE id = ${id}::uuid
    ), located AS (
      UPDATE emergencies SET location = ${latest === null ? null : JSON.stringify(latest)}::jsonb
      WHERE id = ${id}::uuid AND location IS NULL AND ${latest === null ? null : JSON.stringify(latest)}::jsonb IS NOT NULL
    )
    INSERT INTO timeline (emergency_id, at, kind, actor, data)
    SELECT id, statement_timestamp(), 'location', NULL, ${JSON.stringify(entry)}::jsonb FROM target`;
}
