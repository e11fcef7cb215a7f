import type { CloudEvent } from '@lifeline/kit';
import type { Db } from '../data/db.ts';
import { insertDeadLetter } from '../data/dead-letter-repository.ts';
import { toDeadLetterRecord } from './dead-letter.ts';
import type { RecordOutcome } from './record-events.ts';

/** Keeps a poison message where operators can see it; a redelivery is recorded once. */
export async function recordDeadLetter(db: Db, deadLetterTopic: string, cloudEvent: CloudEvent<unknown>): Promise<RecordOutcome> {
  const inserted = await insertDeadLetter(db, toDeadLetterRecord(deadLetterTopic, cloudEvent));
  return inserted ? 'stored' : 'duplicate';
}
