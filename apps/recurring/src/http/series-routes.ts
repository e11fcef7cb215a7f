import { Router } from 'express';
import type { Response } from 'express';
import type { SeriesState } from '@lifeline/contracts';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  answerUnknownMethods,
  entityTag,
  getAuth,
  idempotencyKeyOf,
  optionalVersion,
  requestHash,
  requireJsonBody,
  serveOpenApi,
  validationProblem,
  type Auth,
  type Role,
} from '@lifeline/kit';
import { createSeries } from '../domain/create-series.ts';
import { deleteSeries } from '../domain/delete-series.ts';
import { listSeries } from '../domain/list-series.ts';
import { previewOccurrences } from '../domain/preview-occurrences.ts';
import { horizonEnd, nowOf, type RecurringDeps } from '../domain/recurring-deps.ts';
import { readableSeries } from '../domain/series-access.ts';
import { updateSeries } from '../domain/update-series.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { createSeriesBody, listSeriesQuery, occurrencesQuery, patchSeriesBody, seriesIdParams } from './series-input.ts';

const SERIES_ROLES: readonly Role[] = ['user', 'caregiver', 'admin'];

/** The version is the entity tag: later writes may send it back in If-Match. */
function sendSeries(res: Response, status: number, series: SeriesState): void {
  res.status(status).set('ETag', entityTag(series.version)).json(series);
}

export function seriesRoutes(opts: { auth: Auth; deps: RecurringDeps }): Router {
  const { auth, deps } = opts;
  const router = Router();
  const member = auth.requireAuth(SERIES_ROLES);

  // OPENAPI_PATH once mounted under /recurring; without a token: the contract is public.
  router.get('/openapi.json', serveOpenApi(buildOpenApiDocument()));

  router.post('/series', member, requireJsonBody(), async (req, res) => {
    const key = idempotencyKeyOf(req);
    const input = createSeriesBody.parse(req.body);
    const idempotency = key === undefined ? undefined : { key, requestHash: requestHash('POST /recurring/series', req.body) };
    const { series, replayed } = await createSeries(deps, getAuth(req), input, idempotency);
    res.location(`/recurring/series/${series.id}`);
    if (replayed) res.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
    sendSeries(res, 201, series);
  });

  router.get('/series', member, async (req, res) => {
    const query = listSeriesQuery.parse(req.query);
    const page = await listSeries(deps, getAuth(req), query);
    res.json({ items: page.items, next: page.next });
  });

  router.get('/series/:id', member, async (req, res) => {
    const { id } = seriesIdParams.parse(req.params);
    sendSeries(res, 200, await readableSeries(deps.prisma, getAuth(req), id));
  });

  router.get('/series/:id/occurrences', member, async (req, res) => {
    const { id } = seriesIdParams.parse(req.params);
    const query = occurrencesQuery.parse(req.query);
    const from = query.from ?? nowOf(deps);
    const to = query.to ?? horizonEnd(deps, from);
    if (to <= from) throw validationProblem([{ path: ['to'], message: 'must be after from (now when from is absent)' }], 'The range is empty.');
    res.json(await previewOccurrences(deps, getAuth(req), id, { from, to, limit: query.limit }));
  });

  router.patch('/series/:id', member, requireJsonBody(), async (req, res) => {
    const { id } = seriesIdParams.parse(req.params);
    const { version, ...patch } = patchSeriesBody.parse(req.body);
    sendSeries(res, 200, await updateSeries(deps, getAuth(req), id, patch, optionalVersion(req, version)));
  });

  router.delete('/series/:id', member, async (req, res) => {
    const { id } = seriesIdParams.parse(req.params);
    await deleteSeries(deps, getAuth(req), id, optionalVersion(req));
    res.status(204).end();
  });

  return answerUnknownMethods(router);
}
