export const POSITION_SOURCES = ['gps', 'wifi', 'cell', 'manual'] as const;
export type PositionSource = (typeof POSITION_SOURCES)[number];

/** One accepted fix, as stored and returned. recordedAt is device time in UTC, milliseconds. */
export interface Position {
  lat: number;
  lon: number;
  accuracyM: number;
  recordedAt: string;
  altitudeM: number | null;
  speedMps: number | null;
  headingDeg: number | null;
  batteryPct: number | null;
  source: PositionSource | null;
}

/** How far back a device may report (the raw history's retention) and how far ahead its clock may run. */
export const HISTORY_DAYS = 7;
export const TRAIL_DAYS = 90;
export const FUTURE_SKEW_MS = 5 * 60_000;
export const MAX_BATCH = 500;
const DAY_MS = 86_400_000;

export function historyWindowStart(now: Date): Date {
  return new Date(now.getTime() - HISTORY_DAYS * DAY_MS);
}

export function trailWindowStart(now: Date): Date {
  return new Date(now.getTime() - TRAIL_DAYS * DAY_MS);
}

/** Why a recordedAt is not accepted at `now`, or undefined. */
export function recordedAtProblem(recordedAt: string, now: Date): string | undefined {
  const t = Date.parse(recordedAt);
  if (t > now.getTime() + FUTURE_SKEW_MS) return 'must not be more than 5 minutes in the future (check the device clock)';
  if (t < historyWindowStart(now).getTime()) return `must not be older than ${HISTORY_DAYS} days`;
  return undefined;
}

/** One point per recordedAt (the first one wins: a repeat is the same fix sent twice), oldest first. */
export function inRecordedOrder(positions: readonly Position[]): Position[] {
  const seen = new Set<string>();
  const unique = positions.filter((p) => (seen.has(p.recordedAt) ? false : (seen.add(p.recordedAt), true)));
  return unique.sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt));
}
