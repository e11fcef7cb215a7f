import type { TopicEvent } from '@lifeline/contracts';
import { addViewers, closeEmergency, openEmergency } from '../data/live-emergency-repository.ts';
import type { Sql } from '../data/db.ts';

type EmergencyEvent = TopicEvent<'emergency-events'>;

/** What an emergency event means here: the emergency is open with these viewers, or it is over. */
export type LiveChange = { kind: 'open'; emergencyId: string; personId: string; viewers: string[] } | { kind: 'close'; emergencyId: string; personId: string; at: string };

/** Lifeline users among recipients; outside contacts have no login, so nothing here could show them anything. */
function users(recipients: ReadonlyArray<{ kind: string; userId?: string }>): string[] {
  return recipients.flatMap((r) => (r.kind === 'user' && r.userId !== undefined ? [r.userId] : []));
}

/**
 * Who may see the person while the emergency is open, as each event says: the caregiver who raised it for
 * them, every Lifeline user paged so far (escalated), told that nobody answered (exhausted) or told who is
 * responding (acknowledged), and whoever acknowledged. Resolved and cancelled close it. The person is never
 * their own viewer.
 */
export function liveChangeOf(event: EmergencyEvent): LiveChange {
  const personId = event.data.userId;
  const open = (emergencyId: string, viewers: string[]): LiveChange => ({ kind: 'open', emergencyId, personId, viewers: [...new Set(viewers)].filter((v) => v !== personId) });
  switch (event.type) {
    case 'emergency.created':
      return open(event.data.emergencyId, [event.data.raisedBy]);
    case 'emergency.escalated':
      return open(event.data.emergencyId, users(event.data.recipients));
    case 'emergency.exhausted':
      return open(event.data.emergencyId, users(event.data.recipients));
    case 'emergency.acknowledged': {
      const by = event.data.acknowledgedBy.startsWith('contact:') ? [] : [event.data.acknowledgedBy];
      return open(event.data.emergencyId, [...by, ...users(event.data.notified)]);
    }
    case 'emergency.check_in_missed':
      return open(event.data.emergencyId, []);
    case 'emergency.resolved':
      return { kind: 'close', emergencyId: event.data.emergencyId, personId, at: event.data.resolvedAt };
    case 'emergency.cancelled':
      return { kind: 'close', emergencyId: event.data.emergencyId, personId, at: event.data.cancelledAt };
  }
}

/**
 * Applies one event inside the caller's transaction. Order-proof: opening never reopens a closed emergency
 * and viewers are only added to an open one, so a resolve that overtook its escalation stays final.
 */
export async function applyLiveChange(tx: Sql, change: LiveChange): Promise<void> {
  if (change.kind === 'close') {
    await closeEmergency(tx, change.emergencyId, change.personId, change.at);
    return;
  }
  await openEmergency(tx, change.emergencyId, change.personId);
  await addViewers(tx, change.emergencyId, change.viewers);
}
