import { currentTraceparent } from '@lifeline/kit';
import { makeEvent, topicOf, type Actor, type DataOf, type TopicTypes } from '@lifeline/contracts';
import type { OutboxEntry } from '@lifeline/db';

export const EVENT_SOURCE = 'recurring';

type SeriesEventType = TopicTypes<'recurring-task-events'>;

/** The series app acting on its own (generation, exhaustion), as opposed to a user's request or task change. */
export const SYSTEM_ACTOR: Actor = { id: EVENT_SOURCE, kind: 'system' };

/** Builds the contract event as an outbox row; makeEvent validates it, so a bad event fails before anything is written. */
export function seriesEvent<T extends SeriesEventType>(type: T, seriesId: string, actor: Actor, data: DataOf<T>): OutboxEntry {
  const event = makeEvent(type, { source: EVENT_SOURCE, subject: seriesId, actor, data, traceparent: currentTraceparent() });
  return { id: event.id, topic: topicOf(type), type, payload: event };
}
