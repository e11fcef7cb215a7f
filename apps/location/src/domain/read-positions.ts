import { badRequest, canActFor, notFound, type AuthContext, type HttpProblem } from '@lifeline/kit';
import { peopleInOpenEmergenciesOf, viewsOpenEmergencyOf } from '../data/live-emergency-repository.ts';
import { newestPosition, newestPositionsSince, positionsBetween } from '../data/position-repository.ts';
import { trailBetween, type TrailPoint } from '../data/trail-repository.ts';
import type { Nearby } from '../data/latest-store.ts';
import type { LatLon } from './geometry/sphere.ts';
import { nowOf, type LocationDeps } from './location-deps.ts';
import { HISTORY_DAYS, TRAIL_DAYS, historyWindowStart, trailWindowStart, type Position } from './position.ts';

export function personNotFound(personId: string): HttpProblem {
  return notFound(`No location data of ${personId} that you may see.`, { type: 'person-not-found' });
}

/**
 * The same people nearby shows: the person, their caregivers (care claim), admins, and the viewers of an open
 * emergency of the person while it is open. Someone else's person answers exactly like one without data: ids
 * cannot be probed through any route.
 */
async function assertMaySee(deps: LocationDeps, caller: AuthContext, personId: string): Promise<void> {
  if (canActFor(caller, personId)) return;
  if (!(await viewsOpenEmergencyOf(deps.sql, caller.userId, personId))) throw personNotFound(personId);
}

/** Redis first; Postgres (the newest point of the raw history) when Redis has nothing for the person. */
export async function latestPosition(deps: LocationDeps, personId: string): Promise<Position | undefined> {
  return (await deps.latest.get(personId)) ?? (await newestPosition(deps.sql, personId));
}

export async function latestFor(deps: LocationDeps, caller: AuthContext, personId: string): Promise<Position> {
  await assertMaySee(deps, caller, personId);
  const latest = await latestPosition(deps, personId);
  if (latest === undefined) throw personNotFound(personId);
  return latest;
}

export interface Window {
  from?: Date | undefined;
  to?: Date | undefined;
}

function windowOf(deps: LocationDeps, w: Window, earliest: Date, days: number, defaultMs: number): { from: Date; to: Date } {
  const now = nowOf(deps);
  const to = w.to ?? now;
  const from = w.from ?? new Date(Math.max(earliest.getTime(), to.getTime() - defaultMs));
  if (from.getTime() < earliest.getTime() - 60_000) {
    throw badRequest(`from must lie within the last ${days} days.`, { type: 'validation-error', extra: { errors: [{ path: 'from', message: `must lie within the last ${days} days` }] } });
  }
  return { from, to };
}

/** Raw points, oldest first; `next` is where the following page starts when this one is full. */
export async function historyFor(deps: LocationDeps, caller: AuthContext, personId: string, w: Window, limit: number): Promise<{ items: Position[]; next: string | null }> {
  await assertMaySee(deps, caller, personId);
  const { from, to } = windowOf(deps, w, historyWindowStart(nowOf(deps)), HISTORY_DAYS, 86_400_000);
  const rows = await positionsBetween(deps.sql, personId, from, to, limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? new Date(Date.parse(last.recordedAt) + 1).toISOString() : null };
}

export async function trailFor(deps: LocationDeps, caller: AuthContext, personId: string, w: Window, bucketSeconds: number, limit: number): Promise<TrailPoint[]> {
  await assertMaySee(deps, caller, personId);
  const { from, to } = windowOf(deps, w, trailWindowStart(nowOf(deps)), TRAIL_DAYS, 86_400_000);
  return trailBetween(deps.sql, personId, from, to, bucketSeconds, limit);
}

/**
 * For the emergency app (service invocation, no caller to check): the raw track since an instant (clamped to
 * the 7 days kept), the newest `limit` points of it, oldest first.
 */
export async function trackSince(deps: LocationDeps, personId: string, since: Date, limit: number): Promise<Position[]> {
  const earliest = historyWindowStart(nowOf(deps));
  return newestPositionsSince(deps.sql, personId, since < earliest ? earliest : since, limit);
}

/**
 * People near a point whom the caller may see, decided before anything is searched: a caregiver, the people
 * in their care claim; anyone (admins too), the people of open emergencies they are a viewer of (paged,
 * raised it, acknowledged), for as long as the emergency is open. The caller is never in their own answer.
 */
export async function nearbyFor(deps: LocationDeps, caller: AuthContext, center: LatLon, radiusM: number, limit: number): Promise<Nearby[]> {
  const cared = caller.roles.includes('caregiver') ? caller.care : [];
  const inDanger = await peopleInOpenEmergenciesOf(deps.sql, caller.userId);
  const visible = [...new Set([...cared, ...inDanger])].filter((id) => id !== caller.userId);
  return deps.latest.nearby(center, radiusM, visible, limit);
}
