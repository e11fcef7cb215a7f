import type { AuditRecord } from '../domain/audit-record.ts';
import type { JsonValue } from '../domain/json.ts';
import type { Db } from './db.ts';
import type { Keyset } from './keyset.ts';

function jsonb(value: JsonValue | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

/**
 * Appends one event; false when it was already recorded (a redelivery). The conflict target is the
 * whole primary key because a partitioned table or hypertable can only be unique per (event_id, occurred_at).
 */
export async function insertAuditEvent(db: Db, r: AuditRecord): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO audit_events (
      event_id, occurred_at, source_app, event_type, action, entity_type, entity_id,
      actor_id, actor_kind, before, after, changed_fields, metadata, trace_id
    ) VALUES (
      ${r.eventId}::uuid, ${r.occurredAt}::timestamptz, ${r.sourceApp}, ${r.eventType}, ${r.action}, ${r.entityType}, ${r.entityId},
      ${r.actorId}, ${r.actorKind}, ${jsonb(r.before)}::jsonb, ${jsonb(r.after)}::jsonb, ${r.changedFields}::text[],
      ${JSON.stringify(r.metadata)}::jsonb, ${r.traceId}
    )
    ON CONFLICT (event_id, occurred_at) DO NOTHING`;
  return inserted === 1;
}

export interface AuditEventFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
}

export interface StoredAuditEvent extends AuditRecord {
  recordedAt: Date;
}

/** Oldest first; `after` is the last row of the previous page. Returns up to `limit` rows. */
export async function listAuditEvents(db: Db, filter: AuditEventFilter, limit: number, after?: Keyset): Promise<StoredAuditEvent[]> {
  const rows = await db.auditEvent.findMany({
    where: {
      entityType: filter.entityType,
      entityId: filter.entityId,
      ...(after
        ? { OR: [{ occurredAt: { gt: after.at } }, { occurredAt: after.at, eventId: { gt: after.id } }] }
        : {}),
    },
    orderBy: [{ occurredAt: 'asc' }, { eventId: 'asc' }],
    take: limit,
  });
  return rows.map((row) => ({
    ...row,
    before: row.before as JsonValue | null,
    after: row.after as JsonValue | null,
    metadata: row.metadata as { [key: string]: JsonValue },
  }));
}
