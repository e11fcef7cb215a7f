import { findRecordedKeys, insertChainedEvents, recordKey } from '../data/audit-event-repository.ts';
import { isUnstorableData } from '../data/db-errors.ts';
import { advanceChain, databaseNow, lockFreeChain } from '../data/chain-head-repository.ts';
import type { PrismaClient } from '../data/db.ts';
import type { AuditRecord } from './audit-record.ts';
import { chainRecords } from './hash-chain.ts';

export type RecordOutcome = 'stored' | 'duplicate';

/** Another writer stored one of these events between our check and our insert; the retry finds it. */
export class ConcurrentDuplicateError extends Error {
  constructor(expected: number, inserted: number) {
    super(`expected to append ${expected} audit rows but ${inserted} went in: a concurrent delivery of the same event won`);
    this.name = 'ConcurrentDuplicateError';
  }
}

/**
 * Appends a batch to the trail in one transaction: lock one free chain, leave out what is already
 * recorded, chain the rest in the order given, insert them in one statement and move the chain's tip.
 * A redelivered event is reported 'duplicate' and does not advance any chain. Outcomes follow the input order.
 */
export async function recordEvents(prisma: PrismaClient, records: readonly AuditRecord[]): Promise<RecordOutcome[]> {
  const seen = new Set<string>();
  const firsts: AuditRecord[] = [];
  for (const record of records) {
    const key = recordKey(record);
    if (seen.has(key)) continue;
    seen.add(key);
    firsts.push(record);
  }
  if (firsts.length === 0) return [];

  const stored = await prisma.$transaction(
    async (tx) => {
      const tip = await lockFreeChain(tx);
      // Checked under the lock: a delivery racing on another chain is caught by the count check below.
      const recorded = await findRecordedKeys(tx, firsts);
      const fresh = firsts.filter((r) => !recorded.has(recordKey(r)));
      if (fresh.length === 0) return new Set<string>();
      const now = await databaseNow(tx);
      const chained = chainRecords(fresh, tip, now);
      const inserted = await insertChainedEvents(tx, chained);
      // A row left out by ON CONFLICT would leave a hole in the chain: roll everything back instead.
      if (inserted !== chained.length) throw new ConcurrentDuplicateError(chained.length, inserted);
      const last = chained.at(-1);
      if (last) await advanceChain(tx, { chainId: tip.chainId, lastSeq: last.chainSeq, lastHash: last.hash }, now);
      return new Set(fresh.map(recordKey));
    },
    { maxWait: 10_000, timeout: 30_000 },
  );

  const answered = new Set<string>();
  return records.map((record) => {
    const key = recordKey(record);
    const first = !answered.has(key);
    answered.add(key);
    return first && stored.has(key) ? 'stored' : 'duplicate';
  });
}

export type BatchOutcome = RecordOutcome | 'unstorable';

/**
 * Like recordEvents, but one row the database refuses for what it contains (a date Postgres cannot
 * represent, say) must not hold the rest of its batch hostage: the batch is then retried one record at a
 * time and only the refused ones come back 'unstorable' (the caller dead-letters them). Any other error,
 * such as the database being down, is thrown so that the whole batch is redelivered.
 */
export async function recordBatch(
  prisma: PrismaClient,
  records: readonly AuditRecord[],
  onUnstorable: (record: AuditRecord, err: unknown) => void,
): Promise<BatchOutcome[]> {
  try {
    return await recordEvents(prisma, records);
  } catch (err) {
    if (!isUnstorableData(err)) throw err;
    if (records.length === 1 && records[0]) {
      onUnstorable(records[0], err);
      return ['unstorable'];
    }
  }
  const outcomes: BatchOutcome[] = [];
  for (const record of records) {
    try {
      const [outcome] = await recordEvents(prisma, [record]);
      // An in-batch repeat of a key recorded just before is a duplicate.
      outcomes.push(outcome ?? 'duplicate');
    } catch (err) {
      if (!isUnstorableData(err)) throw err;
      onUnstorable(record, err);
      outcomes.push('unstorable');
    }
  }
  return outcomes;
}
