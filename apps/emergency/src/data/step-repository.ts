import { z } from 'zod';
import { emergencyRecipientSchema, type EmergencyRecipient } from '@lifeline/contracts';
import type { StepRef } from '../domain/escalation-plan.ts';
import type { TierOrdering } from '../domain/nearest-first.ts';
import type { Db, Tx } from './db.ts';

export interface DueStep extends StepRef {
  emergencyId: string;
  cycle: number;
  attempts: number;
  /** As stored; read with stepRecipients, inside the step's work, so a damaged value fails that step only. */
  recipients: unknown;
}

const storedRecipients = z.array(emergencyRecipientSchema).min(1).nullable();

/** Who this step pages when not the whole tier (the rest after a nearest-first lead); null: the whole tier. */
export function stepRecipients(step: DueStep): EmergencyRecipient[] | null {
  return storedRecipients.parse(step.recipients);
}

/**
 * Schedules a step of an escalation cycle, optionally for some of the tier only; a step that exists already
 * (a replayed tick) is left as it is.
 */
export async function scheduleStep(db: Db, emergencyId: string, cycle: number, step: StepRef, dueInSeconds: number, recipients: readonly EmergencyRecipient[] | null = null): Promise<void> {
  await db.$executeRaw`
    INSERT INTO escalation_steps (emergency_id, cycle, tier, round, kind, due_at, recipients)
    VALUES (${emergencyId}::uuid, ${cycle}, ${step.tier}, ${step.round}, ${step.kind},
            statement_timestamp() + make_interval(secs => ${dueInSeconds}::int),
            ${recipients === null ? null : JSON.stringify(recipients)}::jsonb)
    ON CONFLICT DO NOTHING`;
}

/**
 * Up to `limit` due steps of OPEN emergencies (and reopen steps of acknowledged ones), oldest first,
 * locking nothing: what the runner looks at (and asks the location app about) before it claims each one
 * in a transaction of its own. The WHERE repeats the partial index's predicate so the planner uses
 * escalation_steps_due_idx.
 */
export async function dueSteps(db: Db, limit: number): Promise<DueStep[]> {
  return db.$queryRaw<DueStep[]>`
    SELECT s.emergency_id::text AS "emergencyId", s.cycle, s.tier, s.round, s.kind, s.attempts, s.recipients
    FROM escalation_steps s JOIN emergencies e ON e.id = s.emergency_id
    WHERE s.status = 'pending' AND s.due_at <= statement_timestamp()
      AND e.status = CASE WHEN s.kind = 'reopen' THEN 'acknowledged' ELSE 'open' END
    ORDER BY s.due_at
    LIMIT ${limit}`;
}

/**
 * Claims one step dueSteps saw, with the step and its emergency row locked until the transaction ends, and
 * answers it as it is now; undefined unless it is still pending and due and the emergency is in the status
 * the step needs. SKIP LOCKED on both: a step another replica works on is skipped, never done twice, and an
 * emergency whose acknowledgement (or resolve, cancel) is in progress is skipped rather than waited for.
 * Once that commits, the emergency is no longer open and its pending steps are cancelled, so this cannot
 * claim them any more: no page leaves after an acknowledgement.
 */
export async function claimStep(tx: Tx, ref: DueStep): Promise<DueStep | undefined> {
  const [row] = await tx.$queryRaw<DueStep[]>`
    SELECT s.emergency_id::text AS "emergencyId", s.cycle, s.tier, s.round, s.kind, s.attempts, s.recipients
    FROM escalation_steps s JOIN emergencies e ON e.id = s.emergency_id
    WHERE s.emergency_id = ${ref.emergencyId}::uuid AND s.cycle = ${ref.cycle} AND s.tier = ${ref.tier} AND s.round = ${ref.round}
      AND s.status = 'pending' AND s.due_at <= statement_timestamp()
      AND e.status = CASE WHEN s.kind = 'reopen' THEN 'acknowledged' ELSE 'open' END
    FOR UPDATE OF s, e SKIP LOCKED`;
  return row;
}

/** `choice`: what a nearest-first round 0 decided, kept with the step it decided. */
export async function markStepDone(tx: Tx, step: DueStep, eventId: string, choice: TierOrdering | null = null): Promise<void> {
  await tx.$executeRaw`
    UPDATE escalation_steps SET status = 'done', done_at = statement_timestamp(), event_id = ${eventId}::uuid,
           choice = ${choice === null ? null : JSON.stringify(choice)}::jsonb
    WHERE emergency_id = ${step.emergencyId}::uuid AND cycle = ${step.cycle} AND tier = ${step.tier} AND round = ${step.round}`;
}

/** Called with the emergency row locked, in the transaction that stops the escalation. */
export async function cancelPendingSteps(tx: Tx, emergencyId: string): Promise<number> {
  return tx.$executeRaw`
    UPDATE escalation_steps SET status = 'cancelled', done_at = statement_timestamp()
    WHERE emergency_id = ${emergencyId}::uuid AND status = 'pending'`;
}

/**
 * A step whose work failed is pushed back (so it never blocks the steps behind it) and, after `maxAttempts`,
 * set aside as failed; returns whether it was set aside.
 */
export async function recordStepFailure(db: Db, step: DueStep, error: string, retryInSeconds: number, maxAttempts: number): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ status: string }>>`
    UPDATE escalation_steps
    SET attempts = attempts + 1, last_error = ${error.slice(0, 1000)},
        due_at = statement_timestamp() + make_interval(secs => ${retryInSeconds}::int),
        status = CASE WHEN attempts + 1 >= ${maxAttempts} THEN 'failed' ELSE 'pending' END
    WHERE emergency_id = ${step.emergencyId}::uuid AND cycle = ${step.cycle} AND tier = ${step.tier} AND round = ${step.round} AND status = 'pending'
    RETURNING status`;
  return row?.status === 'failed';
}

/** When the escalation's next step falls due (null when none is pending). */
export async function nextDueAt(db: Db, emergencyId: string): Promise<string | null> {
  const [row] = await db.$queryRaw<Array<{ dueAt: Date | null }>>`
    SELECT min(due_at) AS "dueAt" FROM escalation_steps WHERE emergency_id = ${emergencyId}::uuid AND status = 'pending'`;
  return row?.dueAt ? row.dueAt.toISOString() : null;
}

/** The step whose page (or exhaustion) was this event; undefined for an event of no step here. */
export async function findStepByEvent(db: Db, eventId: string): Promise<(StepRef & { emergencyId: string; cycle: number }) | undefined> {
  const [row] = await db.$queryRaw<Array<StepRef & { emergencyId: string; cycle: number }>>`
    SELECT emergency_id::text AS "emergencyId", cycle, tier, round, kind
    FROM escalation_steps WHERE event_id = ${eventId}::uuid`;
  return row;
}
