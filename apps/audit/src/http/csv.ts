import type { AuditEventJson } from './audit-event-json.ts';

/** RFC 4180: a field holding a comma, a quote, CR or LF is quoted, with quotes doubled; records end in CRLF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Column name and how the value is written: JSON columns as JSON text, null as an empty field. */
const COLUMNS: ReadonlyArray<readonly [string, (e: AuditEventJson) => string]> = [
  ['event_id', (e) => e.eventId],
  ['occurred_at', (e) => e.occurredAt],
  ['recorded_at', (e) => e.recordedAt],
  ['source_app', (e) => e.sourceApp],
  ['event_type', (e) => e.eventType],
  ['action', (e) => e.action],
  ['entity_type', (e) => e.entityType],
  ['entity_id', (e) => e.entityId],
  ['actor_id', (e) => e.actorId],
  ['actor_kind', (e) => e.actorKind],
  ['before', (e) => (e.before === null ? '' : JSON.stringify(e.before))],
  ['after', (e) => (e.after === null ? '' : JSON.stringify(e.after))],
  ['changed_fields', (e) => JSON.stringify(e.changedFields)],
  ['metadata', (e) => JSON.stringify(e.metadata)],
  ['trace_id', (e) => e.traceId ?? ''],
  ['chain_id', (e) => String(e.chainId)],
  ['chain_seq', (e) => String(e.chainSeq)],
  ['prev_hash', (e) => e.prevHash],
  ['hash', (e) => e.hash],
];

export const CSV_HEADER = csvRecord(COLUMNS.map(([name]) => name));

export function csvRow(event: AuditEventJson): string {
  return csvRecord(COLUMNS.map(([, get]) => get(event)));
}
