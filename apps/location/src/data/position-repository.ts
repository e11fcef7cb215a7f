import type { Position, PositionSource } from '../domain/position.ts';
import type { Sql } from './db.ts';

interface PositionRow {
  recorded_at: Date;
  lat: number;
  lon: number;
  accuracy_m: number;
  altitude_m: number | null;
  speed_mps: number | null;
  heading_deg: number | null;
  battery_pct: number | null;
  source: string | null;
}


export function positionOf(row: PositionRow): Position {
  return {
    lat: row.lat,
    lon: row.lon,
    accuracyM: row.accuracy_m,
    recordedAt: row.recorded_at.toISOString(),
    altitudeM: row.altitude_m,
    speedMps: row.speed_mps,
    headingDeg: row.heading_deg,
    batteryPct: row.battery_pct,
    source: row.source as PositionSource | null,
  };
}

/**
 * One multi-row INSERT for the whole request (arrays unnested server-side: one statement, one round trip,
 * however many points). A (person, recordedAt) already stored is skipped, never an error: that is how a
 * retried request is accepted once. Returns the recordedAt values that were new.
 */
export async function insertPositions(tx: Sql, personId: string, positions: readonly Position[]): Promise<Set<string>> {
  const col = <K extends keyof Position>(key: K) => positions.map((p) => p[key]);
  const rows = await tx.$queryRaw<Array<{ recorded_at: Date }>>`
    INSERT INTO positions (person_id, recorded_at, lat, lon, accuracy_m, altitude_m, speed_mps, heading_deg, battery_pct, source)
    SELECT ${personId}, * FROM unnest(
      ${col('recordedAt')}::timestamptz[], ${col('lat')}::float8[], ${col('lon')}::float8[], ${col('accuracyM')}::real[],
      ${col('altitudeM')}::real[], ${col('speedMps')}::real[], ${col('headingDeg')}::real[], ${col('batteryPct')}::smallint[],
      ${col('source')}::varchar[])
    ON CONFLICT DO NOTHING
    RETURNING recorded_at`;
  return new Set(rows.map((r) => r.recorded_at.toISOString()));
}

/** The newest stored point within the raw history: where Redis has nothing (flushed, restarted), the truth. */
export async function newestPosition(db: Sql, personId: string): Promise<Position | undefined> {
  const rows = await db.$queryRaw<PositionRow[]>`
    SELECT recorded_at, lat, lon, accuracy_m, altitude_m, speed_mps, heading_deg, battery_pct, source
    FROM positions WHERE person_id = ${personId}
    ORDER BY recorded_at DESC LIMIT 1`;
  return rows[0] === undefined ? undefined : positionOf(rows[0]);
}

/** Raw points in [from, to), oldest first, at most `limit`; `after` (exclusive) continues a page. */
export async function positionsBetween(db: Sql, personId: string, from: Date, to: Date, limit: number): Promise<Position[]> {
  const rows = await db.$queryRaw<PositionRow[]>`
    SELECT recorded_at, lat, lon, accuracy_m, altitude_m, speed_mps, heading_deg, battery_pct, source
    FROM positions
    WHERE person_id = ${personId} AND recorded_at >= ${from} AND recorded_at < ${to}
    ORDER BY recorded_at LIMIT ${limit}`;
  return rows.map(positionOf);
}


/** The newest `limit` points at or after `since`, returned oldest first (an emergency's recent track). */
export async function newestPositionsSince(db: Sql, personId: string, since: Date, limit: number): Promise<Position[]> {
  const rows = await db.$queryRaw<PositionRow[]>`
    SELECT recorded_at, lat, lon, accuracy_m, altitude_m, speed_mps, heading_deg, battery_pct, source
    FROM positions
    WHERE person_id = ${personId} AND recorded_at >= ${since}
    ORDER BY recorded_at DESC LIMIT ${limit}`;
  return rows.map(positionOf).reverse();
}
