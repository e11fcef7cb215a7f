import { Router } from 'express';
import { getAuth, requireJsonBody, type Auth } from '@lifeline/kit';
import type { LocationDeps } from '../domain/location-deps.ts';
import { changeGeofence, createGeofence, getGeofence, listGeofences, removeGeofence } from '../domain/manage-geofences.ts';
import { createGeofenceBody, geofenceIdParams, listGeofencesQuery, patchGeofenceBody } from './geofence-input.ts';
import { LOCATION_ROLES } from './location-routes.ts';

export function geofenceRoutes(opts: { auth: Auth; deps: LocationDeps }): Router {
  const { auth, deps } = opts;
  const router = Router();
  const member = auth.requireAuth(LOCATION_ROLES);

  router.post('/location/geofences', member, requireJsonBody(), async (req, res) => {
    const fence = await createGeofence(deps, getAuth(req), createGeofenceBody.parse(req.body));
    res.status(201).location(`/location/geofences/${fence.id}`).json(fence);
  });

  router.get('/location/geofences', member, async (req, res) => {
    const caller = getAuth(req);
    const { personId } = listGeofencesQuery.parse(req.query);
    res.json({ items: await listGeofences(deps, caller, personId ?? caller.userId) });
  });

  router.get('/location/geofences/:id', member, async (req, res) => {
    const { id } = geofenceIdParams.parse(req.params);
    res.json(await getGeofence(deps, getAuth(req), id));
  });

  router.patch('/location/geofences/:id', member, requireJsonBody(), async (req, res) => {
    const { id } = geofenceIdParams.parse(req.params);
    res.json(await changeGeofence(deps, getAuth(req), id, patchGeofenceBody.parse(req.body)));
  });

  router.delete('/location/geofences/:id', member, async (req, res) => {
    const { id } = geofenceIdParams.parse(req.params);
    await removeGeofence(deps, getAuth(req), id);
    res.status(204).end();
  });

  return router;
}
