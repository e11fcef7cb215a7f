import { topicNames, topicSchemas, type AnyEvent } from '@lifeline/contracts';
import type { EventSchema, Subscriptions } from '@lifeline/kit';
import type { Db } from '../data/db.ts';
import { recordEvent } from '../domain/record-event.ts';

/**
 * Every domain topic, validated with its contract. Data that breaks the contract is answered DROP by the
 * kit (the sidecar moves it to <topic>.dead-letter, recorded by dead-letters.ts); a thrown error, such as
 * the database being down, is answered RETRY so nothing is lost.
 */
export function subscribeDomainEvents(subs: Subscriptions, db: Db): void {
  for (const topic of topicNames) {
    const schema: EventSchema<AnyEvent> = topicSchemas[topic];
    subs.on({
      topic,
      schema,
      handler: async (event, ctx) => {
        const outcome = await recordEvent(db, event, ctx);
        if (outcome === 'duplicate') ctx.logger.info({ eventId: event.id }, 'event already in the audit trail');
        return 'SUCCESS';
      },
    });
  }
}
