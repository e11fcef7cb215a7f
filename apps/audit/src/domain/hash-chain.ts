import { createHash } from 'node:crypto';
import type { AuditRecord } from './audit-record.ts';
import type { JsonValue } from './json.ts';

/** prev_hash of the first row of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped only if the hashed document ever changes shape; verification then dispatches on it. */
export const CHAIN_FORMAT = 1;

/** Where a record sits in its chain; assigned under the chain's row lock. */
export interface ChainPosition {
  chainId: number;
  chainSeq: number;
  prevHash: string;
  /** Taken from the database clock after the chain lock, so it never decreases along a chain. */
  recordedAt: Date;
}

export type ChainedRecord = AuditRecord & ChainPosition;

/**
 * RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code units, no whitespace,
 * numbers and strings serialized as ECMAScript does. Any language with a JCS library can recompute it.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('JSON has no form for a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`).join(',')}}`;
}

/** Everything a row says, plus its place in the chain. Timestamps as ISO 8601 UTC with milliseconds. */
export function hashedDocument(r: ChainedRecord): JsonValue {
  return {
    format: CHAIN_FORMAT,
    chainId: r.chainId,
    chainSeq: r.chainSeq,
    prevHash: r.prevHash,
    eventId: r.eventId,
    occurredAt: r.occurredAt.toISOString(),
    recordedAt: r.recordedAt.toISOString(),
    sourceApp: r.sourceApp,
    eventType: r.eventType,
    action: r.action,
    entityType: r.entityType,
    entityId: r.entityId,
    actorId: r.actorId,
    actorKind: r.actorKind,
    before: r.before,
    after: r.after,
    changedFields: r.changedFields,
    metadata: r.metadata,
    traceId: r.traceId,
  };
}

/** sha256 of the canonical document, lowercase hex. */
export function recordHash(r: ChainedRecord): string {
  return createHash('sha256').update(canonicalJson(hashedDocument(r)), 'utf8').digest('hex');
}

/** Appends records to a chain whose tip is (lastSeq, lastHash), in the order given. */
export function chainRecords(
  records: readonly AuditRecord[],
  tip: { chainId: number; lastSeq: number; lastHash: string },
  recordedAt: Date,
): Array<ChainedRecord & { hash: string }> {
  let seq = tip.lastSeq;
  let prevHash = tip.lastHash;
  return records.map((record) => {
    seq += 1;
    const chained: ChainedRecord = { ...record, chainId: tip.chainId, chainSeq: seq, prevHash, recordedAt };
    const hash = recordHash(chained);
    prevHash = hash;
    return { ...chained, hash };
  });
}
