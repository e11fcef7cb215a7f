import type { Sql } from './db.ts';

export interface TrailPoint {
  /** Start of the bucket (UTC). */
  at: string;
  lat: number;
  lon: number;
  accuracyM: number;
  /** Raw points the bucket summarises. */
  points: number;
}

/**
 * The trail in [from, to) at `bucketSeconds` resolution: the stored per-minute points (a table filled by the
 * job, or TimescaleDB's continuous aggregate: the same columns either way), coarser buckets taking the last
 * minute of each, as the minute takes its last fix.
 */
export async function trailBetween(db: Sql, personId: string, from: Date, to: Date, bucketSeconds: number, limit: number): Promise<TrailPoint[]> {
  const rows = await db.$queryRaw<Array<{ at: Date; lat: number; lon: number; accuracy_m: number; points: number }>>`
    SELECT DISTINCT ON (b) b AS at, lat, lon, accuracy_m, (sum(points) OVER (PARTITION BY b))::int AS points
    FROM (
      SELECT date_bin(make_interval(secs => ${bucketSeconds}::int), bucket, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS b, bucket, lat, lon, accuracy_m, points
      FROM trail
      WHERE person_id = ${personId} AND bucket >= ${from} AND bucket < ${to}
    ) t
    ORDER BY b, bucket DESC
    LIMIT ${limit}`;
  return rows.map((r) => ({ at: r.at.toISOString(), lat: r.lat, lon: r.lon, accuracyM: r.accuracy_m, points: r.points }));
}
