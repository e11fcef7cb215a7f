import type { EmergencyRecipient } from '@lifeline/contracts';
import { appendToOutboxOnce } from '@lifeline/db';
import type { Logger } from '@lifeline/kit';
import type { Tx } from '../data/db.ts';
import { findEmergency, lockEmergency, saveStatus } from '../data/emergency-repository.ts';
import { recordPaged } from '../data/paged-repository.ts';
import { claimStep, dueSteps, markStepDone, recordStepFailure, scheduleStep, stepRecipients, type DueStep } from '../data/step-repository.ts';
import { appendTimeline } from '../data/timeline-repository.ts';
import { raiseForMissedCheckIns } from './check-in-tick.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import { CLOCK, emergencyEvent, escalationEventId, exhaustionEventId } from './emergency-event.ts';
import { recipientKey, type Emergency, type PlanTier } from './emergency.ts';
import { nextStep } from './escalation-plan.ts';
import { orderTier, type DistanceLookup, type TierOrdering } from './nearest-first.ts';
import { everyoneInPlan } from './policy.ts';

export interface StepOutcome {
  pages: number;
  exhausted: number;
  reopened: number;
  missedCheckIns: number;
  failed: number;
}

/** A step whose work throws is retried this much later, and set aside as failed after this many attempts. */
const RETRY_SECONDS = 5;
const MAX_ATTEMPTS = 5;

/** Everyone on every tier, then the configured admins (once each): an exhausted escalation needs someone with authority. */
function exhaustionRecipients(deps: EmergencyDeps, e: Emergency): EmergencyRecipient[] {
  const everyone = everyoneInPlan(e.plan);
  const known = new Set(everyone.map(recipientKey));
  const admins = deps.admins.flatMap((userId) => (known.has(`user:${userId}`) || userId === e.personId ? [] : [{ kind: 'user' as const, userId }]));
  return [...everyone, ...admins];
}

async function exhaust(tx: Tx, deps: EmergencyDeps, e: Emergency, step: DueStep, now: string): Promise<void> {
  // Admins are recorded as paged too: they may read and answer it, and they get the all-clear.
  const recipients = exhaustionRecipients(deps, e);
  const id = exhaustionEventId(e.id, step.cycle);
  await appendToOutboxOnce(tx, emergencyEvent('emergency.exhausted', e.id, CLOCK, { emergencyId: e.id, userId: e.personId, kind: e.kind, tiers: e.plan.tiers.length, recipients, exhaustedAt: now }, id));
  await recordPaged(tx, e.id, recipients);
  await saveStatus(tx, { ...e, exhaustedAt: now, updatedAt: now, version: e.version + 1 });
  await appendTimeline(tx, e.id, { kind: 'exhausted', actor: null, at: now, data: { cycle: step.cycle, tiers: e.plan.tiers.length, recipients } });
  await markStepDone(tx, step, id);
}

/** A nearest-first round 0 of this emergency's plan: the one kind of step that asks the location app who is nearest. */
function placesContacts(e: Emergency, step: DueStep): boolean {
  return step.kind !== 'exhaust' && step.round === 0 && e.plan.tiers[step.tier - 1] !== undefined;
}

/**
 * What the location app answers for a nearest-first round 0, asked BEFORE the step's transaction (with the
 * location client's short timeout): a transaction never waits on another service.
 */
async function distancesFor(deps: EmergencyDeps, e: Emergency, step: DueStep): Promise<DistanceLookup> {
  const tier = e.plan.tiers[step.tier - 1];
  const userIds = (tier?.recipients ?? []).flatMap((r) => (r.kind === 'user' ? [r.userId] : []));
  if (userIds.length === 0) return { ok: false, reason: 'the tier has no Lifeline user to place' };
  return deps.distances(e.personId, userIds);
}

/**
 * Who a page goes to. A nearest-first round 0 pages the nearest alone (by the lookup made before the
 * transaction); what it chose goes with the step. Any other round pages what its step names (round 1 after
 * a lead: the rest of the tier), else the whole tier.
 */
function whomToPage(tier: PlanTier, step: DueStep, lookup: DistanceLookup | undefined): { recipients: EmergencyRecipient[]; choice: TierOrdering | null } {
  if (step.round !== 0) return { recipients: stepRecipients(step) ?? tier.recipients, choice: null };
  const choice = orderTier(tier.recipients, lookup ?? { ok: false, reason: 'the location app was not asked' });
  return { recipients: choice.ordered.slice(0, 1), choice };
}

function orderingView(choice: TierOrdering) {
  return { basis: choice.basis, ...(choice.reason === undefined ? {} : { reason: choice.reason }), order: choice.ordered.map(recipientKey), distances: choice.distances };
}

async function page(tx: Tx, deps: EmergencyDeps, e: Emergency, step: DueStep, now: string, lookup: DistanceLookup | undefined): Promise<void> {
  const tier = e.plan.tiers[step.tier - 1];
  if (tier === undefined) throw new Error(`emergency ${e.id} has no tier ${step.tier}`);
  const { recipients, choice } = whomToPage(tier, step, lookup);
  const id = escalationEventId(e.id, step.tier, step.round, step.cycle);
  await appendToOutboxOnce(
    tx,
    emergencyEvent(
      'emergency.escalated',
      e.id,
      CLOCK,
      {
        emergencyId: e.id,
        userId: e.personId,
        kind: e.kind,
        message: e.message,
        tier: step.tier,
        round: step.round,
        ...(step.cycle > 1 ? { cycle: step.cycle } : {}),
        order: tier.order,
        ...(choice === null ? {} : { basis: choice.basis }),
        recipients,
        escalatedAt: now,
      },
      id,
    ),
  );
  await recordPaged(tx, e.id, recipients);
  await appendTimeline(tx, e.id, {
    kind: 'paged',
    actor: null,
    at: now,
    data: { cycle: step.cycle, tier: step.tier, round: step.round, order: tier.order, recipients, eventId: id, ...(choice === null ? {} : { ordering: orderingView(choice) }) },
  });
  await markStepDone(tx, step, id, choice);
  const next = nextStep(e.plan, { ...step, kind: 'page' });
  // After a nearest-first lead, round 1 pages exactly the rest of the tier, in the order chosen now.
  if (next !== null) await scheduleStep(tx, e.id, step.cycle, next, next.afterMinutes * deps.secondsPerMinute, choice === null ? null : choice.ordered.slice(1));
}

/** Pages a tier, declares the escalation exhausted, or re-opens a timed-out acknowledgement, inside the step's transaction. */
async function doStep(tx: Tx, deps: EmergencyDeps, step: DueStep, lookup: DistanceLookup | undefined): Promise<keyof Omit<StepOutcome, 'failed' | 'missedCheckIns'>> {
  const locked = await lockEmergency(tx, step.emergencyId);
  // claimStep locked the row in the status this step needs, so it still has it; a second line behind that lock.
  const expected = step.kind === 'reopen' ? 'acknowledged' : 'open';
  if (locked === undefined || locked.status !== expected) throw new Error(`step of emergency ${step.emergencyId} claimed while it is not ${expected}`);
  const now = new Date().toISOString();
  let e = locked;

  if (step.kind === 'exhaust') {
    await exhaust(tx, deps, e, step, now);
    return 'exhausted';
  }
  if (step.kind === 'reopen') {
    // Acknowledged, but nobody resolved it in time: the escalation starts again from tier 1, in a new cycle.
    e = { ...e, status: 'open', acknowledgedAt: null, acknowledgedBy: null, exhaustedAt: null, cycle: step.cycle, updatedAt: now, version: e.version + 1 };
    await saveStatus(tx, e);
    await appendTimeline(tx, e.id, { kind: 'reopened', actor: null, at: now, data: { cycle: step.cycle, acknowledgedBy: locked.acknowledgedBy, acknowledgedAt: locked.acknowledgedAt } });
    await page(tx, deps, e, step, now, lookup);
    return 'reopened';
  }
  await page(tx, deps, e, step, now, lookup);
  return 'pages';
}

/** Due steps looked at per round: their location lookups run together, then each is claimed and done. */
const ROUND = 50;

/**
 * Works through every due escalation step, each in its own short transaction: claim the step and its
 * emergency (FOR UPDATE SKIP LOCKED, open emergencies only), write the page to the outbox with its
 * deterministic id, mark the step done and schedule the next one, then commit. Nothing but SQL runs inside
 * it: a nearest-first round 0 asks the location app before the transaction, from the due steps read without
 * a lock. Replicas and overlapping ticks skip what another holds; a crash before the commit leaves the step
 * pending for the next tick, and a replay of its outbox row is the same event id downstream. A step whose
 * work fails is pushed back and, after a few attempts, set aside as failed with a timeline entry: it never
 * blocks the steps behind it. Missed check-ins are raised first, so their emergencies' first pages go out
 * in the same run.
 */
export async function runDueSteps(deps: EmergencyDeps, logger: Logger, limit: number, concurrency = 1): Promise<StepOutcome> {
  const outcome: StepOutcome = { pages: 0, exhausted: 0, reopened: 0, missedCheckIns: 0, failed: 0 };
  outcome.missedCheckIns = await raiseForMissedCheckIns(deps, logger, limit);
  let left = limit;
  while (left > 0) {
    const due = await dueSteps(deps.db, Math.min(ROUND, left));
    if (due.length === 0) break;
    left -= due.length;
    const lookups = await Promise.all(due.map((step) => lookupFor(deps, step)));
    let claimedAny = false;
    // Steps of different emergencies are independent (each claims its own rows): a few at once, so one
    // step's round trips do not wait behind another's. A second due step of one emergency is skipped
    // while the first holds its row, and done in the next round.
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < due.length; i = next++) {
        const result = await runStep(deps, logger, due[i]!, lookups[i]);
        if (result === undefined) continue;
        claimedAny = true;
        outcome[result]++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, due.length)) }, worker));
    // Everything seen is held by another replica (or was acknowledged meanwhile): the next tick looks again.
    if (!claimedAny) break;
  }
  return outcome;
}

/** The location lookup a due step needs before its transaction (nearest-first round 0 only); never throws. */
async function lookupFor(deps: EmergencyDeps, step: DueStep): Promise<DistanceLookup | undefined> {
  if (step.round !== 0 || step.kind === 'exhaust') return undefined;
  try {
    const e = await findEmergency(deps.db, step.emergencyId);
    return e !== undefined && placesContacts(e, step) ? await distancesFor(deps, e, step) : undefined;
  } catch (err) {
    return { ok: false, reason: `the emergency could not be read for the lookup: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** One step in its own transaction; undefined when it was not (or no longer) there to claim. */
async function runStep(deps: EmergencyDeps, logger: Logger, seen: DueStep, lookup: DistanceLookup | undefined): Promise<keyof StepOutcome | undefined> {
  let claimed: DueStep | undefined;
  try {
    const done = await deps.db.$transaction(async (tx) => {
      claimed = await claimStep(tx, seen);
      return claimed === undefined ? undefined : doStep(tx, deps, claimed, lookup);
    });
    if (done !== undefined) deps.outboxWritten();
    return done;
  } catch (err) {
    if (claimed === undefined) throw err;
    const step = claimed;
    const message = err instanceof Error ? err.message : String(err);
    const setAside = await recordStepFailure(deps.db, step, message, RETRY_SECONDS, MAX_ATTEMPTS);
    logger.error({ err, emergencyId: step.emergencyId, cycle: step.cycle, tier: step.tier, round: step.round, setAside }, 'escalation step failed');
    if (setAside) await appendTimeline(deps.db, step.emergencyId, { kind: 'step_failed', actor: null, data: { cycle: step.cycle, tier: step.tier, round: step.round, error: message } });
    return 'failed';
  }
}
