import type { StoredAuditEvent } from '../data/audit-event-repository.ts';
import type { JsonValue } from '../domain/json.ts';

/** One audit row as every endpoint (and the NDJSON export) shows it. */
export interface AuditEventJson {
  eventId: string;
  occurredAt: string;
  recordedAt: string;
  sourceApp: string;
  eventType: string;
  action: string;
  entityType: string;
  entityId: string;
  actorId: string;
  actorKind: string;
  before: JsonValue | null;
  after: JsonValue | null;
  changedFields: string[];
  metadata: { [key: string]: JsonValue };
  traceId: string | null;
  chainId: number;
  chainSeq: number;
  prevHash: string;
  hash: string;
}

export function toAuditEventJson(row: StoredAuditEvent): AuditEventJson {
  return {
    eventId: row.eventId,
    occurredAt: row.occurredAt.toISOString(),
    recordedAt: row.recordedAt.toISOString(),
    sourceApp: row.sourceApp,
    eventType: row.eventType,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    actorId: row.actorId,
    actorKind: row.actorKind,
    before: row.before,
    after: row.after,
    changedFields: row.changedFields,
    metadata: row.metadata,
    traceId: row.traceId,
    chainId: row.chainId,
    chainSeq: row.chainSeq,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}
