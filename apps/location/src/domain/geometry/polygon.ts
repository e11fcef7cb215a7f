import { haversineM, projectFrom, type LatLon, type PlanePoint } from './sphere.ts';

/** A ring as GeoJSON writes it: [lon, lat] positions, the last one equal to the first. */
export type Ring = ReadonlyArray<readonly [number, number]>;

export const MAX_POLYGON_VERTICES = 500;
/** Every vertex lies within this of the first one: a fence is a neighbourhood, not a continent. */
export const MAX_POLYGON_EXTENT_M = 500_000;

const toLatLon = ([lon, lat]: readonly [number, number]): LatLon => ({ lat, lon });

/** The distinct vertices of a closed ring (the closing repeat dropped). */
export function ringVertices(ring: Ring): LatLon[] {
  return ring.slice(0, -1).map(toLatLon);
}

/** Why the ring is not a usable fence, or undefined when it is. */
export function ringProblem(ring: Ring): string | undefined {
  if (ring.length < 4) return 'a ring needs at least 4 positions (3 corners and the closing repeat of the first)';
  if (ring.length > MAX_POLYGON_VERTICES + 1) return `a ring has at most ${MAX_POLYGON_VERTICES} corners`;
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (!first || !last || first[0] !== last[0] || first[1] !== last[1]) return 'the ring is not closed: its last position must repeat the first';
  const vertices = ringVertices(ring);
  for (let i = 0; i < vertices.length; i++) {
    const a = vertices[i];
    const b = vertices[(i + 1) % vertices.length];
    if (a && b && haversineM(a, b) < 0.01) return `positions ${i} and ${(i + 1) % vertices.length} are the same point`;
  }
  const origin = vertices[0] as LatLon;
  if (vertices.some((v) => haversineM(origin, v) > MAX_POLYGON_EXTENT_M)) {
    return `every corner must lie within ${MAX_POLYGON_EXTENT_M / 1000} km of the first`;
  }
  const plane = vertices.map((v) => projectFrom(origin, v));
  const crossing = selfIntersection(plane);
  if (crossing) return `the ring crosses itself (edges ${crossing[0]} and ${crossing[1]})`;
  if (Math.abs(signedArea(plane)) < 1) return 'the ring encloses no area';
  return undefined;
}

function signedArea(points: PlanePoint[]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i] as PlanePoint;
    const b = points[(i + 1) % points.length] as PlanePoint;
    sum += a.x * b.y - b.x * a.y;
  }
  return sum / 2;
}

function orientation(a: PlanePoint, b: PlanePoint, c: PlanePoint): number {
  const v = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  return Math.abs(v) < 1e-9 ? 0 : Math.sign(v);
}

function onSegment(a: PlanePoint, b: PlanePoint, p: PlanePoint): boolean {
  return Math.min(a.x, b.x) - 1e-9 <= p.x && p.x <= Math.max(a.x, b.x) + 1e-9 && Math.min(a.y, b.y) - 1e-9 <= p.y && p.y <= Math.max(a.y, b.y) + 1e-9;
}

function segmentsIntersect(a: PlanePoint, b: PlanePoint, c: PlanePoint, d: PlanePoint): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) || (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b));
}

/** The first pair of non-adjacent edges that touch, if any (O(n²): rings are bounded). */
function selfIntersection(points: PlanePoint[]): [number, number] | undefined {
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const a = points[i] as PlanePoint;
    const b = points[(i + 1) % n] as PlanePoint;
    for (let j = i + 1; j < n; j++) {
      // Adjacent edges share a corner by construction.
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      const c = points[j] as PlanePoint;
      const d = points[(j + 1) % n] as PlanePoint;
      if (segmentsIntersect(a, b, c, d)) return [i, j];
    }
  }
  return undefined;
}

function distanceToSegment(p: PlanePoint, a: PlanePoint, b: PlanePoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/**
 * Signed distance in metres from the point to the polygon's boundary: negative inside, positive outside.
 * The ring is projected around the point itself (see projectFrom), so inside means "the ring winds around
 * the point", which is right across the antimeridian and around a pole alike; edges are great-circle arcs,
 * approximated as straight in that projection (fine at fence sizes). A point farther from the first corner
 * than twice the largest extent cannot be inside, which also keeps the far side of the planet out.
 */
export function signedDistanceToPolygon(point: LatLon, vertices: readonly LatLon[]): number {
  const first = vertices[0];
  if (!first) return Number.POSITIVE_INFINITY;
  if (haversineM(point, first) > 2 * MAX_POLYGON_EXTENT_M) return haversineM(point, first) - MAX_POLYGON_EXTENT_M;
  const plane = vertices.map((v) => projectFrom(point, v));
  const origin = { x: 0, y: 0 };
  let nearest = Number.POSITIVE_INFINITY;
  let winding = 0;
  for (let i = 0; i < plane.length; i++) {
    const a = plane[i] as PlanePoint;
    const b = plane[(i + 1) % plane.length] as PlanePoint;
    nearest = Math.min(nearest, distanceToSegment(origin, a, b));
    let sweep = Math.atan2(b.y, b.x) - Math.atan2(a.y, a.x);
    if (sweep > Math.PI) sweep -= 2 * Math.PI;
    if (sweep < -Math.PI) sweep += 2 * Math.PI;
    winding += sweep;
  }
  if (nearest === 0) return 0;
  return Math.abs(winding) > Math.PI ? -nearest : nearest;
}
