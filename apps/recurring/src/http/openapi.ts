import { z } from 'zod';
import { seriesStateSchema } from '@lifeline/contracts';
import {
  COMMON_PROBLEMS,
  IDEMPOTENT_REPLAYED_HEADER,
  JSON_CONTENT,
  entityTagHeader,
  entityTagListSchema,
  headerParameter,
  idempotencyKeyHeader,
  openApiDocument,
  pathParameters,
  problemCatalog,
  queryParameters,
  responses,
  schemaRef,
  type JsonSchema,
} from '@lifeline/kit';
import type { SeriesPage } from '../domain/list-series.ts';
import type { OccurrencePage } from '../domain/preview-occurrences.ts';
import { createSeriesBody, listSeriesQuery, occurrencesQuery, patchSeriesBody, seriesIdParams } from './series-input.ts';

/** Under the app's name, so the gateway's /api/v1/recurring/openapi.json reaches it. */
export const OPENAPI_PATH = '/recurring/openapi.json';

// What the routes send; typed against the use cases' results so the two cannot drift apart.
const seriesPageSchema: z.ZodType<SeriesPage> = z.strictObject({
  items: z.array(seriesStateSchema),
  next: z.uuid().nullable().describe('Pass as `after` for the next page; null on the last page.'),
});

const occurrencePageSchema: z.ZodType<OccurrencePage> = z.strictObject({
  items: z.array(
    z.strictObject({
      dueAt: z.iso.datetime().describe('The occurrence in UTC.'),
      localDueAt: z.iso.datetime({ offset: true }).describe("The same instant as wall-clock time in the series' zone, with its offset."),
      instance: z
        .strictObject({
          taskId: z.uuid().nullable(),
          state: z.enum(['pending', 'open', 'done', 'detached', 'superseded', 'cancelled', 'released']),
        })
        .nullable()
        .describe('The instance made for this occurrence, if any.'),
    }),
  ),
  truncated: z.boolean().describe('More occurrences lie in the range than limit.'),
});

const only = problemCatalog({
  ...COMMON_PROBLEMS,
  400: 'Invalid input: body, parameters, headers or If-Match (validation-error, malformed-json, invalid-if-match, invalid-cursor).',
  403: 'The caller may not act for this person.',
  404: 'No such series, or not one the caller may see (series-not-found).',
  409: 'The series has ended (series-ended); create a new one.',
  412: 'The series changed since the version the request was based on (version-conflict, with currentVersion and the current ETag); nothing was changed.',
  415: 'The body is not JSON.',
  422: 'Well-formed but unacceptable: invalid-recurrence, recurrence-without-occurrence, recurrence-too-complex, idempotency-key-reuse.',
  503: 'Recurrence rules cannot be evaluated right now; retry shortly (Retry-After).',
});

const ETAG_HEADER = entityTagHeader('The series version as a strong entity tag: "<version>". Send it back in If-Match.');
const SERIES_RESPONSE = (description: string) => ({ description, headers: { ETag: ETAG_HEADER }, content: JSON_CONTENT(schemaRef('Series')) });
const ID = pathParameters(seriesIdParams.shape);
const IF_MATCH = headerParameter('If-Match', entityTagListSchema, { description: 'Optional ETag the change is based on, e.g. "3"; stale -> 412.' });

/** The OpenAPI 3.1 document of the recurring API, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(): JsonSchema {
  return openApiDocument({
    title: 'Lifeline recurring API',
    description:
      'Recurring task series (RFC 5545 rules with TZID) whose instances are created as real tasks ahead of time. Writes publish recurring-task-events (series.created, series.updated, series.ended, instances.generated) through a transactional outbox.',
    documentPath: OPENAPI_PATH,
    securityDescription: 'Roles user, caregiver (care claim: people cared for) or admin.',
    schemas: {
      output: { Series: seriesStateSchema, SeriesPage: seriesPageSchema, OccurrencePage: occurrencePageSchema },
      input: { CreateSeries: createSeriesBody, PatchSeries: patchSeriesBody },
    },
    paths: {
      '/recurring/series': {
        post: {
          summary: 'Create a series',
          operationId: 'createSeries',
          parameters: [headerParameter('Idempotency-Key', idempotencyKeyHeader)],
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('CreateSeries')) },
          responses: responses(
            {
              201: {
                description: 'Created (or, with a repeated Idempotency-Key, the first answer replayed). Instances follow asynchronously.',
                headers: {
                  Location: { description: 'The new series.', schema: { type: 'string' } },
                  ETag: ETAG_HEADER,
                  [IDEMPOTENT_REPLAYED_HEADER]: { description: '"true" when this answer is a replay.', schema: { type: 'string', enum: ['true'] } },
                },
                content: JSON_CONTENT(schemaRef('Series')),
              },
            },
            only(400, 401, 403, 415, 422, 503),
          ),
        },
        get: {
          summary: 'List the series of one person, oldest first',
          operationId: 'listSeries',
          parameters: queryParameters(listSeriesQuery.shape),
          responses: responses({ 200: { description: 'One page.', content: JSON_CONTENT(schemaRef('SeriesPage')) } }, only(400, 401, 403)),
        },
      },
      '/recurring/series/{id}': {
        get: {
          summary: 'Read a series',
          operationId: 'getSeries',
          parameters: ID,
          responses: responses({ 200: SERIES_RESPONSE('The series.') }, only(400, 401, 404)),
        },
        patch: {
          summary: 'Change a series',
          operationId: 'updateSeries',
          description:
            'Absent fields stay, null clears a clearable one. Future instances nobody started are replaced by ones of the new template. If-Match or version in the body (optional) guard against lost updates; when both are sent they must agree.',
          parameters: [...ID, IF_MATCH],
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('PatchSeries')) },
          responses: responses({ 200: SERIES_RESPONSE('The changed series.') }, only(400, 401, 404, 409, 412, 415, 422, 503)),
        },
        delete: {
          summary: 'End a series',
          operationId: 'deleteSeries',
          description: 'Ends the series and cancels its future instances that nobody started.',
          parameters: [...ID, IF_MATCH],
          responses: responses({ 204: { description: 'Ended.' } }, only(400, 401, 404, 412)),
        },
      },
      '/recurring/series/{id}/occurrences': {
        get: {
          summary: "Preview the rule's occurrences in a range, beside the instances made for them",
          operationId: 'previewOccurrences',
          parameters: [...ID, ...queryParameters(occurrencesQuery.shape)],
          responses: responses({ 200: { description: 'Occurrences in [from, to).', content: JSON_CONTENT(schemaRef('OccurrencePage')) } }, only(400, 401, 404, 422, 503)),
        },
      },
    },
  });
}
