import { COMMON_PROBLEMS, JSON_CONTENT, openApiDocument, pathParameters, problemCatalog, queryParameters, responses, schemaRef, type JsonSchema } from '@lifeline/kit';
import { createGeofenceBody, geofenceIdParams, geofenceListSchema, geofenceSchema, listGeofencesQuery, patchGeofenceBody } from './geofence-input.ts';
import {
  batchPositionsBody,
  historyPageSchema,
  historyQuery,
  nearbyQuery,
  nearbySchema,
  personParams,
  positionSchema,
  recordedSchema,
  singlePositionBody,
  trailQuery,
  trailSchema,
} from './position-input.ts';

/** Under the app's name, so the gateway's /api/v1/location/openapi.json reaches it. */
export const OPENAPI_PATH = '/location/openapi.json';

const only = problemCatalog({
  ...COMMON_PROBLEMS,
  400: 'Invalid input (validation-error with every bad field, for a batch with each bad entry\'s index; malformed-json). Nothing was stored.',
  403: 'The caller may not act for this person.',
  404: 'No such person data or geofence, or none the caller may see (person-not-found, geofence-not-found).',
  415: 'The body is not JSON.',
  422: 'Well-formed but unacceptable: too-many-geofences.',
  503: 'The positions are stored but the latest position could not be updated (latest-unavailable): send the same request again.',
});

const json = (description: string, schema: string) => ({ description, content: JSON_CONTENT(schemaRef(schema)) });
const body = (schema: string) => ({ required: true, content: JSON_CONTENT(schemaRef(schema)) });
const PERSON = pathParameters(personParams.shape);
const FENCE = pathParameters(geofenceIdParams.shape);

/** The OpenAPI 3.1 document of the location API, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(): JsonSchema {
  return openApiDocument({
    title: 'Lifeline location API',
    description:
      'Position ingestion (single and batches of one person\'s buffered fixes), latest position, nearby people the caller may see, 7-day raw history, 90-day trail, and geofences whose crossings publish geofence-events.',
    documentPath: OPENAPI_PATH,
    securityDescription: 'Roles user, caregiver (care claim: people cared for) or admin. Admin acts for anyone but sees nobody nearby.',
    schemas: {
      output: { Position: positionSchema, Recorded: recordedSchema, HistoryPage: historyPageSchema, Trail: trailSchema, Nearby: nearbySchema, Geofence: geofenceSchema, GeofenceList: geofenceListSchema },
      input: { NewPosition: singlePositionBody, PositionBatch: batchPositionsBody, NewGeofence: createGeofenceBody, GeofencePatch: patchGeofenceBody },
    },
    paths: {
      '/location/positions': {
        post: {
          summary: 'Report one position',
          operationId: 'recordPosition',
          description: 'Acknowledged once durable. The same (person, recordedAt) again is accepted once (duplicates: 1).',
          requestBody: body('NewPosition'),
          responses: responses({ 200: json('Stored (or already stored).', 'Recorded') }, only(400, 401, 403, 415, 503)),
        },
      },
      '/location/positions/batch': {
        post: {
          summary: 'Report a batch of one person\'s positions',
          operationId: 'recordPositions',
          description: 'Up to 500 fixes in any order; evaluated against the fences in recordedAt order. One bad entry refuses the whole batch (400, each bad entry listed), nothing stored.',
          requestBody: body('PositionBatch'),
          responses: responses({ 200: json('Stored.', 'Recorded') }, only(400, 401, 403, 415, 503)),
        },
      },
      '/location/people/{id}/latest': {
        get: { summary: 'Latest position', operationId: 'getLatest', parameters: PERSON, responses: responses({ 200: json('The newest fix by recordedAt.', 'Position') }, only(400, 401, 404)) },
      },
      '/location/people/{id}/history': {
        get: {
          summary: 'Raw positions (last 7 days)',
          operationId: 'getHistory',
          parameters: [...PERSON, ...queryParameters(historyQuery.shape)],
          responses: responses({ 200: json('Oldest first.', 'HistoryPage') }, only(400, 401, 404)),
        },
      },
      '/location/people/{id}/trail': {
        get: {
          summary: 'Downsampled trail (last 90 days)',
          operationId: 'getTrail',
          parameters: [...PERSON, ...queryParameters(trailQuery.shape)],
          responses: responses({ 200: json('One point per bucket, oldest first; the last minute or two may still be missing.', 'Trail') }, only(400, 401, 404)),
        },
      },
      '/location/nearby': {
        get: {
          summary: 'People near a point whom the caller may see',
          operationId: 'getNearby',
          parameters: queryParameters(nearbyQuery.shape),
          responses: responses({ 200: json('Nearest first.', 'Nearby') }, only(400, 401)),
        },
      },
      '/location/geofences': {
        post: {
          summary: 'Draw a geofence',
          operationId: 'createGeofence',
          requestBody: body('NewGeofence'),
          responses: responses({ 201: { ...json('Created.', 'Geofence'), headers: { Location: { description: 'The new fence.', schema: { type: 'string' } } } } }, only(400, 401, 403, 415, 422)),
        },
        get: {
          summary: 'A person\'s geofences',
          operationId: 'listGeofences',
          parameters: queryParameters(listGeofencesQuery.shape),
          responses: responses({ 200: json('Oldest first; empty for a person the caller may not see.', 'GeofenceList') }, only(400, 401)),
        },
      },
      '/location/geofences/{id}': {
        get: { summary: 'Read a geofence', operationId: 'getGeofence', parameters: FENCE, responses: responses({ 200: json('The fence.', 'Geofence') }, only(400, 401, 404)) },
        patch: {
          summary: 'Change a geofence',
          operationId: 'updateGeofence',
          description: 'A new shape, or switching it off, starts the fence over: the next certain point is a baseline, not a crossing.',
          parameters: FENCE,
          requestBody: body('GeofencePatch'),
          responses: responses({ 200: json('The changed fence.', 'Geofence') }, only(400, 401, 404, 415, 422)),
        },
        delete: { summary: 'Delete a geofence', operationId: 'deleteGeofence', parameters: FENCE, responses: responses({ 204: { description: 'Deleted.' } }, only(400, 401, 404)) },
      },
    },
  });
}
