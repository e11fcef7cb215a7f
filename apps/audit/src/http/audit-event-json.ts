import type { StoredAuditEvent } from '../data/audit-event-repository.ts';
import type { AuditRecord } from '../domain/audit-record.ts';

/** One audit row as every endpoint (and the NDJSON export) shows it: the stored record with ISO times and its chain link. */
export type AuditEventJson = Omit<AuditRecord, 'occurredAt'> & {
  occurredAt: string;
  recordedAt: string;
  chainId: number;
  chainSeq: number;
  prevHash: string;
  hash: string;
};

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
