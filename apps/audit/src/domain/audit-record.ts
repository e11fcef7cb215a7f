import { isDeepStrictEqual } from 'node:util';
import { parseTraceparent, type CloudEvent } from '@lifeline/kit';
import type { AnyEvent } from '@lifeline/contracts';
import { describeEventType } from './event-naming.ts';
import { isJsonObject, storable, type JsonValue } from './json.ts';

/** One row of the trail, as stored and as read back. */
export interface AuditRecord {
  eventId: string;
  occurredAt: Date;
  sourceApp: string;
  eventType: string;
  action: string;
  entityType: string;
  entityId: string;
  actorId: string;
  actorKind: string;
  /** State before the change; null for creations and for facts that carry no state. */
  before: JsonValue | null;
  /** State after the change or, for a fact without before/after state (emergency.acknowledged), its data. */
  after: JsonValue | null;
  changedFields: string[];
  metadata: { [key: string]: JsonValue };
  traceId: string | null;
}

/** Turns a contract-valid event (and the envelope it arrived in) into the row that records it. */
export function toAuditRecord(event: AnyEvent, delivery: { topic: string; cloudEvent: CloudEvent<unknown> }): AuditRecord {
  const { value, nulReplaced, invalidUnicodeReplaced } = storable(event);
  const clean = value as unknown as AnyEvent;
  const data: JsonValue = (value as { data: JsonValue }).data;
  const { entityType, action } = describeEventType(clean.type);
  const { before, after } = stateOf(data);
  const ce = delivery.cloudEvent;
  const envelope = storable({ cloudEventId: ce.id, cloudEventSource: ce.source, cloudEventType: ce.type });

  return {
    // Postgres hands a uuid back in lowercase; the hash must be over what reads back.
    eventId: clean.id.toLowerCase(),
    occurredAt: new Date(clean.time),
    sourceApp: clean.source,
    eventType: clean.type,
    action,
    entityType,
    entityId: clean.subject,
    actorId: clean.actor.id,
    actorKind: clean.actor.kind,
    before,
    after,
    changedFields: changedFieldsOf(data, before, after),
    metadata: {
      schemaVersion: clean.schemaVersion,
      topic: delivery.topic,
      // occurred_at keeps milliseconds; the producer's own string is kept verbatim.
      time: clean.time,
      ...(envelope.value as { [key: string]: JsonValue }),
      ...(nulReplaced || envelope.nulReplaced ? { nulCharactersReplaced: true } : {}),
      ...(invalidUnicodeReplaced || envelope.invalidUnicodeReplaced ? { invalidUnicodeReplaced: true } : {}),
    },
    // The producer's trace, not the delivery's: that is the request that caused the change.
    traceId: parseTraceparent(clean.traceparent ?? ce.traceparent)?.traceId ?? null,
  };
}

function stateOf(data: JsonValue): { before: JsonValue | null; after: JsonValue | null } {
  if (isJsonObject(data) && ('before' in data || 'after' in data)) {
    return { before: data['before'] ?? null, after: data['after'] ?? null };
  }
  return { before: null, after: data };
}

/** The producer's list when it sent one; otherwise the top-level fields that differ between the two states. */
function changedFieldsOf(data: JsonValue, before: JsonValue | null, after: JsonValue | null): string[] {
  const listed = isJsonObject(data) ? data['changedFields'] : undefined;
  if (Array.isArray(listed) && listed.every((f) => typeof f === 'string')) return listed;
  if (!isJsonObject(before) || !isJsonObject(after)) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !isDeepStrictEqual(before[key], after[key])).sort();
}
