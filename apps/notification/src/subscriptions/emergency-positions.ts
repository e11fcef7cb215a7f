import { emergencyPositionEventSchema, topicSchemas, type EventOf } from '@lifeline/contracts';
import type { DaprClient, Logger, Metrics, Subscriptions } from '@lifeline/kit';
import { Counter } from 'prom-client';
import type { LiveHub } from '../live/live-hub.ts';
import { RecentIds } from '../live/recent-ids.ts';

const TOPIC = 'emergency-positions';
/**
 * The fan-out's own topic name: on one broker the same name would be the same stream (Redis, Kafka) or an
 * exchange declared twice with other options (RabbitMQ), and the domain subscription would receive its own
 * hand-overs again, forever.
 */
export const POSITIONS_FANOUT_TOPIC = 'notification-positions';

export interface EmergencyPositionSettings {
  /** The per-replica fan-out component: every replica receives every position and writes it to the sockets it holds. */
  fanoutPubsub: string;
  /** A position older than this (from the event's time) is not written: it is no longer live, and a new consumer group may replay old ones. */
  maxAgeMs: number;
}

type PositionEvent = EventOf<'emergency.position'>;

/**
 * Live positions of a person with an open emergency (location publishes them on `emergency-positions`) to
 * the WebSockets of the viewers the event names, and to nobody else. No delivery row, no mail, no push: a
 * position is superseded within seconds and the emergency's trail keeps them all. The domain subscription
 * (consumer group: the app) hands each event to the fan-out (`notification-positions`), unchanged; the fan-out subscription on every
 * replica writes `{type: "position", ...}` to each viewer's sockets it holds, once per event id.
 */
export function subscribeEmergencyPositions(subs: Subscriptions, deps: { dapr: Pick<DaprClient, 'publish'>; hub: LiveHub; metrics: Metrics; logger: Logger }, settings: EmergencyPositionSettings): void {
  const positions = new Counter({
    name: 'notification_live_positions_total',
    help: 'Live emergency positions: received from location (received), then per replica from the fan-out: written to sockets (delivered), no viewer socket here, stale, duplicate',
    labelNames: ['outcome'],
    registers: [deps.metrics.registry],
  });
  const seen = new RecentIds(settings.maxAgeMs * 2);

  subs.on({
    topic: TOPIC,
    schema: topicSchemas[TOPIC],
    handler: async (event: PositionEvent) => {
      positions.inc({ outcome: 'received' });
      // A refused publish throws: RETRY, the broker redelivers and the fan-out deduplicates on the id.
      await deps.dapr.publish(POSITIONS_FANOUT_TOPIC, event, { pubsubName: settings.fanoutPubsub, id: event.id, type: event.type });
      return 'SUCCESS';
    },
  });

  subs.on({
    topic: POSITIONS_FANOUT_TOPIC,
    pubsubName: settings.fanoutPubsub,
    schema: emergencyPositionEventSchema,
    // Nothing here gets better by retrying: a socket that is not open now will get the next position.
    handler: async (event: PositionEvent, ctx) => {
      const age = Date.now() - Date.parse(event.time);
      let outcome: 'stale' | 'duplicate' | 'delivered' | 'no-socket';
      if (age > settings.maxAgeMs) outcome = 'stale';
      else if (!seen.firstTime(event.id)) outcome = 'duplicate';
      else {
        const frame = { type: 'position', emergencyId: event.data.emergencyId, personId: event.data.userId, position: event.data.position } as const;
        let written = 0;
        for (const viewer of new Set(event.data.viewers)) written += deps.hub.send(viewer, frame);
        outcome = written > 0 ? 'delivered' : 'no-socket';
      }
      positions.inc({ outcome });
      ctx.logger.debug({ eventId: event.id, outcome, ageMs: age }, 'live position');
      return 'SUCCESS';
    },
  });
}
