import { canActFor, forbidden, serviceUnavailable, type AuthContext } from '@lifeline/kit';
import { appendToOutboxOnce } from '@lifeline/db';
import { geofencesOf, lockFenceStates, saveFenceStates } from '../data/geofence-repository.ts';
import { lockPerson } from '../data/person-lock.ts';
import { insertPositions } from '../data/position-repository.ts';
import { evaluateCrossings, type Crossing } from './crossings.ts';
import { crossingEvent } from './geofence-event.ts';
import { livePositionEntries } from './live-position-event.ts';
import { nowOf, type LocationDeps } from './location-deps.ts';
import { inRecordedOrder, type Position } from './position.ts';

export interface Recorded {
  /** Points stored by this request. */
  accepted: number;
  /** Points already stored (a retry, or the same fix twice in one batch): accepted once, before. */
  duplicates: number;
  crossings: Array<{ type: 'geofence.entered' | 'geofence.exited'; geofenceId: string; recordedAt: string }>;
}

/** Ingest transactions stay short: the trail job relies on none lasting longer than 15 s. */
const TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * Stores one person's points and evaluates their fences, all in one transaction: the points, the new fence
 * states and the crossing events commit together or not at all. Only points new to the store are evaluated,
 * oldest first, under a per-person lock, so a retried request changes nothing and two requests of one person
 * on two replicas see each other's states. The answer comes once the points are durable; the latest position
 * in Redis is moved after the commit (monotonically), and a retry after a Redis failure moves it then.
 */
export async function recordPositions(deps: LocationDeps, caller: AuthContext, personId: string, input: readonly Position[]): Promise<Recorded> {
  if (!canActFor(caller, personId)) throw forbidden('You may report positions only for yourself or for the people you care for.');
  const points = inRecordedOrder(input);

  const { accepted, crossings, live } = await deps.sql.$transaction(
    async (tx): Promise<{ accepted: number; crossings: Crossing[]; live: number }> => {
      const inserted = await insertPositions(tx, personId, points);
      if (inserted.size === 0) return { accepted: 0, crossings: [], live: 0 };
      await lockPerson(tx, personId);
      const stored = points.filter((p) => inserted.has(p.recordedAt));
      // Only the newest stored fix goes out live (the rest are in history and in the emergency's trail).
      const newestStored = stored[stored.length - 1];
      const liveEntries = newestStored === undefined ? [] : await livePositionEntries(tx, personId, newestStored, caller, deps.livePositionIntervalMs);
      for (const entry of liveEntries) await appendToOutboxOnce(tx, entry);
      const fences = await geofencesOf(tx, personId, true);
      if (fences.length === 0) return { accepted: inserted.size, crossings: [], live: liveEntries.length };
      const states = await lockFenceStates(tx, personId);
      const evaluation = evaluateCrossings(fences, states, stored);
      await saveFenceStates(tx, personId, evaluation.states, nowOf(deps).toISOString());
      for (const crossing of evaluation.crossings) await appendToOutboxOnce(tx, crossingEvent(crossing, caller));
      return { accepted: inserted.size, crossings: evaluation.crossings, live: liveEntries.length };
    },
    { timeout: TRANSACTION_TIMEOUT_MS },
  );
  if (crossings.length > 0 || live > 0) deps.outboxWritten();

  const newest = points[points.length - 1];
  if (newest !== undefined) {
    try {
      await deps.latest.offer(personId, newest);
    } catch (err) {
      throw serviceUnavailable('The positions are stored, but the latest position could not be updated; send the same request again.', {
        type: 'latest-unavailable',
        headers: { 'Retry-After': '1' },
        cause: err,
      });
    }
  }
  return {
    accepted,
    duplicates: input.length - accepted,
    crossings: crossings.map((c) => ({ type: c.kind === 'entered' ? 'geofence.entered' : 'geofence.exited', geofenceId: c.fence.id, recordedAt: c.position.recordedAt })),
  };
}
