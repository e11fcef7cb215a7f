import type { OutboxEntry } from '@lifeline/db';
import type { FenceState, Geofence } from '../domain/geofence.ts';
import type { Position } from '../domain/position.ts';
import type { Sql } from './db.ts';
import { geofenceOf, type GeofenceRow } from './geofence-repository.ts';
import { MAX_VIEWERS, type LivePublication } from './live-emergency-repository.ts';
import { PERSON_LOCK_CLASS } from './person-lock.ts';

/*
 * The statements of one group commit: each covers every person of the group at once (arrays unnested
 * server-side), so a group of any size costs the same few round trips.
 */

export interface PersonPosition {
  personId: string;
  position: Position;
}

/** `person \n recordedAt`: the identity of a stored fix. */
export const fixKey = (personId: string, recordedAt: string) => `${personId}\n${recordedAt}`;

export interface Stored {
  /** The keys (fixKey) of the fixes that were new. */
  inserted: Set<string>;
  /** The live publications the people's newest stored fixes claimed (see below). */
  claims: Array<LivePublication & { personId: string; recordedAt: string }>;
}

/**
 * Takes every person's advisory lock (the one fence management takes too), inserts the fixes, skipping a
 * (person, recordedAt) already stored, and claims the live publications, in one statement:
 * - the aggregate in `locked` consumes all its rows, so every lock is held before the first row is inserted;
 *   the locks go in hashtext order, the same in every transaction, so two groups that share people wait for
 *   each other instead of deadlocking (the person lock is also what keeps their ON CONFLICT checks of one key
 *   apart);
 * - each person's newest newly stored fix claims the slot of each of their open emergencies that has viewers:
 *   only when it is newer than the last fix published for it and at least `minIntervalMs` (database clock, one
 *   for every replica) after that one went out. The claim is the row update, so two replicas cannot both
 *   publish one emergency's slot; it commits with the outbox row, or neither does.
 * Rows without an emergency id are the inserted fixes; rows with one are the claims.
 */
export async function lockInsertAndClaim(tx: Sql, fixes: readonly PersonPosition[], minIntervalMs: number): Promise<Stored> {
  const people = [...new Set(fixes.map((f) => f.personId))];
  const col = <K extends keyof Position>(key: K) => fixes.map((f) => f.position[key]);
  const rows = await tx.$queryRaw<Array<{ person_id: string; recorded_at: Date; emergency_id: string | null; viewers: string[] | null }>>`
    WITH locked AS MATERIALIZED (
      SELECT count(pg_advisory_xact_lock(${PERSON_LOCK_CLASS}::int, h)) AS n
      FROM (SELECT DISTINCT hashtext(p) AS h FROM unnest(${people}::text[]) AS p ORDER BY 1) AS ordered),
    inserted AS (
      INSERT INTO positions (person_id, recorded_at, lat, lon, accuracy_m, altitude_m, speed_mps, heading_deg, battery_pct, source)
      SELECT f.* FROM locked, unnest(
        ${fixes.map((f) => f.personId)}::varchar[], ${col('recordedAt')}::timestamptz[], ${col('lat')}::float8[], ${col('lon')}::float8[],
        ${col('accuracyM')}::real[], ${col('altitudeM')}::real[], ${col('speedMps')}::real[], ${col('headingDeg')}::real[],
        ${col('batteryPct')}::smallint[], ${col('source')}::varchar[]) AS f
      WHERE locked.n >= 0
      ON CONFLICT DO NOTHING
      RETURNING person_id, recorded_at),
    newest AS (SELECT person_id, max(recorded_at) AS recorded_at FROM inserted GROUP BY person_id),
    claimed AS (
      UPDATE live_emergencies e
      SET last_published_at = clock_timestamp(), last_published_recorded_at = n.recorded_at
      FROM newest n
      WHERE e.person_id = n.person_id AND e.closed_at IS NULL
        AND (e.last_published_recorded_at IS NULL OR e.last_published_recorded_at < n.recorded_at)
        AND (e.last_published_at IS NULL OR e.last_published_at <= clock_timestamp() - make_interval(secs => ${minIntervalMs / 1000}::float8))
        AND EXISTS (SELECT 1 FROM live_emergency_viewers v WHERE v.emergency_id = e.emergency_id)
      RETURNING e.person_id, n.recorded_at, e.emergency_id::text AS emergency_id,
        ARRAY(SELECT v.user_id FROM live_emergency_viewers v WHERE v.emergency_id = e.emergency_id ORDER BY v.added_at, v.user_id LIMIT ${MAX_VIEWERS}) AS viewers)
    SELECT person_id, recorded_at, NULL AS emergency_id, NULL::varchar[] AS viewers FROM inserted
    UNION ALL
    SELECT person_id, recorded_at, emergency_id, viewers FROM claimed`;
  const stored: Stored = { inserted: new Set(), claims: [] };
  for (const r of rows) {
    const recordedAt = r.recorded_at.toISOString();
    if (r.emergency_id === null) stored.inserted.add(fixKey(r.person_id, recordedAt));
    else stored.claims.push({ personId: r.person_id, recordedAt, emergencyId: r.emergency_id, viewers: r.viewers ?? [] });
  }
  return stored;
}

export interface FencesOfPerson {
  fences: Geofence[];
  states: Map<string, FenceState>;
}

/**
 * The active fences of these people with their states. Read under the person locks lockAndInsert took, which
 * every writer of a person's states (ingestion, fence changes) holds, so the states are the committed truth.
 */
export async function activeFencesOf(tx: Sql, personIds: readonly string[]): Promise<Map<string, FencesOfPerson>> {
  const rows = await tx.$queryRaw<Array<GeofenceRow & { inside: boolean | null; last_recorded_at: Date | null }>>`
    SELECT g.*, s.inside, s.last_recorded_at
    FROM geofences g LEFT JOIN geofence_states s ON s.person_id = g.person_id AND s.geofence_id = g.id
    WHERE g.person_id = ANY(${[...personIds]}::varchar[]) AND g.active
    ORDER BY g.person_id, g.created_at, g.id`;
  const byPerson = new Map<string, FencesOfPerson>();
  for (const row of rows) {
    let entry = byPerson.get(row.person_id);
    if (entry === undefined) byPerson.set(row.person_id, (entry = { fences: [], states: new Map() }));
    const fence = geofenceOf(row);
    entry.fences.push(fence);
    if (row.inside !== null && row.last_recorded_at !== null) {
      entry.states.set(fence.id, { geofenceId: fence.id, inside: row.inside, lastRecordedAt: row.last_recorded_at.toISOString() });
    }
  }
  return byPerson;
}

export interface PersonFenceState extends FenceState {
  personId: string;
}

/** The moved fence states and the group's outbox rows (crossings, live positions) in one statement. */
export async function saveStatesAndEvents(tx: Sql, states: readonly PersonFenceState[], entries: readonly OutboxEntry[], changedAt: string): Promise<void> {
  if (states.length === 0 && entries.length === 0) return;
  await tx.$executeRaw`
    WITH saved AS (
      INSERT INTO geofence_states (person_id, geofence_id, inside, last_recorded_at, changed_at)
      SELECT s.*, ${changedAt}::timestamptz FROM unnest(${states.map((s) => s.personId)}::varchar[], ${states.map((s) => s.geofenceId)}::uuid[],
             ${states.map((s) => s.inside)}::boolean[], ${states.map((s) => s.lastRecordedAt)}::timestamptz[]) AS s
      ON CONFLICT (person_id, geofence_id) DO UPDATE
        SET inside = EXCLUDED.inside, last_recorded_at = EXCLUDED.last_recorded_at, changed_at = EXCLUDED.changed_at
      RETURNING 1)
    INSERT INTO outbox (id, topic, type, payload)
    SELECT o.id, o.topic, o.type, o.payload FROM unnest(${entries.map((e) => e.id)}::uuid[], ${entries.map((e) => e.topic)}::varchar[], ${entries.map((e) => e.type)}::varchar[],
           ${entries.map((e) => JSON.stringify(e.payload))}::jsonb[]) WITH ORDINALITY AS o(id, topic, type, payload, ord)
    ORDER BY o.ord
    ON CONFLICT (id) DO NOTHING`;
}
