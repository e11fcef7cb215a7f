import { Router } from 'express';
import { z } from 'zod';
import { appTokenCheck, requireJsonBody, type Logger } from '@lifeline/kit';
import { contactDistances, MAX_DISTANCE_USERS } from '../domain/contact-distances.ts';
import type { LocationDeps } from '../domain/location-deps.ts';
import { latestPosition, personNotFound, trackSince } from '../domain/read-positions.ts';
import { personParams, trackQuery, userId } from './position-input.ts';

/** The users a nearest-first tier would page; at most what one request may measure. */
const distancesBody = z.strictObject({ userIds: z.array(userId).min(1).max(MAX_DISTANCE_USERS) });

/** Service invocation paths (daprd of the location app calls them with the app API token); the gateway only reaches /location/... */
export const INTERNAL_PREFIX = '/internal';

/**
 * Questions the emergency app asks through its sidecar: where is the person now, where were they since T,
 * and how far are their contacts from them.
 * Only a sidecar presenting the app API token gets an answer; nothing here is routed by the gateway.
 */
export function internalRoutes(opts: { deps: LocationDeps; appApiToken: string | undefined; logger: Logger }): Router {
  const { deps } = opts;
  const router = Router();
  router.use(INTERNAL_PREFIX, appTokenCheck({ token: opts.appApiToken, logger: opts.logger }));

  router.get(`${INTERNAL_PREFIX}/people/:id/latest`, async (req, res) => {
    const { id } = personParams.parse(req.params);
    const latest = await latestPosition(deps, id);
    if (latest === undefined) throw personNotFound(id);
    res.json(latest);
  });

  router.get(`${INTERNAL_PREFIX}/people/:id/track`, async (req, res) => {
    const { id } = personParams.parse(req.params);
    const { since, limit } = trackQuery.parse(req.query);
    res.json({ items: await trackSince(deps, id, since, limit) });
  });

  // Nearest-first tiers: metres from the person to each named user (null when either position is unknown).
  router.post(`${INTERNAL_PREFIX}/people/:id/distances`, requireJsonBody(), async (req, res) => {
    const { id } = personParams.parse(req.params);
    const { userIds } = distancesBody.parse(req.body);
    res.json({ personId: id, items: await contactDistances(deps, id, userIds) });
  });

  return router;
}
