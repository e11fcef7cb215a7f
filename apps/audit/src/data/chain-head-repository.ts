import type { Db } from './db.ts';

export interface ChainTip {
  chainId: number;
  lastSeq: number;
  lastHash: string;
}

interface TipRow {
  chain_id: number;
  last_seq: bigint;
  last_hash: string;
}

const toTip = (row: TipRow): ChainTip => ({ chainId: row.chain_id, lastSeq: Number(row.last_seq), lastHash: row.last_hash });

/**
 * Locks the tip of one chain until the transaction ends: the first chain no other writer holds, so
 * concurrent writers spread over the chains. Only when every chain is busy does it wait, on a random one.
 */
export async function lockFreeChain(tx: Db): Promise<ChainTip> {
  const [free] = await tx.$queryRaw<TipRow[]>`
    SELECT chain_id, last_seq, last_hash FROM chain_heads ORDER BY chain_id LIMIT 1 FOR UPDATE SKIP LOCKED`;
  if (free) return toTip(free);
  const [busy] = await tx.$queryRaw<TipRow[]>`
    SELECT chain_id, last_seq, last_hash FROM chain_heads
    WHERE chain_id = (SELECT chain_id FROM chain_heads ORDER BY random() LIMIT 1)
    FOR UPDATE`;
  if (!busy) throw new Error('chain_heads is empty: the audit migrations have not been applied');
  return toTip(busy);
}

export async function advanceChain(tx: Db, tip: ChainTip, at: Date): Promise<void> {
  await tx.$executeRaw`
    UPDATE chain_heads SET last_seq = ${tip.lastSeq}::bigint, last_hash = ${tip.lastHash}, updated_at = ${at}::timestamptz
    WHERE chain_id = ${tip.chainId}::int`;
}

/** The database clock at millisecond precision (what a TIMESTAMPTZ(3) column keeps exactly). */
export async function databaseNow(tx: Db): Promise<Date> {
  const [row] = await tx.$queryRaw<Array<{ now: Date }>>`SELECT date_trunc('milliseconds', clock_timestamp()) AS now`;
  if (!row) throw new Error('SELECT clock_timestamp() returned no row');
  return row.now;
}

/** Every chain's tip as committed now; verification walks each chain up to here and no further. */
export async function listChainTips(db: Db): Promise<ChainTip[]> {
  const rows = await db.$queryRaw<TipRow[]>`SELECT chain_id, last_seq, last_hash FROM chain_heads ORDER BY chain_id`;
  return rows.map(toTip);
}
