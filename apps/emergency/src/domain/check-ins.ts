import { randomUUID } from 'node:crypto';
import { canActFor, conflict, notFound, unprocessable, type AuthContext, type HttpProblem } from '@lifeline/kit';
import type { Tx } from '../data/db.ts';
import { countPending, findCheckIn, insertCheckIn, listCheckIns, lockCheckIn, saveCheckIn } from '../data/check-in-repository.ts';
import { CHECK_IN_LIMITS, type CheckIn } from './check-in.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import { requireManager } from './policies.ts';

/** When a timer is due: an instant, or minutes (of ESCALATION_TIME_UNIT) from now. */
export type Due = { dueAt: string } | { inMinutes: number };

function checkInNotFound(id: string): HttpProblem {
  return notFound(`Check-in ${id} was not found.`, { type: 'check-in-not-found' });
}

/** The due instant, which must lie in the future and within the bounds of a timer. */
function dueInstant(deps: Pick<EmergencyDeps, 'secondsPerMinute'>, due: Due, now: number): string {
  const minuteMs = deps.secondsPerMinute * 1000;
  const at = 'dueAt' in due ? Date.parse(due.dueAt) : now + due.inMinutes * minuteMs;
  if (at <= now) throw unprocessable('A check-in must fall due in the future.', { type: 'check-in-in-past' });
  if (at > now + CHECK_IN_LIMITS.maxMinutes * minuteMs) {
    throw unprocessable(`A check-in may fall due at most ${CHECK_IN_LIMITS.maxMinutes} minutes from now.`, { type: 'check-in-too-far' });
  }
  return new Date(at).toISOString();
}

export async function createCheckIn(deps: EmergencyDeps, caller: AuthContext, input: { personId?: string | undefined; note?: string | undefined; due: Due }): Promise<CheckIn> {
  const personId = input.personId ?? caller.userId;
  requireManager(caller, personId, 'check-ins');
  const dueAt = dueInstant(deps, input.due, Date.now());
  return deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('emergency-check-ins'), hashtext(${personId}))`;
    if ((await countPending(tx, personId)) >= CHECK_IN_LIMITS.pendingPerPerson) {
      throw unprocessable(`A person has at most ${CHECK_IN_LIMITS.pendingPerPerson} running check-ins; complete one first.`, { type: 'too-many-check-ins' });
    }
    return insertCheckIn(tx, { id: randomUUID(), personId, note: input.note ?? null, dueAt, createdBy: caller.userId });
  });
}

export async function getCheckIn(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, id: string): Promise<CheckIn> {
  const c = await findCheckIn(deps.db, id);
  if (c === undefined || !canActFor(caller, c.personId)) throw checkInNotFound(id);
  return c;
}

export async function listPersonCheckIns(deps: Pick<EmergencyDeps, 'db'>, caller: AuthContext, personId: string): Promise<CheckIn[]> {
  requireManager(caller, personId, 'check-ins');
  return listCheckIns(deps.db, personId, 100);
}

/**
 * Completing or extending a pending timer, with its row locked: the tick that would raise for it skips a
 * locked row, and after this commits the row is no longer pending (or no longer due).
 */
async function change(deps: EmergencyDeps, caller: AuthContext, id: string, work: (tx: Tx, c: CheckIn) => Promise<CheckIn>): Promise<CheckIn> {
  return deps.db.$transaction(async (tx) => {
    const c = await lockCheckIn(tx, id);
    if (c === undefined || !canActFor(caller, c.personId)) throw checkInNotFound(id);
    return work(tx, c);
  });
}

export async function completeCheckIn(deps: EmergencyDeps, caller: AuthContext, id: string): Promise<CheckIn> {
  return change(deps, caller, id, async (tx, c) => {
    if (c.status === 'completed') return c;
    if (c.status !== 'pending') throw conflict(`Check-in ${id} is ${c.status}; it can no longer be completed.`, { type: 'invalid-status-transition' });
    const done: CheckIn = { ...c, status: 'completed', closedAt: new Date().toISOString(), version: c.version + 1 };
    await saveCheckIn(tx, done);
    return done;
  });
}

export async function extendCheckIn(deps: EmergencyDeps, caller: AuthContext, id: string, due: Due): Promise<CheckIn> {
  return change(deps, caller, id, async (tx, c) => {
    if (c.status !== 'pending') throw conflict(`Check-in ${id} is ${c.status}; only a running check-in can be extended.`, { type: 'invalid-status-transition' });
    const dueAt = 'inMinutes' in due ? new Date(Math.max(Date.parse(c.dueAt), Date.now()) + due.inMinutes * deps.secondsPerMinute * 1000).toISOString() : dueInstant(deps, due, Date.now());
    dueInstant(deps, { dueAt }, Date.now());
    const extended: CheckIn = { ...c, dueAt, version: c.version + 1 };
    await saveCheckIn(tx, extended);
    return extended;
  });
}
