import { randomUUID } from 'node:crypto';
import type { Actor } from './envelope.ts';
import { eventSchemas, schemaVersionOf, type DataOf, type EventOf, type EventType } from './topics.ts';

export interface EventInit<T extends EventType> {
  source: string;
  subject: string;
  actor: Actor;
  data: DataOf<T>;
  traceparent?: string | undefined;
  /** Override only when the id must be deterministic (e.g. derived from an outbox row). */
  id?: string;
  time?: string;
}

/** Builds a complete event and validates it, so a producer can never publish what consumers would reject. */
export function makeEvent<T extends EventType>(type: T, init: EventInit<T>): EventOf<T> {
  const candidate = {
    id: init.id ?? randomUUID(),
    type,
    source: init.source,
    time: init.time ?? new Date().toISOString(),
    subject: init.subject,
    actor: init.actor,
    schemaVersion: schemaVersionOf(type),
    ...(init.traceparent === undefined ? {} : { traceparent: init.traceparent }),
    data: init.data,
  };
  return eventSchemas[type].parse(candidate) as EventOf<T>;
}
