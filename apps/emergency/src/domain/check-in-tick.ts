import { inOutbox } from './outbox-transaction.ts';
import type { Logger } from '@lifeline/kit';
import { claimMissedCheckIn, saveCheckIn } from '../data/check-in-repository.ts';
import { appendTimeline } from '../data/timeline-repository.ts';
import type { CheckIn } from './check-in.ts';
import type { EmergencyDeps } from './emergency-deps.ts';
import { CLOCK, emergencyEvent } from './emergency-event.ts';
import { raiseIn } from './raise-emergency.ts';

function missedMessage(c: CheckIn): string {
  const note = c.note === null ? '' : `: ${c.note}`;
  return `Missed check-in due ${c.dueAt}${note}`.slice(0, 1000);
}

/**
 * Raises an emergency of kind missed_check_in for every pending check-in whose due time plus grace has
 * passed, each in one transaction with the check-in marked missed and emergency.check_in_missed written:
 * claimed FOR UPDATE SKIP LOCKED, so two replicas (or a completion racing the tick) never raise twice for
 * one timer. A person with an active emergency has the missed check-in joined to it. Returns how many.
 */
export async function raiseForMissedCheckIns(deps: EmergencyDeps, logger: Logger, limit: number): Promise<number> {
  let raised = 0;
  for (let i = 0; i < limit; i++) {
    const done = await inOutbox(deps, async (tx, emit) => {
      const checkIn = await claimMissedCheckIn(tx, deps.checkInGraceSeconds);
      if (checkIn === undefined) return undefined;
      const now = new Date().toISOString();
      // The person's own timer ran out: the person is who the emergency is for, the clock is who raised it.
      const result = await raiseIn(tx, emit, { raisedBy: checkIn.personId, actor: CLOCK }, checkIn.personId, { kind: 'missed_check_in', message: missedMessage(checkIn) });
      await saveCheckIn(tx, { ...checkIn, status: 'missed', closedAt: now, emergencyId: result.emergency.id, version: checkIn.version + 1 });
      await appendTimeline(tx, result.emergency.id, { kind: 'check_in_missed', actor: null, at: now, data: { checkInId: checkIn.id, dueAt: checkIn.dueAt, note: checkIn.note } });
      emit(
        emergencyEvent('emergency.check_in_missed', result.emergency.id, CLOCK, {
          checkInId: checkIn.id,
          userId: checkIn.personId,
          emergencyId: result.emergency.id,
          note: checkIn.note,
          dueAt: checkIn.dueAt,
          missedAt: now,
        }),
      );
      return { checkInId: checkIn.id, personId: checkIn.personId, emergencyId: result.emergency.id, created: result.created };
    });
    if (done === undefined) return raised;
    raised++;
    if (done.created) deps.raised(done.emergencyId, done.personId);
    logger.warn(done, 'check-in missed: emergency raised');
  }
  return raised;
}
