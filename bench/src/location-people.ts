// The simulated people of the location benchmark: each walks around a home of their own, inside one fence
// (home, a circle) and far from two others (a polygon and a circle), so every fix is checked against three
// fences without ever crossing one: a crossing would publish geofence-events for consumers that are not
// running and flood their queues. Fixes of one person get strictly increasing recordedAt values, so every
// one of them is new to the store (none is counted as a duplicate).

/** Metres per degree of latitude (mean Earth radius). */
const M_PER_DEG = 111_195;

export interface BenchPerson {
  id: string;
  home: { lat: number; lon: number };
  /** Fixes made so far: the next one is recorded one second after the last. */
  fixes: number;
}

export interface Fix {
  lat: number;
  lon: number;
  accuracyM: number;
  recordedAt: string;
  speedMps: number;
  batteryPct: number;
  source: 'gps';
}

/** `count` people spread over a 40 x 40 km area, ids `<prefix>-<i>`. */
export function benchPeople(prefix: string, count: number): BenchPerson[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    home: { lat: 52.3 + ((i * 7919) % 1000) / 2500, lon: 13.1 + ((i * 104_729) % 1000) / 1600 },
    fixes: 0,
  }));
}

/** The three fences of a person, as POST /location/geofences bodies. */
export function fencesOf(p: BenchPerson): object[] {
  const dLat = (m: number) => m / M_PER_DEG;
  const dLon = (m: number) => m / (M_PER_DEG * Math.cos((p.home.lat * Math.PI) / 180));
  const work = { lat: p.home.lat + dLat(5000), lon: p.home.lon };
  const ring = [
    [work.lon - dLon(400), work.lat - dLat(300)],
    [work.lon + dLon(400), work.lat - dLat(300)],
    [work.lon + dLon(400), work.lat + dLat(300)],
    [work.lon - dLon(400), work.lat + dLat(300)],
    [work.lon - dLon(400), work.lat - dLat(300)],
  ];
  return [
    { name: 'Home', shape: { type: 'circle', center: p.home, radiusM: 1500 } },
    { name: 'Work', shape: { type: 'Polygon', coordinates: [ring] } },
    { name: 'Clinic', shape: { type: 'circle', center: { lat: p.home.lat - dLat(8000), lon: p.home.lon + dLon(3000) }, radiusM: 500 } },
  ];
}

/**
 * The person's next `n` fixes, one second apart on a slow circle of 300 m around home, starting `startMs`
 * (device time, a few hours back so a run never reaches the 5-minute future limit).
 */
export function nextFixes(p: BenchPerson, n: number, startMs: number): Fix[] {
  return Array.from({ length: n }, () => {
    const k = p.fixes++;
    const angle = (k / 600) * 2 * Math.PI;
    return {
      lat: p.home.lat + (300 * Math.sin(angle)) / M_PER_DEG,
      lon: p.home.lon + (300 * Math.cos(angle)) / (M_PER_DEG * Math.cos((p.home.lat * Math.PI) / 180)),
      accuracyM: 8 + (k % 5),
      recordedAt: new Date(startMs + k * 1000).toISOString(),
      speedMps: 1.2,
      batteryPct: 80,
      source: 'gps',
    };
  });
}
