import { makeEvent } from '@lifeline/contracts';
import { currentTraceparent, uuidV5, type AuthContext } from '@lifeline/kit';
import type { OutboxEntry } from '@lifeline/db';
import type { Crossing } from './crossings.ts';

export const EVENT_SOURCE = 'location';
/** Namespace of crossing event ids; never change it, or retries would mint new ids for old crossings. */
const CROSSING_NAMESPACE = '5b0c3f8e-2d4a-4f61-9a57-0c1e6b7d8a90';

/**
 * geofence.entered / geofence.exited as an outbox row. The id is derived from (fence, person, recordedAt,
 * kind): the same crossing always has the same id, so neither a retried request nor a second evaluation can
 * publish it twice (the outbox keeps the first), and subscribers deduplicate on it as on any event.
 */
export function crossingEvent(c: Crossing, caller: AuthContext): OutboxEntry {
  const type = c.kind === 'entered' ? 'geofence.entered' : 'geofence.exited';
  const id = uuidV5(`${c.fence.id}/${c.fence.personId}/${c.position.recordedAt}/${c.kind}`, CROSSING_NAMESPACE);
  const event = makeEvent(type, {
    id,
    source: EVENT_SOURCE,
    subject: c.fence.id,
    actor: { id: caller.userId, kind: caller.service === true ? 'system' : 'user' },
    traceparent: currentTraceparent(),
    data: {
      geofenceId: c.fence.id,
      geofenceName: c.fence.name,
      userId: c.fence.personId,
      position: { lat: c.position.lat, lon: c.position.lon, accuracyM: c.position.accuracyM, recordedAt: c.position.recordedAt },
      caregivers: c.fence.notify,
    },
  });
  return { id, topic: 'geofence-events', type, payload: event };
}
