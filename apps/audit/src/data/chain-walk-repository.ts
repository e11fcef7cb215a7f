import type { Db } from './db.ts';
import { toStoredEvent, type StoredAuditEvent } from './audit-event-repository.ts';

export interface ChainSlice {
  chainId: number;
  /** Rows at positions up to this one (the tip read when verification started). */
  uptoSeq: number;
  /** occurred_at >= from */
  from?: Date | undefined;
  /** occurred_at < to */
  to?: Date | undefined;
}

/** The last row of the previous batch; the full sort key, so two rows claiming one position are both read. */
export interface ChainCursor {
  seq: number;
  occurredAt: Date;
  eventId: string;
}

/** The next rows of one chain, in chain order. */
export async function readChainRows(db: Db, slice: ChainSlice, limit: number, after?: ChainCursor): Promise<StoredAuditEvent[]> {
  const seq = after ? BigInt(after.seq) : undefined;
  const rows = await db.auditEvent.findMany({
    where: {
      chainId: slice.chainId,
      chainSeq: { lte: slice.uptoSeq },
      occurredAt: { gte: slice.from, lt: slice.to },
      ...(after && seq !== undefined
        ? {
            OR: [
              { chainSeq: { gt: seq } },
              { chainSeq: seq, occurredAt: { gt: after.occurredAt } },
              { chainSeq: seq, occurredAt: after.occurredAt, eventId: { gt: after.eventId } },
            ],
          }
        : {}),
    },
    orderBy: [{ chainSeq: 'asc' }, { occurredAt: 'asc' }, { eventId: 'asc' }],
    take: limit,
  });
  return rows.map(toStoredEvent);
}

/** A row past the chain's tip that was recorded before `recordedBefore`: no writer in flight can explain it. */
export async function strayRowBeyondTip(db: Db, chainId: number, tipSeq: number, recordedBefore: Date): Promise<StoredAuditEvent | undefined> {
  const row = await db.auditEvent.findFirst({
    where: { chainId, chainSeq: { gt: tipSeq }, recordedAt: { lt: recordedBefore } },
    orderBy: [{ chainSeq: 'asc' }],
  });
  return row ? toStoredEvent(row) : undefined;
}

/**
 * Chains that hold rows, found with a loose index scan (one index probe per chain, not a scan of the
 * trail). Chain -1, the rows from before chains existed, is not one: the legacy seal covers it.
 */
export async function chainIdsInUse(db: Db): Promise<number[]> {
  const rows = await db.$queryRaw<Array<{ id: number }>>`
    WITH RECURSIVE chains AS (
      SELECT min(chain_id) AS id FROM audit_events WHERE chain_id >= 0
      UNION ALL
      SELECT (SELECT min(chain_id) FROM audit_events WHERE chain_id > chains.id) FROM chains WHERE chains.id IS NOT NULL
    )
    SELECT id FROM chains WHERE id IS NOT NULL`;
  return rows.map((r) => r.id);
}

/** Hashes of the rows at these positions of a chain, wherever (whenever) they occurred. */
export async function hashesAt(db: Db, chainId: number, seqs: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (seqs.length === 0) return out;
  const rows = await db.auditEvent.findMany({
    where: { chainId, chainSeq: { in: seqs.map(BigInt) } },
    select: { chainSeq: true, hash: true },
  });
  for (const row of rows) {
    const seq = Number(row.chainSeq);
    out.set(seq, [...(out.get(seq) ?? []), row.hash]);
  }
  return out;
}

export interface RetentionReceipt {
  firstSeq: number;
  lastSeq: number;
  firstPrevHash: string;
  lastHash: string;
}

/** What retention removed from this chain, by the last position of each removed run. */
export async function retentionReceipts(db: Db, chainId: number): Promise<Map<number, RetentionReceipt>> {
  const rows = await db.auditRetentionReceipt.findMany({ where: { chainId } });
  return new Map(
    rows.map((r) => [
      Number(r.lastSeq),
      { firstSeq: Number(r.firstSeq), lastSeq: Number(r.lastSeq), firstPrevHash: r.firstPrevHash, lastHash: r.lastHash },
    ]),
  );
}

export interface LegacySeal {
  /** As sealed by the owner (at the chain migration, then after each retention drop). */
  sealed: { rowCount: number; digest: string };
  /** As the rows are now. */
  current: { rowCount: number; digest: string };
}

/** The pre-chain rows' digest as sealed and as recomputed by the same database function now. */
export async function legacySeal(db: Db): Promise<LegacySeal> {
  const [sealed] = await db.$queryRaw<Array<{ row_count: bigint; digest: string }>>`SELECT row_count, digest FROM audit_legacy_seal`;
  const [current] = await db.$queryRaw<Array<{ row_count: bigint; digest: string }>>`SELECT row_count, digest FROM audit_legacy_digest()`;
  if (!sealed || !current) throw new Error('audit_legacy_seal is empty: the audit migrations have not been applied');
  return {
    sealed: { rowCount: Number(sealed.row_count), digest: sealed.digest },
    current: { rowCount: Number(current.row_count), digest: current.digest },
  };
}
