import { Router } from 'express';
import { appTokenCheck, type Logger } from '@lifeline/kit';
import type { LocationDeps } from '../domain/location-deps.ts';
import { latestPosition, personNotFound, trackSince } from '../domain/read-positions.ts';
import { personParams, trackQuery } from './position-input.ts';

/** Service invocation paths (daprd of the location app calls them with the app API token); the gateway only reaches /location/... */
export const INTERNAL_PREFIX = '/internal';

/**
 * Questions the emergency app asks through its sidecar: where is the person now, and where were they since T.
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

  return router;
}
