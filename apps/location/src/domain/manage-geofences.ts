import { randomUUID } from 'node:crypto';
import { canActFor, forbidden, notFound, unprocessable, type AuthContext, type HttpProblem } from '@lifeline/kit';
import {
  countActiveGeofences,
  deleteGeofence,
  findGeofence,
  forgetFenceStates,
  geofencesOf,
  insertGeofence,
  updateGeofence,
} from '../data/geofence-repository.ts';
import type { Sql } from '../data/db.ts';
import { lockPerson } from '../data/person-lock.ts';
import type { FenceShape } from './geometry/shape.ts';
import type { Geofence } from './geofence.ts';
import { nowOf, type LocationDeps } from './location-deps.ts';

export function geofenceNotFound(id: string): HttpProblem {
  return notFound(`Geofence ${id} was not found.`, { type: 'geofence-not-found' });
}

export interface NewGeofence {
  personId?: string | undefined;
  name: string;
  active: boolean;
  shape: FenceShape;
  notify?: string[] | undefined;
}

export type GeofencePatch = Partial<Omit<NewGeofence, 'personId'>>;

/** A caregiver drawing a fence for someone wants to hear about it: they are told unless they list others. */
function notifyList(caller: AuthContext, personId: string, notify: string[] | undefined): string[] {
  const list = notify ?? (caller.userId !== personId && caller.roles.includes('caregiver') ? [caller.userId] : []);
  return [...new Set(list)].filter((id) => id !== personId);
}

async function assertRoomForActive(deps: LocationDeps, tx: Sql, personId: string): Promise<void> {
  if ((await countActiveGeofences(tx, personId)) >= deps.maxFencesPerPerson) {
    throw unprocessable(`A person has at most ${deps.maxFencesPerPerson} active geofences; deactivate or delete one first.`, { type: 'too-many-geofences' });
  }
}

export async function createGeofence(deps: LocationDeps, caller: AuthContext, input: NewGeofence): Promise<Geofence> {
  const personId = input.personId ?? caller.userId;
  if (!canActFor(caller, personId)) throw forbidden('You may draw geofences only for yourself or for the people you care for.');
  const now = nowOf(deps).toISOString();
  const fence: Geofence = {
    id: randomUUID(),
    personId,
    name: input.name,
    active: input.active,
    shape: input.shape,
    notify: notifyList(caller, personId, input.notify),
    version: 1,
    createdBy: caller.userId,
    createdAt: now,
    updatedAt: now,
  };
  return deps.sql.$transaction(async (tx) => {
    // The same lock as ingestion: the count check cannot race another create, nor a fence appear mid-evaluation.
    await lockPerson(tx, personId);
    if (fence.active) await assertRoomForActive(deps, tx, personId);
    await insertGeofence(tx, fence);
    return fence;
  });
}

export async function listGeofences(deps: LocationDeps, caller: AuthContext, personId: string): Promise<Geofence[]> {
  if (!canActFor(caller, personId)) return [];
  return geofencesOf(deps.sql, personId);
}

export async function getGeofence(deps: LocationDeps, caller: AuthContext, id: string): Promise<Geofence> {
  const fence = await findGeofence(deps.sql, id);
  if (fence === undefined || !canActFor(caller, fence.personId)) throw geofenceNotFound(id);
  return fence;
}

/**
 * A changed shape or a switch-off forgets the fence's state: the side the person was on says nothing about
 * the new shape, so the next certain point is a fresh baseline (no event), never a spurious crossing.
 */
export async function changeGeofence(deps: LocationDeps, caller: AuthContext, id: string, patch: GeofencePatch): Promise<Geofence> {
  return deps.sql.$transaction(async (tx) => {
    const current = await findGeofence(tx, id);
    if (current === undefined || !canActFor(caller, current.personId)) throw geofenceNotFound(id);
    await lockPerson(tx, current.personId);
    const locked = await findGeofence(tx, id, true);
    if (locked === undefined) throw geofenceNotFound(id);
    const next: Geofence = {
      ...locked,
      name: patch.name ?? locked.name,
      active: patch.active ?? locked.active,
      shape: patch.shape ?? locked.shape,
      notify: patch.notify === undefined ? locked.notify : notifyList(caller, locked.personId, patch.notify),
      version: locked.version + 1,
      updatedAt: nowOf(deps).toISOString(),
    };
    if (next.active && !locked.active) await assertRoomForActive(deps, tx, locked.personId);
    await updateGeofence(tx, next);
    if (patch.shape !== undefined || !next.active) await forgetFenceStates(tx, id);
    return next;
  });
}

export async function removeGeofence(deps: LocationDeps, caller: AuthContext, id: string): Promise<void> {
  await deps.sql.$transaction(async (tx) => {
    const fence = await findGeofence(tx, id, true);
    if (fence === undefined || !canActFor(caller, fence.personId)) throw geofenceNotFound(id);
    await deleteGeofence(tx, id);
  });
}
