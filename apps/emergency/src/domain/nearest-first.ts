import type { EmergencyRecipient } from '@lifeline/contracts';
import { recipientKey } from './emergency.ts';

/** What the location app answered for a tier's users: metres to the person, null when either position is unknown. */
export type DistanceLookup = { ok: true; distances: ReadonlyMap<string, number | null> } | { ok: false; reason: string };

/** What a nearest-first round 0 chose; recorded with its step and on the timeline. */
export interface TierOrdering {
  /** The tier's recipients, nearest first. */
  ordered: EmergencyRecipient[];
  /** distance: the order came from the location app; list: it did not answer, or knew nobody's position. */
  basis: 'distance' | 'list';
  /** Why the list order was used. */
  reason?: string;
  /** Per user recipient key: the metres the location app answered (null: unknown). */
  distances: Record<string, number | null>;
}

/**
 * Orders a nearest-first tier: Lifeline users with a known distance, nearest first (ties in list order), then
 * users without one in list order, then outside contacts (whom location cannot place) in list order. When
 * the lookup failed, or placed nobody, the tier keeps its list order and says why.
 */
export function orderTier(recipients: readonly EmergencyRecipient[], lookup: DistanceLookup): TierOrdering {
  const users = recipients.filter((r) => r.kind === 'user');
  const contacts = recipients.filter((r) => r.kind === 'contact');
  if (!lookup.ok) return { ordered: [...recipients], basis: 'list', reason: lookup.reason, distances: {} };
  const distances: Record<string, number | null> = {};
  for (const u of users) distances[recipientKey(u)] = lookup.distances.get(u.userId) ?? null;
  const placed = users
    .map((u, i) => ({ u, i, d: distances[recipientKey(u)] ?? null }))
    .filter((x): x is { u: typeof x.u; i: number; d: number } => x.d !== null)
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.u);
  if (placed.length === 0) return { ordered: [...recipients], basis: 'list', reason: 'the location app knows no position of any contact of this tier (or of the person)', distances };
  const unplaced = users.filter((u) => distances[recipientKey(u)] === null);
  return { ordered: [...placed, ...unplaced, ...contacts], basis: 'distance', distances };
}
