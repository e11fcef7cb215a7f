import { Router } from 'express';
import { HttpProblem, serveOpenApi, type Auth } from '@lifeline/kit';
import { LIVE_PATH } from '../live/websocket-server.ts';
import { buildOpenApiDocument } from './openapi.ts';

const NOTIFICATION_PREFIX = '/notification';

/**
 * The contract (public, no token) and what a plain GET of the WebSocket path answers: upgrades never reach
 * express (the server's upgrade handler takes them), so a request here is one that forgot to upgrade.
 */
export function openApiRoutes(auth: Auth): Router {
  const router = Router();
  router.get('/openapi.json', serveOpenApi(buildOpenApiDocument()));
  // The token first, as the upgrade handler checks it: without one the answer is 401 either way.
  router.get(LIVE_PATH.slice(NOTIFICATION_PREFIX.length), auth.requireAuth(), () => {
    throw new HttpProblem({
      status: 426,
      type: 'upgrade-required',
      title: 'Upgrade Required',
      detail: `${LIVE_PATH} speaks WebSocket: send Connection: Upgrade and Upgrade: websocket.`,
      headers: { Upgrade: 'websocket' },
    });
  });
  return router;
}
