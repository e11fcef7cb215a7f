import { canActFor, forbidden, type AuthContext } from '@lifeline/kit';
import type { LocationDeps } from './location-deps.ts';
import { inRecordedOrder, type Position } from './position.ts';

export interface Recorded {
  /** Points stored by this request. */
  accepted: number;
  /** Points already stored (a retry, or the same fix twice in one batch): accepted once, before. */
  duplicates: number;
  crossings: Array<{ type: 'geofence.entered' | 'geofence.exited'; geofenceId: string; recordedAt: string }>;
}

/**
 * Stores one person's points and evaluates their fences. The request joins a group commit (ingest-group.ts):
 * its points, the new fence states and the crossing events commit together with other requests' or not at
 * all, only points new to the store are evaluated, oldest first, under the per-person lock, so a retried
 * request changes nothing and two requests of one person on two replicas see each other's states. The answer
 * comes once the points are durable; the latest position in Redis is moved after the commit (monotonically),
 * and a retry after a Redis failure (503 latest-unavailable) moves it then.
 */
export async function recordPositions(deps: LocationDeps, caller: AuthContext, personId: string, input: readonly Position[]): Promise<Recorded> {
  if (!canActFor(caller, personId)) throw forbidden('You may report positions only for yourself or for the people you care for.');
  const { accepted, crossings } = await deps.ingest.submit({ caller, personId, points: inRecordedOrder(input) });
  return {
    accepted,
    duplicates: input.length - accepted,
    crossings: crossings.map((c) => ({ type: c.kind === 'entered' ? 'geofence.entered' : 'geofence.exited', geofenceId: c.fence.id, recordedAt: c.position.recordedAt })),
  };
}
