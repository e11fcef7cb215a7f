import type { FenceShape } from '../domain/geometry/shape.ts';
import type { Geofence } from '../domain/geofence.ts';
import type { Sql } from './db.ts';

export interface GeofenceRow {
  id: string;
  person_id: string;
  name: string;
  active: boolean;
  shape: FenceShape;
  notify: string[];
  version: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export function geofenceOf(r: GeofenceRow): Geofence {
  return {
    id: r.id,
    personId: r.person_id,
    name: r.name,
    active: r.active,
    shape: r.shape,
    notify: r.notify,
    version: r.version,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function insertGeofence(db: Sql, g: Geofence): Promise<void> {
  await db.$executeRaw`
    INSERT INTO geofences (id, person_id, name, active, shape, notify, version, created_by, created_at, updated_at)
    VALUES (${g.id}::uuid, ${g.personId}, ${g.name}, ${g.active}, ${JSON.stringify(g.shape)}::jsonb, ${g.notify}::text[], ${g.version},
            ${g.createdBy}, ${g.createdAt}::timestamptz, ${g.updatedAt}::timestamptz)`;
}

export async function updateGeofence(db: Sql, g: Geofence): Promise<void> {
  await db.$executeRaw`
    UPDATE geofences SET name = ${g.name}, active = ${g.active}, shape = ${JSON.stringify(g.shape)}::jsonb, notify = ${g.notify}::text[],
           version = ${g.version}, updated_at = ${g.updatedAt}::timestamptz
    WHERE id = ${g.id}::uuid`;
}

export async function deleteGeofence(db: Sql, id: string): Promise<void> {
  await db.$executeRaw`DELETE FROM geofences WHERE id = ${id}::uuid`;
}

/** The fence, locked for the rest of the transaction when `forUpdate`. */
export async function findGeofence(db: Sql, id: string, forUpdate = false): Promise<Geofence | undefined> {
  const rows = forUpdate
    ? await db.$queryRaw<GeofenceRow[]>`SELECT * FROM geofences WHERE id = ${id}::uuid FOR UPDATE`
    : await db.$queryRaw<GeofenceRow[]>`SELECT * FROM geofences WHERE id = ${id}::uuid`;
  return rows[0] === undefined ? undefined : geofenceOf(rows[0]);
}

export async function geofencesOf(db: Sql, personId: string, onlyActive = false): Promise<Geofence[]> {
  const rows = await db.$queryRaw<GeofenceRow[]>`
    SELECT * FROM geofences WHERE person_id = ${personId} AND (active OR NOT ${onlyActive}::boolean)
    ORDER BY created_at, id`;
  return rows.map(geofenceOf);
}

export async function countActiveGeofences(db: Sql, personId: string): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM geofences WHERE person_id = ${personId} AND active`;
  return row?.n ?? 0;
}

/** A fence whose shape changed or that was switched off starts over: its old side says nothing about the new shape. */
export async function forgetFenceStates(db: Sql, geofenceId: string): Promise<void> {
  await db.$executeRaw`DELETE FROM geofence_states WHERE geofence_id = ${geofenceId}::uuid`;
}
