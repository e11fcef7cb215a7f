import { Router } from 'express';
import { getAuth, requireJsonBody, type Auth, type Role } from '@lifeline/kit';
import { latestFor, historyFor, nearbyFor, trailFor } from '../domain/read-positions.ts';
import { nowOf, type LocationDeps } from '../domain/location-deps.ts';
import { recordPositions } from '../domain/record-positions.ts';
import { batchPositionsBody, historyQuery, nearbyQuery, personParams, singlePositionBody, TRAIL_BUCKETS, trailQuery } from './position-input.ts';
import { assertRecordedWindow } from './recorded-window.ts';

export const LOCATION_ROLES: readonly Role[] = ['user', 'caregiver', 'admin'];

export function locationRoutes(opts: { auth: Auth; deps: LocationDeps }): Router {
  const { auth, deps } = opts;
  const router = Router();
  const member = auth.requireAuth(LOCATION_ROLES);

  router.post('/location/positions', member, requireJsonBody(), async (req, res) => {
    const { personId, ...position } = singlePositionBody.parse(req.body);
    assertRecordedWindow([position], nowOf(deps), () => []);
    const caller = getAuth(req);
    res.status(200).json(await recordPositions(deps, caller, personId ?? caller.userId, [position]));
  });

  router.post('/location/positions/batch', member, requireJsonBody(), async (req, res) => {
    const { personId, positions } = batchPositionsBody.parse(req.body);
    assertRecordedWindow(positions, nowOf(deps), (i) => ['positions', i]);
    const caller = getAuth(req);
    res.status(200).json(await recordPositions(deps, caller, personId ?? caller.userId, positions));
  });

  router.get('/location/people/:id/latest', member, async (req, res) => {
    const { id } = personParams.parse(req.params);
    res.json(await latestFor(deps, getAuth(req), id));
  });

  router.get('/location/people/:id/history', member, async (req, res) => {
    const { id } = personParams.parse(req.params);
    const { limit, ...window } = historyQuery.parse(req.query);
    res.json(await historyFor(deps, getAuth(req), id, window, limit));
  });

  router.get('/location/people/:id/trail', member, async (req, res) => {
    const { id } = personParams.parse(req.params);
    const { limit, bucket, ...window } = trailQuery.parse(req.query);
    res.json({ items: await trailFor(deps, getAuth(req), id, window, TRAIL_BUCKETS[bucket], limit) });
  });

  router.get('/location/nearby', member, async (req, res) => {
    const { lat, lon, radiusM, limit } = nearbyQuery.parse(req.query);
    res.json({ items: await nearbyFor(deps, getAuth(req), { lat, lon }, radiusM, limit) });
  });

  return router;
}
