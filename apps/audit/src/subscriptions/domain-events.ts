import { topicNames, topicSchemas, type AnyEvent } from '@lifeline/contracts';
import type { EventSchema, Outcome, Subscriptions } from '@lifeline/kit';
import type { PrismaClient } from '../data/db.ts';
import { toAuditRecord } from '../domain/audit-record.ts';
import { recordBatch } from '../domain/record-events.ts';

export interface BulkSettings {
  maxMessagesCount: number;
  maxAwaitDurationMs: number;
}

/**
 * Every domain topic, in bulk: daprd hands over up to maxMessagesCount events at once and the whole batch
 * is appended with one INSERT in one transaction. Per entry, the kit answers DROP for data that breaks the
 * contract (the sidecar moves it to <topic>.dead-letter, recorded by dead-letters.ts); a thrown error, such
 * as the database being down, is RETRY for the batch so nothing is lost. A redelivery is SUCCESS, stored once.
 */
export function subscribeDomainEvents(subs: Subscriptions, db: PrismaClient, bulk: BulkSettings): void {
  for (const topic of topicNames) {
    const schema: EventSchema<AnyEvent> = topicSchemas[topic];
    subs.onBulk({
      topic,
      schema,
      bulk,
      handler: async (entries, ctx) => {
        const records = entries.map((e) => toAuditRecord(e.event, { topic, cloudEvent: e.cloudEvent }));
        const outcomes = await recordBatch(db, records, (record, err) => {
          ctx.logger.error({ err, eventId: record.eventId }, 'the database refuses this event: DROP to the dead-letter topic');
        });
        const answers = new Map<string, Outcome>();
        let duplicates = 0;
        entries.forEach((entry, i) => {
          const outcome = outcomes[i];
          if (outcome === 'duplicate') duplicates++;
          answers.set(entry.entryId, outcome === 'unstorable' ? 'DROP' : 'SUCCESS');
        });
        if (duplicates > 0) ctx.logger.info({ duplicates, entries: entries.length }, 'events already in the audit trail');
        return answers;
      },
    });
  }
}
