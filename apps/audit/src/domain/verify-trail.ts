import type { StoredAuditEvent } from '../data/audit-event-repository.ts';
import { databaseNow, listChainTips, type ChainTip } from '../data/chain-head-repository.ts';
import {
  chainIdsInUse,
  hashesAt,
  legacySeal,
  readChainRows,
  retentionReceipts,
  strayRowBeyondTip,
  type ChainCursor,
  type RetentionReceipt,
} from '../data/chain-walk-repository.ts';
import type { Db } from '../data/db.ts';
import { GENESIS_HASH, recordHash } from './hash-chain.ts';

export type BrokenReason =
  /** The row's content no longer hashes to its stored hash: it was changed after it was written. */
  | 'hash-mismatch'
  /** The row's prev_hash is not the hash of the row before it: a row was changed and re-hashed, or replaced. */
  | 'prev-hash-mismatch'
  /** The position before this row is neither in the trail nor in a retention receipt: a row was removed. */
  | 'missing-predecessor'
  /** Two rows claim the same position in one chain: a row was inserted into the middle of the chain. */
  | 'duplicate-seq'
  /** The chain's tip names a row that is not there (the last rows were removed)... */
  | 'missing-head-row'
  /** ...or one whose hash differs from the tip's. */
  | 'head-mismatch'
  /** A row past the tip, recorded long enough ago that no writer in flight can explain it. */
  | 'beyond-head'
  /** Rows on a chain that has no tip at all. */
  | 'unknown-chain'
  /** The rows recorded before chains existed (chain -1) no longer match their seal: added, removed or changed. */
  | 'legacy-rows-changed';

export interface BrokenLink {
  chainId: number;
  seq: number | null;
  eventId: string | null;
  expectedHash: string | null;
  actualHash: string | null;
  reason: BrokenReason;
}

export interface VerifyReport {
  ok: boolean;
  /** Rows whose hash and link were checked. */
  checked: number;
  chains: number;
  /** Rows from before hash chains existed: checked as a whole against their seal, not one by one. */
  legacyRows: number;
  firstBroken: BrokenLink | null;
}

export interface VerifyOptions {
  /** occurred_at >= from; rows outside the range are not checked, but links into the range are. */
  from?: Date | undefined;
  to?: Date | undefined;
  batchSize: number;
  /** Longer than any insert transaction may run (a row beyond the tip younger than this may still be committing). */
  inFlightMs?: number;
}

const DEFAULT_IN_FLIGHT_MS = 120_000;

/** Ends one chain's walk at its first broken link; never leaves this module. */
class Broken extends Error {
  constructor(readonly link: BrokenLink) {
    super(`audit chain ${link.chainId} broken at ${link.seq ?? '?'}: ${link.reason}`);
  }
}

function brokenLink(chainId: number, reason: BrokenReason, fields: Partial<Omit<BrokenLink, 'chainId' | 'reason'>>): BrokenLink {
  return { chainId, seq: null, eventId: null, expectedHash: null, actualHash: null, reason, ...fields };
}

function broken(...args: Parameters<typeof brokenLink>): Broken {
  return new Broken(brokenLink(...args));
}

/**
 * Walks every chain up to the tip it had when verification started, batch by batch (memory holds one batch),
 * recomputing each row's hash and checking it links to the row before it. Stops at the first broken link.
 * Rows written while it runs lie past the tips it read and are left for the next run.
 */
export async function verifyTrail(db: Db, opts: VerifyOptions): Promise<VerifyReport> {
  // The database's clock, like recorded_at: the app's may be off.
  const startedAt = await databaseNow(db);
  const tips = await listChainTips(db);
  const base = { chains: tips.length, legacyRows: 0 };

  const legacy = await legacySeal(db);
  base.legacyRows = legacy.current.rowCount;
  if (legacy.current.digest !== legacy.sealed.digest) {
    const firstBroken = brokenLink(-1, 'legacy-rows-changed', { expectedHash: legacy.sealed.digest, actualHash: legacy.current.digest });
    return { ok: false, checked: 0, ...base, firstBroken };
  }
  const known = new Set(tips.map((t) => t.chainId));
  const unknown = (await chainIdsInUse(db)).find((id) => !known.has(id));
  if (unknown !== undefined) return { ok: false, checked: 0, ...base, firstBroken: brokenLink(unknown, 'unknown-chain', {}) };

  let checked = 0;
  for (const tip of tips) {
    const result = await verifyChain(db, tip, opts, startedAt);
    checked += result.checked;
    if (result.broken) return { ok: false, checked, ...base, firstBroken: result.broken };
  }
  return { ok: true, checked, ...base, firstBroken: null };
}

async function verifyChain(db: Db, tip: ChainTip, opts: VerifyOptions, startedAt: Date): Promise<{ checked: number; broken: BrokenLink | null }> {
  const { chainId } = tip;
  let receipts: Map<number, RetentionReceipt> | undefined;
  const receiptEndingAt = async (seq: number) => (receipts ??= await retentionReceipts(db, chainId)).get(seq);
  const linkedReceipts = new Set<number>();
  let prefetched = new Map<number, string[]>();

  /** The hash of the row at `seq` wherever it occurred (prefetched per batch; looked up otherwise). */
  const rowHashAt = async (seq: number): Promise<string | undefined> => {
    const rows = prefetched.get(seq) ?? (await hashesAt(db, chainId, [seq])).get(seq) ?? [];
    if (rows.length > 1) throw broken(chainId, 'duplicate-seq', { seq, expectedHash: rows[0] ?? null, actualHash: rows[1] ?? null });
    return rows[0];
  };

  /**
   * The hash the row at `seq` must carry as prev_hash when its predecessor is not the previous row of the
   * walk: the predecessor found outside the range, or the receipt retention left for it. A receipt is
   * itself checked to link to what comes before it, so a row deleted next to a dropped run still shows.
   */
  const hashBefore = async (seq: number, walked: { seq: number; hash: string } | undefined): Promise<string | undefined> => {
    if (seq === 1) return GENESIS_HASH;
    if (walked?.seq === seq - 1) return walked.hash;
    const row = await rowHashAt(seq - 1);
    if (row !== undefined) return row;
    const receipt = await receiptEndingAt(seq - 1);
    if (!receipt) return undefined;
    if (!linkedReceipts.has(receipt.lastSeq)) {
      const before = await hashBefore(receipt.firstSeq, walked);
      if (before === undefined) throw broken(chainId, 'missing-predecessor', { seq: receipt.firstSeq, actualHash: receipt.firstPrevHash });
      if (before !== receipt.firstPrevHash) {
        throw broken(chainId, 'prev-hash-mismatch', { seq: receipt.firstSeq, expectedHash: before, actualHash: receipt.firstPrevHash });
      }
      linkedReceipts.add(receipt.lastSeq);
    }
    return receipt.lastHash;
  };

  let checked = 0;
  let prev: { seq: number; hash: string } | undefined;
  let cursor: ChainCursor | undefined;
  try {
    for (;;) {
      const batch = await readChainRows(db, { chainId, uptoSeq: tip.lastSeq, from: opts.from, to: opts.to }, opts.batchSize, cursor);
      // Predecessors that are not the previous row of the walk: out of range, removed, or never there.
      const lookups: number[] = [];
      batch.forEach((row, i) => {
        const before = i === 0 ? prev?.seq : batch[i - 1]?.chainSeq;
        if (row.chainSeq > 1 && before !== row.chainSeq - 1 && before !== row.chainSeq) lookups.push(row.chainSeq - 1);
      });
      prefetched = await hashesAt(db, chainId, lookups);

      for (const row of batch) {
        await checkRow(row, prev);
        checked++;
        prev = { seq: row.chainSeq, hash: row.hash };
      }
      const last = batch.at(-1);
      if (batch.length < opts.batchSize || !last) break;
      cursor = { seq: last.chainSeq, occurredAt: last.occurredAt, eventId: last.eventId };
    }

    if (tip.lastSeq > 0) {
      // The tip is checked like a row that would come after it.
      const tipHash = prev?.seq === tip.lastSeq ? prev.hash : await hashBefore(tip.lastSeq + 1, prev);
      if (tipHash === undefined) throw broken(chainId, 'missing-head-row', { seq: tip.lastSeq, expectedHash: tip.lastHash });
      if (tipHash !== tip.lastHash) throw broken(chainId, 'head-mismatch', { seq: tip.lastSeq, expectedHash: tip.lastHash, actualHash: tipHash });
    }
    const stray = await strayRowBeyondTip(db, chainId, tip.lastSeq, new Date(startedAt.getTime() - (opts.inFlightMs ?? DEFAULT_IN_FLIGHT_MS)));
    if (stray) throw broken(chainId, 'beyond-head', { seq: stray.chainSeq, eventId: stray.eventId, actualHash: stray.hash });
    return { checked, broken: null };
  } catch (err) {
    if (err instanceof Broken) return { checked, broken: err.link };
    throw err;
  }

  async function checkRow(row: StoredAuditEvent, previous: { seq: number; hash: string } | undefined) {
    const at = { seq: row.chainSeq, eventId: row.eventId };
    if (previous?.seq === row.chainSeq) throw broken(chainId, 'duplicate-seq', { ...at, expectedHash: previous.hash, actualHash: row.hash });
    const expectedPrev = await hashBefore(row.chainSeq, previous);
    if (expectedPrev === undefined) throw broken(chainId, 'missing-predecessor', { ...at, actualHash: row.prevHash });
    if (row.prevHash !== expectedPrev) throw broken(chainId, 'prev-hash-mismatch', { ...at, expectedHash: expectedPrev, actualHash: row.prevHash });
    const recomputed = recordHash(row);
    if (recomputed !== row.hash) throw broken(chainId, 'hash-mismatch', { ...at, expectedHash: recomputed, actualHash: row.hash });
  }
}
