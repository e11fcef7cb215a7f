/** Mean Earth radius (IUGG), metres: the sphere every distance here is measured on. */
export const EARTH_RADIUS_M = 6_371_008.8;

export interface LatLon {
  lat: number;
  lon: number;
}

const RAD = Math.PI / 180;

/** Great-circle distance in metres; exact on the sphere, stable for tiny and antipodal distances alike. */
export function haversineM(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, radians clockwise from north. */
export function bearingRad(a: LatLon, b: LatLon): number {
  const φ1 = a.lat * RAD;
  const φ2 = b.lat * RAD;
  const Δλ = (b.lon - a.lon) * RAD;
  return Math.atan2(Math.sin(Δλ) * Math.cos(φ2), Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(Δλ));
}

export interface PlanePoint {
  x: number;
  y: number;
}

/**
 * Azimuthal equidistant projection centred on `origin`, in metres (x east, y north). Distances and directions
 * from the origin are exact, and the projection has no seam anywhere but the origin's antipode: a shape that
 * straddles the antimeridian or circles a pole stays one connected ring in it, so plane geometry around the
 * origin (winding, nearest edge) needs no special cases for either.
 */
export function projectFrom(origin: LatLon, p: LatLon): PlanePoint {
  const d = haversineM(origin, p);
  if (d === 0) return { x: 0, y: 0 };
  const θ = bearingRad(origin, p);
  return { x: d * Math.sin(θ), y: d * Math.cos(θ) };
}
