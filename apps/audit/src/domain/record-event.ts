import type { AnyEvent } from '@lifeline/contracts';
import type { CloudEvent } from '@lifeline/kit';
import { insertAuditEvent } from '../data/audit-event-repository.ts';
import type { Db } from '../data/db.ts';
import { toAuditRecord } from './audit-record.ts';

export type RecordOutcome = 'stored' | 'duplicate';

/** Appends the event to the trail once; a redelivery (same id and time) changes nothing. */
export async function recordEvent(
  db: Db,
  event: AnyEvent,
  delivery: { topic: string; cloudEvent: CloudEvent<unknown> },
): Promise<RecordOutcome> {
  const inserted = await insertAuditEvent(db, toAuditRecord(event, delivery));
  return inserted ? 'stored' : 'duplicate';
}
