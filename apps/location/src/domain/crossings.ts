import type { FenceState, Geofence } from './geofence.ts';
import { sideOf } from './geometry/shape.ts';
import type { Position } from './position.ts';

export interface Crossing {
  kind: 'entered' | 'exited';
  fence: Geofence;
  position: Position;
}

export interface Evaluation {
  crossings: Crossing[];
  /** Every state that moved on (newer point evaluated), to be written back. */
  states: FenceState[];
}

/**
 * Walks the new points oldest first against every fence, from the stored state:
 * - a point not newer than the fence's last evaluated point changes nothing (a late point is history only);
 * - a point whose accuracy circle straddles the boundary advances the clock but keeps the side (hysteresis);
 * - the first certain side of a fence is its baseline: no event, the person was there before we looked;
 * - after that, each change of side is one crossing, so a batch that goes in and out again yields both.
 */
export function evaluateCrossings(fences: readonly Geofence[], stored: ReadonlyMap<string, FenceState>, points: readonly Position[]): Evaluation {
  const crossings: Crossing[] = [];
  const states: FenceState[] = [];
  for (const fence of fences) {
    const before = stored.get(fence.id);
    let inside: boolean | undefined = before?.inside;
    let last = before === undefined ? Number.NEGATIVE_INFINITY : Date.parse(before.lastRecordedAt);
    let lastText = before?.lastRecordedAt;
    for (const point of points) {
      const t = Date.parse(point.recordedAt);
      if (t <= last) continue;
      last = t;
      lastText = point.recordedAt;
      const side = sideOf(fence.shape, point, point.accuracyM);
      if (side === 'uncertain') continue;
      const now = side === 'inside';
      if (inside !== undefined && now !== inside) crossings.push({ kind: now ? 'entered' : 'exited', fence, position: point });
      inside = now;
    }
    // A fence never seen with certainty keeps no row: the first certain point will be its baseline.
    if (inside !== undefined && lastText !== undefined && lastText !== before?.lastRecordedAt) {
      states.push({ geofenceId: fence.id, inside, lastRecordedAt: lastText });
    }
  }
  return { crossings, states };
}
