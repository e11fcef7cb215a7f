import type { DeadLetterRecord } from '../domain/dead-letter.ts';
import type { JsonValue } from '../domain/json.ts';
import type { Db } from './db.ts';
import type { Keyset } from './keyset.ts';

/** False when this delivery was already recorded (same dead-letter topic and CloudEvent id). */
export async function insertDeadLetter(db: Db, d: DeadLetterRecord): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO dead_letters (topic, dead_letter_topic, cloud_event_id, cloud_event_type, cloud_event_source, payload, reason)
    VALUES (
      ${d.topic}, ${d.deadLetterTopic}, ${d.cloudEventId}, ${d.cloudEventType}, ${d.cloudEventSource},
      ${d.payload === null ? null : JSON.stringify(d.payload)}::jsonb, ${d.reason}
    )
    ON CONFLICT (dead_letter_topic, cloud_event_id) DO NOTHING`;
  return inserted === 1;
}

export interface StoredDeadLetter extends DeadLetterRecord {
  id: string;
  receivedAt: Date;
}

/** Oldest first, optionally for one original topic; `after` is the last row of the previous page. */
export async function listDeadLetters(db: Db, topic: string | undefined, limit: number, after?: Keyset): Promise<StoredDeadLetter[]> {
  const rows = await db.deadLetter.findMany({
    where: {
      topic,
      ...(after ? { OR: [{ receivedAt: { gt: after.at } }, { receivedAt: after.at, id: { gt: after.id } }] } : {}),
    },
    orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
    take: limit,
  });
  return rows.map((row) => ({ ...row, payload: row.payload as JsonValue | null }));
}
