import { makeEvent } from '@lifeline/contracts';
import { currentTraceparent, uuidV5, type AuthContext } from '@lifeline/kit';
import type { OutboxEntry } from '@lifeline/db';
import type { LivePublication } from '../data/live-emergency-repository.ts';
import { EVENT_SOURCE } from './geofence-event.ts';
import type { Position } from './position.ts';

export const LIVE_POSITIONS_TOPIC = 'emergency-positions';
/** Namespace of live position event ids; never change it, or a retried request would mint a second event. */
const LIVE_NAMESPACE = '0f6c9b52-7d1e-4c8a-b3f4-61a2e8d95c07';

/**
 * The outbox row that sends the person's fix live for one emergency whose slot the ingest transaction claimed
 * (claimLivePublicationsOf) with the newest fix the request stored: the row commits with the fix, and the id is
 * derived from (emergency, recordedAt), so nothing is published for a fix that did not commit, nor twice for
 * one that did.
 */
export function livePositionEntry({ emergencyId, viewers }: LivePublication, personId: string, newest: Position, caller: AuthContext): OutboxEntry {
  const id = uuidV5(`${emergencyId}/${newest.recordedAt}`, LIVE_NAMESPACE);
  const event = makeEvent('emergency.position', {
    id,
    source: EVENT_SOURCE,
    subject: emergencyId,
    actor: { id: caller.userId, kind: caller.service === true ? 'system' : 'user' },
    traceparent: currentTraceparent(),
    data: {
      emergencyId,
      userId: personId,
      position: { lat: newest.lat, lon: newest.lon, accuracyM: newest.accuracyM, recordedAt: newest.recordedAt },
      viewers,
    },
  });
  return { id, topic: LIVE_POSITIONS_TOPIC, type: 'emergency.position', payload: event };
}
