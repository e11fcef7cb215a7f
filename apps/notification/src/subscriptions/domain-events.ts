import { topicSchemas, type TopicEvent, type TopicName } from '@lifeline/contracts';
import { createEmergencyAckLinks, type EventHandlerContext, type Outcome, type Subscriptions } from '@lifeline/kit';
import type { NotificationConfig } from '../config.ts';
import { emergencyNotification, type AcknowledgeUrl } from '../domain/emergency-notification.ts';
import { geofenceNotification } from '../domain/geofence-notification.ts';
import type { NotificationRequest } from '../domain/notification.ts';
import type { NotifyDeps } from '../domain/notify-deps.ts';
import { notify } from '../domain/notify.ts';
import { reminderNotification } from '../domain/reminder-notification.ts';
import { taskNotification } from '../domain/task-notification.ts';

type Consumed = 'reminders' | 'task-events' | 'emergency-events' | 'geofence-events';

/** Turns each consumed topic's events into what to tell whom; null when an event tells nobody. */
function requestBuilders(settings: DomainEventSettings): { [T in Consumed]: (event: TopicEvent<T>) => Promise<NotificationRequest | null> } {
  return {
    reminders: async (event) => reminderNotification(event),
    'task-events': async (event) => taskNotification(event),
    'emergency-events': async (event) => emergencyNotification(event, settings.acknowledgeUrl),
    'geofence-events': async (event) => geofenceNotification(event),
  };
}

export interface DomainEventSettings {
  /** How long one handler may spend waiting on retries before it answers RETRY (see deliver.ts). */
  handlerBudgetMs: number;
  /** Signs the link an outside contact's page carries (kit's emergency acknowledgement links). */
  acknowledgeUrl: AcknowledgeUrl;
}

export function domainEventSettings(config: Pick<NotificationConfig, 'HANDLER_BUDGET_MS' | 'JWT_SECRET' | 'ACK_LINK_BASE_URL' | 'ACK_LINK_TTL_HOURS'>): DomainEventSettings {
  const links = createEmergencyAckLinks({ secret: config.JWT_SECRET });
  return {
    handlerBudgetMs: config.HANDLER_BUDGET_MS,
    acknowledgeUrl: (emergencyId, contactId) => links.urlFor(config.ACK_LINK_BASE_URL, emergencyId, contactId, config.ACK_LINK_TTL_HOURS * 3600),
  };
}

/**
 * One subscription per consumed topic on the app's `pubsub`, each with `<topic>.dead-letter`. Data that
 * breaks the contract is DROP (the kit); a thrown error (database, Redis down) is RETRY; otherwise the
 * answer is notify()'s: SUCCESS, RETRY while a delivery is unfinished, DROP when one finally failed.
 */
export function subscribeDomainEvents(subs: Subscriptions, deps: NotifyDeps, settings: DomainEventSettings): void {
  const builders = requestBuilders(settings);
  const on = <T extends Consumed>(topic: T) => {
    const build = builders[topic] as (event: TopicEvent<TopicName>) => Promise<NotificationRequest | null>;
    subs.on({
      topic,
      schema: topicSchemas[topic],
      // Every task change of the platform passes here and few tell anybody anything: batches cost one request
      // each instead of one per event. The few that notify are independent, so several run at once.
      ...(topic === 'task-events' ? { batched: { maxMessagesCount: 100, maxAwaitDurationMs: 50, concurrency: 8 } } : {}),
      handler: async (event: TopicEvent<TopicName>, ctx: EventHandlerContext): Promise<Outcome> => {
        const deadline = Date.now() + settings.handlerBudgetMs;
        const request = await build(event);
        if (request === null) {
          ctx.logger.debug({ eventType: event.type }, 'event tells nobody');
          return 'SUCCESS';
        }
        const outcome = await notify({ ...deps, logger: ctx.logger }, request, deadline);
        ctx.logger.info({ recipients: request.recipients.length, outcome }, 'notification handled');
        return outcome;
      },
    });
  };
  on('reminders');
  on('task-events');
  on('emergency-events');
  on('geofence-events');
}
