import { Router } from 'express';
import { serveOpenApi } from '@lifeline/kit';
import { OPENAPI_PATH, buildOpenApiDocument } from './openapi.ts';

/** The contract, without a token; mounted before /emergencies/:id, which would take openapi.json for an id. */
export function openApiRoutes(): Router {
  const router = Router();
  router.get(OPENAPI_PATH, serveOpenApi(buildOpenApiDocument()));
  return router;
}
