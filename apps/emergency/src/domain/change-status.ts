import type { EmergencyRecipient } from '@lifeline/contracts';
import { canActFor, conflict, forbidden, type AuthContext } from '@lifeline/kit';
import type { Emit } from '@lifeline/db';
import { inOutbox } from './outbox-transaction.ts';
import type { Tx } from '../data/db.ts';
import { lockEmergency, saveStatus } from '../data/emergency-repository.ts';
import { useAckLink } from '../data/idempotency-repository.ts';
import { pagedRecipients, wasPaged } from '../data/paged-repository.ts';
import { cancelPendingSteps, scheduleStep } from '../data/step-repository.ts';
import { appendTimeline } from '../data/timeline-repository.ts';
import { actorOf, emergencyNotFound, mayRespond } from './emergency-access.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import { emergencyEvent, type EventActor } from './emergency-event.ts';
import { transition, type Emergency, type Transition } from './emergency.ts';

/** Who answers: a caller with a token, or an outside contact holding a valid acknowledgement link. */
export type Responder =
  | { kind: 'caller'; caller: AuthContext }
  | { kind: 'link'; contactId: string; nonce: string };

function illegal(id: string, reason: string) {
  return conflict(`Emergency ${id}: ${reason}.`, { type: 'invalid-status-transition' });
}

/**
 * One status change, in one transaction that holds the emergency's row lock from the first read to the
 * commit: the escalation tick takes the same lock (and skips an emergency that is not open), and the
 * pending steps are cancelled here, so once this commits no page of a later step can go out.
 */
async function changeStatus(
  deps: EmergencyDeps,
  id: string,
  action: Transition,
  authorize: (tx: Tx, emergency: Emergency) => Promise<{ by: string; actor: EventActor; name: string }>,
  note: string | null,
): Promise<Emergency> {
  return inOutbox(deps, async (tx, emit) => {
    const before = await lockEmergency(tx, id);
    if (before === undefined) throw emergencyNotFound(id);
    const who = await authorize(tx, before);
    const step = transition(before.status, action);
    if (step.kind === 'no-op') return before;
    if (step.kind === 'illegal') throw illegal(id, step.reason);

    const now = new Date().toISOString();
    const after: Emergency = {
      ...before,
      status: step.to,
      updatedAt: now,
      version: before.version + 1,
      ...(action === 'acknowledge' ? { acknowledgedAt: now, acknowledgedBy: who.by } : { closedAt: now, closedBy: who.by, closeNote: note }),
    };
    const cancelledSteps = await cancelPendingSteps(tx, id);
    await saveStatus(tx, after);
    // An acknowledgement that is not resolved in time starts the escalation again (the policy's timeout).
    if (action === 'acknowledge' && after.plan.ackTimeoutMinutes !== null && after.plan.tiers.length > 0) {
      await scheduleStep(tx, id, after.cycle + 1, { tier: 1, round: 1, kind: 'reopen' }, after.plan.ackTimeoutMinutes * deps.secondsPerMinute);
    }
    await appendTimeline(tx, id, { kind: step.to === 'acknowledged' ? 'acknowledged' : step.to === 'resolved' ? 'resolved' : 'cancelled', actor: who.by, at: now, data: { note, cancelledSteps, name: who.name } });
    emitChange(emit, after, action, who, note, now, await pagedRecipients(tx, id));
    return after;
  });
}

function emitChange(emit: Emit, e: Emergency, action: Transition, who: { by: string; actor: EventActor; name: string }, note: string | null, at: string, notified: EmergencyRecipient[]): void {
  const base = { emergencyId: e.id, userId: e.personId };
  if (action === 'acknowledge') {
    emit(emergencyEvent('emergency.acknowledged', e.id, who.actor, { ...base, acknowledgedBy: who.by, responderName: who.name, acknowledgedAt: at, notified }));
  } else if (action === 'resolve') {
    emit(emergencyEvent('emergency.resolved', e.id, who.actor, { ...base, resolvedBy: who.by, resolution: note, resolvedAt: at, notified }));
  } else {
    emit(emergencyEvent('emergency.cancelled', e.id, who.actor, { ...base, cancelledBy: who.by, reason: note, cancelledAt: at, notified }));
  }
}

/** A caller who may see the emergency may also answer it; anyone else gets the 404 of a missing id. */
function asCaller(caller: AuthContext) {
  return async (tx: Tx, e: Emergency) => {
    if (!(await mayRespond(tx, caller, e))) throw emergencyNotFound(e.id);
    return { by: caller.userId, actor: actorOf(caller), name: caller.userId };
  };
}

export async function acknowledgeEmergency(deps: EmergencyDeps, id: string, responder: Responder): Promise<Emergency> {
  if (responder.kind === 'caller') return changeStatus(deps, id, 'acknowledge', asCaller(responder.caller), null);
  return changeStatus(
    deps,
    id,
    'acknowledge',
    async (tx, e) => {
      // The link is only ever minted for a paged contact; a contact no longer among them cannot use one.
      if (!(await wasPaged(tx, e.id, `contact:${responder.contactId}`))) throw emergencyNotFound(e.id);
      const paged = (await pagedRecipients(tx, e.id)).find((r) => r.kind === 'contact' && r.contactId === responder.contactId);
      // Used links stay used even when the emergency was acknowledged by someone else in the meantime.
      if (e.status === 'open' && !(await useAckLink(tx, responder.nonce, e.id))) {
        throw conflict('This acknowledgement link was already used.', { type: 'ack-link-used' });
      }
      return { by: `contact:${responder.contactId}`, actor: { id: `contact:${responder.contactId}`, kind: 'user' }, name: paged?.kind === 'contact' ? paged.name : 'A contact' };
    },
    null,
  );
}

export async function resolveEmergency(deps: EmergencyDeps, caller: AuthContext, id: string, note: string | null): Promise<Emergency> {
  return changeStatus(deps, id, 'resolve', asCaller(caller), note);
}

/** A false alarm: only the person, their caregivers or an admin may call it off. */
export async function cancelEmergency(deps: EmergencyDeps, caller: AuthContext, id: string, reason: string | null): Promise<Emergency> {
  return changeStatus(
    deps,
    id,
    'cancel',
    async (tx, e) => {
      if (canActFor(caller, e.personId)) return { by: caller.userId, actor: actorOf(caller), name: caller.userId };
      if (await mayRespond(tx, caller, e)) throw forbidden('Only the person, their caregivers or an admin may cancel an emergency; resolve it instead.');
      throw emergencyNotFound(e.id);
    },
    reason,
  );
}
