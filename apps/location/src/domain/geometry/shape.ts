import { signedDistanceToPolygon, type Ring, ringVertices } from './polygon.ts';
import { haversineM, type LatLon } from './sphere.ts';

export interface CircleShape {
  type: 'circle';
  center: LatLon;
  radiusM: number;
}

/** A GeoJSON Polygon with one ring (no holes): [lon, lat] positions, closed. */
export interface PolygonShape {
  type: 'Polygon';
  coordinates: [Ring];
}

export type FenceShape = CircleShape | PolygonShape;

/** Signed distance from the point to the fence's boundary in metres: negative inside, positive outside. */
export function signedDistanceM(shape: FenceShape, point: LatLon): number {
  if (shape.type === 'circle') return haversineM(shape.center, point) - shape.radiusM;
  return signedDistanceToPolygon(point, ringVertices(shape.coordinates[0]));
}

export type Side = 'inside' | 'outside' | 'uncertain';

/**
 * Hysteresis from the fix's accuracy: the person is inside only when the whole accuracy circle is, outside
 * only when none of it is. A point whose circle straddles the boundary (or touches it) is uncertain and
 * never flips a state, so a position jittering along a fence line makes no storm of enters and exits.
 */
export function sideOf(shape: FenceShape, point: LatLon, accuracyM: number): Side {
  const d = signedDistanceM(shape, point);
  if (d < -accuracyM) return 'inside';
  if (d > accuracyM) return 'outside';
  return 'uncertain';
}
