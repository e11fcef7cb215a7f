import { deadLetterTopic, topicNames } from '@lifeline/contracts';
import type { Subscriptions } from '@lifeline/kit';
import type { Db } from '../data/db.ts';
import { UNRECORDED_DEAD_LETTERS } from '../domain/dead-letter.ts';
import { recordDeadLetter } from '../domain/record-dead-letter.ts';

/**
 * Every <topic>.dead-letter, in raw mode: a poison message is by definition not contract-valid, and it is
 * recorded as delivered so operators (and the e2e suite) can see what reached the dead-letter topic.
 */
export function subscribeDeadLetters(subs: Subscriptions, db: Db): void {
  for (const topic of topicNames.map(deadLetterTopic)) {
    subs.on({
      topic,
      deadLetterTopic: UNRECORDED_DEAD_LETTERS,
      handler: async (_data, ctx) => {
        const outcome = await recordDeadLetter(db, ctx.topic, ctx.cloudEvent);
        ctx.logger.warn({ cloudEventId: ctx.cloudEvent.id, outcome }, 'dead letter recorded');
        return 'SUCCESS';
      },
    });
  }
}
