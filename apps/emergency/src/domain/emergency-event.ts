import { currentTraceparent, uuidV5 } from '@lifeline/kit';
import { makeEvent, topicOf, type DataOf, type TopicTypes } from '@lifeline/contracts';
import type { OutboxEntry } from '@lifeline/db';

export const EVENT_SOURCE = 'emergency';

type EmergencyEventType = TopicTypes<'emergency-events'>;

// Fixed namespace of escalation event ids; changing it would make consumers see old pages as new ones.
const ESCALATION_NAMESPACE = '5b0f7d52-8c1e-4b6a-9f3d-2e4c6a8b0d1f';

/**
 * One id per (emergency, tier, round) of a cycle: a page written twice (or replayed from the outbox) is one
 * page downstream. The first cycle's names carry no cycle, so its ids never changed when cycles came.
 */
export function escalationEventId(emergencyId: string, tier: number, round: number, cycle = 1): string {
  const name = cycle === 1 ? `emergency.escalated/${emergencyId}/${tier}/${round}` : `emergency.escalated/${emergencyId}/${cycle}/${tier}/${round}`;
  return uuidV5(name, ESCALATION_NAMESPACE);
}

export function exhaustionEventId(emergencyId: string, cycle = 1): string {
  return uuidV5(cycle === 1 ? `emergency.exhausted/${emergencyId}` : `emergency.exhausted/${emergencyId}/${cycle}`, ESCALATION_NAMESPACE);
}

/** Who caused an event: a person (or a service's own token), or the escalation clock. */
export type EventActor = { id: string; kind: 'user' | 'system' };

export const CLOCK: EventActor = { id: EVENT_SOURCE, kind: 'system' };

/** The contract event as an outbox row; makeEvent validates it, so nothing leaves that consumers would reject. */
export function emergencyEvent<T extends EmergencyEventType>(type: T, emergencyId: string, actor: EventActor, data: DataOf<T>, id?: string): OutboxEntry {
  const event = makeEvent(type, {
    ...(id === undefined ? {} : { id }),
    source: EVENT_SOURCE,
    subject: emergencyId,
    actor,
    data,
    traceparent: currentTraceparent(),
  });
  return { id: event.id, topic: topicOf(type), type, payload: event };
}
