import { haversineM } from './geometry/sphere.ts';
import type { LocationDeps } from './location-deps.ts';
import { latestPosition } from './read-positions.ts';

export interface ContactDistance {
  userId: string;
  /** Metres from the person's latest position to this user's, rounded to 0.1 m; null when either is unknown. */
  distanceM: number | null;
  /** When the user's position was recorded; null when unknown. */
  recordedAt: string | null;
}

/** A tier pages at most 20 contacts; the route refuses more. */
export const MAX_DISTANCE_USERS = 50;

/**
 * For the emergency app's nearest-first tiers (service invocation, no caller to check): how far each of the
 * person's user contacts is from the person, by their latest positions (Redis, then the raw history). Only
 * distances leave, never a contact's coordinates, and only for the users the emergency app names.
 */
export async function contactDistances(deps: LocationDeps, personId: string, userIds: readonly string[]): Promise<ContactDistance[]> {
  const unique = [...new Set(userIds)];
  const [person, ...contacts] = await Promise.all([latestPosition(deps, personId), ...unique.map((id) => latestPosition(deps, id))]);
  return unique.map((userId, i) => {
    const at = contacts[i];
    if (person === undefined || at === undefined) return { userId, distanceM: null, recordedAt: at?.recordedAt ?? null };
    return { userId, distanceM: Math.round(haversineM(person, at) * 10) / 10, recordedAt: at.recordedAt };
  });
}
