import { topicSchemas, type TopicEvent } from '@lifeline/contracts';
import type { TypedSubscription } from '@lifeline/kit';
import { generateInstances } from '../domain/generate-instances.ts';
import type { RecurringDeps } from '../domain/recurring-deps.ts';
import { releaseSuperseded } from '../domain/release-superseded.ts';

/**
 * This app's own recurring-task-events drive the work that calls the tasks app: the change committed with
 * its event (outbox), so generation and cancellation survive a crash, and a tasks app that is down only
 * delays them (the handler throws, the sidecar redelivers). Both are idempotent, so no inbox is needed.
 */
export function seriesEventsSubscription(deps: RecurringDeps): TypedSubscription<TopicEvent<'recurring-task-events'>> {
  return {
    topic: 'recurring-task-events',
    schema: topicSchemas['recurring-task-events'],
    handler: async (event) => {
      switch (event.type) {
        case 'series.created':
          await generateInstances(deps, event.data.after.id);
          break;
        case 'series.updated':
          // The replaced instances go first, so a user never sees old and new side by side for long.
          await releaseSuperseded(deps, event.data.after.id);
          await generateInstances(deps, event.data.after.id);
          break;
        case 'series.ended':
          await releaseSuperseded(deps, event.data.seriesId);
          break;
        case 'instances.generated':
          break;
      }
      return 'SUCCESS';
    },
  };
}
