import { randomUUID } from 'node:crypto';
import type { EmergencyKind, GeoPosition } from '@lifeline/contracts';
import { canActFor, forbidden, unprocessable, type AuthContext } from '@lifeline/kit';
import type { Emit } from '@lifeline/db';
import { inOutbox } from './outbox-transaction.ts';
import type { Db, Tx } from '../data/db.ts';
import { listContacts } from '../data/contact-repository.ts';
import { findEmergency, insertEmergency, insertRaisedEmergency, lockActiveEmergency, type RaisedRows } from '../data/emergency-repository.ts';
import { claimIdempotencyKey, recordIdempotentAnswer } from '../data/idempotency-repository.ts';
import { scheduleStep } from '../data/step-repository.ts';
import { appendTimeline } from '../data/timeline-repository.ts';
import { actorOf } from './emergency-access.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import { emergencyEvent, type EventActor } from './emergency-event.ts';
import type { Emergency } from './emergency.ts';
import { firstStep } from './escalation-plan.ts';
import { currentPolicy } from './policies.ts';
import { resolvePlan } from './policy.ts';

export interface RaiseInput {
  kind: EmergencyKind;
  /** Whose emergency; the caller when absent. */
  personId?: string | undefined;
  message?: string | undefined;
  location?: GeoPosition | undefined;
}

export interface Raised {
  emergency: Emergency;
  /** 201 for a new emergency, 200 when the raise joined the person's active one. */
  created: boolean;
  /** An earlier request with the same Idempotency-Key did this; this one only repeats the answer. */
  replayed: boolean;
}

export interface IdempotentRequest {
  key: string;
  requestHash: string;
}

/** Who raises: a person (or a caregiver for them), or the app itself for a missed check-in. */
export interface Raiser {
  raisedBy: string;
  actor: EventActor;
}

/** A raise while the person already has an active emergency joins it: its message goes on the timeline, nobody is paged again. */
async function join(tx: Tx, who: Raiser, active: Emergency, input: RaiseInput): Promise<Raised> {
  await appendTimeline(tx, active.id, {
    kind: 'raised_again',
    actor: who.raisedBy,
    data: { kind: input.kind, message: input.message ?? null, location: input.location ?? null },
  });
  return { emergency: active, created: false, replayed: false };
}

/** Everything a new emergency writes: its row, its first step, its timeline entry and emergency.created. */
async function newEmergency(db: Db, who: Raiser, personId: string, input: RaiseInput): Promise<RaisedRows> {
  const contacts = await listContacts(db, personId);
  const plan = resolvePlan(await currentPolicy(db, personId, contacts), contacts);
  const id = randomUUID();
  const createdAt = new Date().toISOString();
  const row = { id, personId, kind: input.kind, message: input.message ?? null, location: input.location ?? null, plan, raisedBy: who.raisedBy, createdAt };
  return {
    row,
    firstStep: firstStep(plan),
    timeline: { kind: input.kind, message: row.message, location: row.location, tiers: plan.tiers.length },
    event: emergencyEvent('emergency.created', id, who.actor, {
      emergencyId: id,
      userId: personId,
      raisedBy: who.raisedBy,
      kind: input.kind,
      message: row.message,
      location: row.location,
      policyId: plan.policyId,
      createdAt,
    }),
  };
}

/**
 * Raises (or joins) the person's emergency inside the caller's transaction; the caller wakes the step
 * runner once it committed a new one.
 */
export async function raiseIn(tx: Tx, emit: Emit, who: Raiser, personId: string, input: RaiseInput): Promise<Raised> {
  // Two attempts: a concurrent raise may commit the person's active emergency between the look and the insert.
  for (let attempt = 0; attempt < 2; attempt++) {
    const active = await lockActiveEmergency(tx, personId);
    if (active !== undefined) return join(tx, who, active, input);

    const rows = await newEmergency(tx, who, personId, input);
    const emergency = await insertEmergency(tx, rows.row);
    if (emergency === undefined) continue;

    await scheduleStep(tx, emergency.id, 1, rows.firstStep, 0);
    await appendTimeline(tx, emergency.id, { kind: 'raised', actor: who.raisedBy, at: rows.row.createdAt, data: rows.timeline });
    emit(rows.event);
    return { emergency, created: true, replayed: false };
  }
  throw new Error(`raise for ${personId} found neither an active emergency nor room for a new one`);
}

/**
 * The common raise (no Idempotency-Key, nobody's emergency open yet) without a transaction held across
 * round trips: the contacts and the policy are read first (as the transaction read them, without a lock),
 * then ONE statement inserts the emergency, its first step, its timeline entry and its outbox row, or
 * nothing when the person has an active emergency by then (undefined: the caller joins it).
 */
async function raiseAtOnce(deps: EmergencyDeps, who: Raiser, personId: string, input: RaiseInput): Promise<Raised | undefined> {
  const rows = await newEmergency(deps.db, who, personId, input);
  const emergency = await insertRaisedEmergency(deps.db, rows);
  if (emergency === undefined) return undefined;
  deps.outboxWritten();
  return { emergency, created: true, replayed: false };
}

/**
 * Raises an emergency for the caller or a person in their care. While the person has an active emergency,
 * a raise returns that one (200) with the message appended: ten presses of SOS are one escalation. The
 * answer never waits for a page: the first step is written with the emergency and the tick (woken at once)
 * sends it.
 */
export async function raiseEmergency(deps: EmergencyDeps, caller: AuthContext, input: RaiseInput, idempotency?: IdempotentRequest): Promise<Raised> {
  const personId = input.personId ?? caller.userId;
  if (!canActFor(caller, personId)) throw forbidden('You may raise an emergency only for yourself or for the people you care for.');

  const who = { raisedBy: caller.userId, actor: actorOf(caller) };
  const result = (idempotency === undefined ? await raiseAtOnce(deps, who, personId, input) : undefined) ?? (await inOutbox(deps, async (tx, emit) => {
    if (idempotency !== undefined) {
      const claim = await claimIdempotencyKey(tx, caller.userId, idempotency.key, idempotency.requestHash, deps.idempotencyTtlHours);
      if (!claim.claimed) {
        if (claim.requestHash !== idempotency.requestHash) {
          throw unprocessable('This Idempotency-Key was already used with a different request body. Use a new key for a new request.', {
            type: 'idempotency-key-reuse',
          });
        }
        const emergency = await findEmergency(tx, claim.emergencyId);
        if (emergency === undefined) throw new Error(`idempotency key names emergency ${claim.emergencyId}, which does not exist`);
        return { emergency, created: claim.statusCode === 201, replayed: true };
      }
    }
    const raised = await raiseIn(tx, emit, who, personId, input);
    if (idempotency !== undefined) await recordIdempotentAnswer(tx, caller.userId, idempotency.key, raised.emergency.id, raised.created ? 201 : 200);
    return raised;
  }));
  if (result.created && !result.replayed) {
    deps.stepsDue();
    deps.raised(result.emergency.id, personId);
  }
  return result;
}
