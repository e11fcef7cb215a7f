import type { EmergencyPagedRecipient } from '@lifeline/contracts';
import { appendToOutboxOnce } from '@lifeline/db';
import type { Logger } from '@lifeline/kit';
import type { Tx } from '../data/db.ts';
import { lockEmergency, saveStatus } from '../data/emergency-repository.ts';
import { recordPaged } from '../data/paged-repository.ts';
import { claimDueStep, markStepDone, recordStepFailure, scheduleStep, type DueStep } from '../data/step-repository.ts';
import { appendTimeline } from '../data/timeline-repository.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import { CLOCK, emergencyEvent, escalationEventId, exhaustionEventId } from './emergency-event.ts';
import type { Emergency } from './emergency.ts';
import { nextStep } from './escalation-plan.ts';
import { everyoneInPlan } from './policy.ts';

export interface StepOutcome {
  pages: number;
  exhausted: number;
  failed: number;
}

/** A step whose work throws is retried this much later, and set aside as failed after this many attempts. */
const RETRY_SECONDS = 5;
const MAX_ATTEMPTS = 5;

function pageRecipients(deps: EmergencyDeps, e: Emergency, tier: number): EmergencyPagedRecipient[] {
  const recipients = e.plan.tiers[tier - 1]?.recipients ?? [];
  return recipients.map((r) => (r.kind === 'user' ? r : { ...r, acknowledgeUrl: deps.ackLinks.urlFor(e.id, r.contactId) }));
}

/** Pages one tier (or declares the escalation exhausted) and schedules what follows, inside the step's transaction. */
async function doStep(tx: Tx, deps: EmergencyDeps, step: DueStep): Promise<'page' | 'exhaust'> {
  const e = await lockEmergency(tx, step.emergencyId);
  // claimDueStep locked the row while it was open, so it still is; this is the second line behind that lock.
  if (e === undefined || e.status !== 'open') throw new Error(`step of emergency ${step.emergencyId} claimed while it is not open`);
  const now = new Date().toISOString();

  if (step.kind === 'exhaust') {
    const recipients = everyoneInPlan(e.plan);
    const id = exhaustionEventId(e.id);
    await appendToOutboxOnce(tx, emergencyEvent('emergency.exhausted', e.id, CLOCK, { emergencyId: e.id, userId: e.personId, kind: e.kind, tiers: e.plan.tiers.length, recipients, exhaustedAt: now }, id));
    await recordPaged(tx, e.id, recipients);
    await saveStatus(tx, { ...e, exhaustedAt: now, updatedAt: now, version: e.version + 1 });
    await appendTimeline(tx, e.id, { kind: 'exhausted', actor: null, at: now, data: { tiers: e.plan.tiers.length, recipients } });
    await markStepDone(tx, e.id, step, id);
    return 'exhaust';
  }

  const recipients = pageRecipients(deps, e, step.tier);
  const id = escalationEventId(e.id, step.tier, step.round);
  await appendToOutboxOnce(
    tx,
    emergencyEvent('emergency.escalated', e.id, CLOCK, { emergencyId: e.id, userId: e.personId, kind: e.kind, message: e.message, tier: step.tier, round: step.round, recipients, escalatedAt: now }, id),
  );
  const plain = recipients.map((r) => (r.kind === 'user' ? r : { kind: r.kind, contactId: r.contactId, name: r.name, email: r.email }));
  await recordPaged(tx, e.id, plain);
  await appendTimeline(tx, e.id, { kind: 'paged', actor: null, at: now, data: { tier: step.tier, round: step.round, recipients: plain, eventId: id } });
  await markStepDone(tx, e.id, step, id);
  const next = nextStep(e.plan, step);
  if (next !== null) await scheduleStep(tx, e.id, next, next.afterMinutes * deps.secondsPerMinute);
  return 'page';
}

/**
 * Works through every due escalation step, each in its own transaction: claim the step and its emergency
 * (FOR UPDATE SKIP LOCKED, open emergencies only), write the page to the outbox with its deterministic id,
 * mark the step done and schedule the next one, then commit. Replicas and overlapping ticks skip what
 * another holds; a crash before the commit leaves the step pending for the next tick, and a replay of its
 * outbox row is the same event id downstream. A step whose work fails is pushed back and, after a few
 * attempts, set aside as failed with a timeline entry: it never blocks the steps behind it.
 */
export async function runDueSteps(deps: EmergencyDeps, logger: Logger, limit: number): Promise<StepOutcome> {
  const outcome: StepOutcome = { pages: 0, exhausted: 0, failed: 0 };
  for (let i = 0; i < limit; i++) {
    let claimed: DueStep | undefined;
    try {
      const done = await deps.prisma.$transaction(async (tx) => {
        claimed = await claimDueStep(tx);
        return claimed === undefined ? undefined : doStep(tx, deps, claimed);
      });
      if (done === undefined) break;
      if (done === 'page') outcome.pages++;
      else outcome.exhausted++;
      deps.outboxWritten();
    } catch (err) {
      if (claimed === undefined) throw err;
      const step = claimed;
      outcome.failed++;
      const message = err instanceof Error ? err.message : String(err);
      const setAside = await recordStepFailure(deps.prisma, step.emergencyId, step, message, RETRY_SECONDS, MAX_ATTEMPTS);
      logger.error({ err, emergencyId: step.emergencyId, tier: step.tier, round: step.round, setAside }, 'escalation step failed');
      if (setAside) await appendTimeline(deps.prisma, step.emergencyId, { kind: 'step_failed', actor: null, data: { tier: step.tier, round: step.round, error: message } });
    }
  }
  return outcome;
}
