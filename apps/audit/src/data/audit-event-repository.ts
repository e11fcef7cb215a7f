import type { AuditRecord } from '../domain/audit-record.ts';
import type { ChainedRecord } from '../domain/hash-chain.ts';
import type { JsonValue } from '../domain/json.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';
import type { Keyset } from './keyset.ts';

/** A row of the trail as stored: the record, its place in its chain and its hash. */
export interface StoredAuditEvent extends ChainedRecord {
  hash: string;
}

/** The idempotency key: a partitioned table (or hypertable) can only be unique on (event_id, occurred_at). */
export function recordKey(r: Pick<AuditRecord, 'eventId' | 'occurredAt'>): string {
  return `${r.eventId}|${r.occurredAt.toISOString()}`;
}

/** Which of these records the trail already holds (redeliveries). */
export async function findRecordedKeys(db: Db, records: readonly AuditRecord[]): Promise<Set<string>> {
  const keys = JSON.stringify(records.map((r) => ({ event_id: r.eventId, occurred_at: r.occurredAt.toISOString() })));
  const rows = await db.$queryRaw<Array<{ event_id: string; occurred_at: Date }>>`
    SELECT e.event_id::text AS event_id, e.occurred_at
    FROM audit_events e
    JOIN jsonb_to_recordset(${keys}::jsonb) AS k(event_id uuid, occurred_at timestamptz)
      ON e.event_id = k.event_id AND e.occurred_at = k.occurred_at`;
  return new Set(rows.map((row) => recordKey({ eventId: row.event_id, occurredAt: row.occurred_at })));
}

/**
 * Appends the rows with ONE statement, however many there are (the batch travels as one jsonb parameter).
 * ON CONFLICT keeps a racing duplicate out; the caller compares the count with what it chained.
 */
export async function insertChainedEvents(db: Db, rows: readonly StoredAuditEvent[]): Promise<number> {
  const payload = JSON.stringify(
    rows.map((r) => ({
      event_id: r.eventId,
      occurred_at: r.occurredAt.toISOString(),
      recorded_at: r.recordedAt.toISOString(),
      source_app: r.sourceApp,
      event_type: r.eventType,
      action: r.action,
      entity_type: r.entityType,
      entity_id: r.entityId,
      actor_id: r.actorId,
      actor_kind: r.actorKind,
      before: r.before,
      after: r.after,
      changed_fields: r.changedFields,
      metadata: r.metadata,
      trace_id: r.traceId,
      chain_id: r.chainId,
      chain_seq: r.chainSeq,
      prev_hash: r.prevHash,
      hash: r.hash,
    })),
  );
  const inserted = await db.$queryRaw<Array<{ event_id: string }>>`
    INSERT INTO audit_events (
      event_id, occurred_at, recorded_at, source_app, event_type, action, entity_type, entity_id,
      actor_id, actor_kind, before, after, changed_fields, metadata, trace_id, chain_id, chain_seq, prev_hash, hash
    )
    SELECT
      event_id, occurred_at, recorded_at, source_app, event_type, action, entity_type, entity_id,
      actor_id, actor_kind, before, after, changed_fields, metadata, trace_id, chain_id, chain_seq, prev_hash, hash
    FROM jsonb_to_recordset(${payload}::jsonb) AS r(
      event_id uuid, occurred_at timestamptz, recorded_at timestamptz, source_app text, event_type text, action text,
      entity_type text, entity_id text, actor_id text, actor_kind text, before jsonb, after jsonb, changed_fields text[],
      metadata jsonb, trace_id text, chain_id integer, chain_seq bigint, prev_hash text, hash text
    )
    ON CONFLICT (event_id, occurred_at) DO NOTHING
    RETURNING event_id`;
  return inserted.length;
}

export interface AuditEventFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  sourceApp?: string | undefined;
  /** occurred_at >= from */
  from?: Date | undefined;
  /** occurred_at < to */
  to?: Date | undefined;
}

type AuditEventRow = Prisma.AuditEventGetPayload<object>;

export function toStoredEvent(row: AuditEventRow): StoredAuditEvent {
  return {
    ...row,
    before: row.before as JsonValue | null,
    after: row.after as JsonValue | null,
    metadata: row.metadata as { [key: string]: JsonValue },
    chainSeq: Number(row.chainSeq),
  };
}

function whereOf(filter: AuditEventFilter, after: Keyset | undefined): Prisma.AuditEventWhereInput {
  return {
    entityType: filter.entityType,
    entityId: filter.entityId,
    actorId: filter.actorId,
    action: filter.action,
    sourceApp: filter.sourceApp,
    AND: [
      { occurredAt: { gte: filter.from, lt: filter.to } },
      after ? { OR: [{ occurredAt: { gt: after.at } }, { occurredAt: after.at, eventId: { gt: after.id } }] } : {},
    ],
  };
}

/**
 * Oldest first by (occurred_at, event_id); `after` is the last row of the previous page. Returns up to
 * `limit` rows. The export streams the same query batch by batch.
 */
export async function listAuditEvents(db: Db, filter: AuditEventFilter, limit: number, after?: Keyset): Promise<StoredAuditEvent[]> {
  const rows = await db.auditEvent.findMany({
    where: whereOf(filter, after),
    orderBy: [{ occurredAt: 'asc' }, { eventId: 'asc' }],
    take: limit,
  });
  return rows.map(toStoredEvent);
}
