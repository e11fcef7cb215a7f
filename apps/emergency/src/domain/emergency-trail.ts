import { serviceUnavailable, type AuthContext } from '@lifeline/kit';
import { findEmergency } from '../data/emergency-repository.ts';
import type { LocationTrack, TrackPoint } from '../clients/location-track.ts';
import { emergencyNotFound, mayRespond } from './emergency-access.ts';
import type { EmergencyDeps } from './emergency-deps.ts';

export interface EmergencyTrail {
  emergencyId: string;
  personId: string;
  /** Where this answer starts: the raise, or `since` when that is later. */
  since: string;
  /** When the emergency closed (the trail ends there), null while it is active. */
  until: string | null;
  items: TrackPoint[];
}

/**
 * The person's positions during the emergency, oldest first: from the raise (or `since`, when later) to the
 * close (or now), asked of the location app through the sidecar. Readable by whoever may read the
 * emergency (else the 404 of a missing id); a location app that is down or slow is 503, never a 500.
 */
export async function emergencyTrail(deps: Pick<EmergencyDeps, 'db'>, track: LocationTrack, caller: AuthContext, id: string, since: Date | undefined): Promise<EmergencyTrail> {
  const emergency = await findEmergency(deps.db, id);
  if (emergency === undefined || !(await mayRespond(deps.db, caller, emergency))) throw emergencyNotFound(id);
  const raisedAt = new Date(emergency.createdAt);
  const from = since !== undefined && since > raisedAt ? since : raisedAt;
  const lookup = await track(emergency.personId, from);
  if (!lookup.ok) {
    throw serviceUnavailable('The location app did not answer; ask again shortly.', { type: 'location-unavailable', headers: { 'Retry-After': '2' }, cause: new Error(lookup.reason) });
  }
  const until = emergency.closedAt;
  const end = until === null ? Number.POSITIVE_INFINITY : Date.parse(until);
  return {
    emergencyId: emergency.id,
    personId: emergency.personId,
    since: from.toISOString(),
    until,
    items: lookup.points.filter((p) => Date.parse(p.recordedAt) <= end),
  };
}
