import { z } from 'zod';
import {
  COMMON_PROBLEMS,
  JSON_CONTENT,
  openApiDocument,
  pathParameters,
  problemCatalog,
  queryParameters,
  responses,
  schemaRef,
  type JsonSchema,
} from '@lifeline/kit';
import type { VerifyReport } from '../domain/verify-trail.ts';
import type { AuditEventJson } from './audit-event-json.ts';
import { CSV_HEADER } from './csv.ts';
import { auditEventsQuery, deadLettersQuery, entityHistoryQuery, entityPath, exportQuery, userActivityQuery, userPath, verifyQuery } from './audit-query.ts';

/** Under the app's name, so the gateway's /api/v1/audit/openapi.json reaches it. */
export const OPENAPI_PATH = '/audit/openapi.json';

const instant = z.iso.datetime();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

// What the routes send; typed against the route's own types so the two cannot drift apart.
const auditEventSchema: z.ZodType<AuditEventJson> = z.strictObject({
  eventId: z.uuid(),
  occurredAt: instant,
  recordedAt: instant,
  sourceApp: z.string(),
  eventType: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  actorId: z.string(),
  actorKind: z.string(),
  before: z.json().nullable().describe('State before the change; null for creations and facts without state.'),
  after: z.json().nullable().describe('State after the change or, for a fact without before/after state, its data.'),
  changedFields: z.array(z.string()),
  metadata: z.record(z.string(), z.json()),
  traceId: z.string().nullable(),
  chainId: z.int().describe('The hash chain the row is on (-1: recorded before chains existed).'),
  chainSeq: z.int(),
  prevHash: z.string(),
  hash: z.string(),
});

const eventPageSchema = z.strictObject({
  items: z.array(auditEventSchema),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page, with the same filters; null on the last page.'),
});

const deadLetterPageSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      id: z.uuid(),
      topic: z.string().describe('The topic the message was first published to, e.g. "task-events".'),
      deadLetterTopic: z.string(),
      receivedAt: instant,
      cloudEventId: z.string(),
      cloudEventType: z.string().nullable(),
      cloudEventSource: z.string().nullable(),
      payload: z.json().nullable(),
      reason: z.string().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const BROKEN_REASONS = [
  'hash-mismatch',
  'prev-hash-mismatch',
  'missing-predecessor',
  'duplicate-seq',
  'missing-head-row',
  'head-mismatch',
  'beyond-head',
  'unknown-chain',
  'legacy-rows-changed',
] as const satisfies ReadonlyArray<NonNullable<VerifyReport['firstBroken']>['reason']>;

const verifyReportSchema: z.ZodType<VerifyReport & { from: string | null; to: string | null }> = z.strictObject({
  ok: z.boolean(),
  checked: z.int().min(0).describe('Rows whose hash and link were checked.'),
  chains: z.int().min(0),
  legacyRows: z.int().min(0).describe('Rows from before hash chains existed, checked as a whole against their seal.'),
  firstBroken: z
    .strictObject({
      chainId: z.int(),
      seq: z.int().nullable(),
      eventId: z.string().nullable(),
      expectedHash: sha256.nullable(),
      actualHash: sha256.nullable(),
      reason: z.enum(BROKEN_REASONS),
    })
    .nullable(),
  from: instant.nullable(),
  to: instant.nullable(),
});

const only = problemCatalog({
  ...COMMON_PROBLEMS,
  400: 'Invalid parameters or cursor (validation-error, invalid-cursor).',
  403: 'Only compliance officers and admins read the trail.',
  404: 'The path names no route: an id holding an encoded "/" (route-not-found).',
});

const page = (description: string, ...more: Array<404>) => responses({ 200: { description, content: JSON_CONTENT(schemaRef('AuditEventPage')) } }, only(400, 401, 403, ...more));

/** The OpenAPI 3.1 document of the audit API, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(): JsonSchema {
  return openApiDocument({
    title: 'Lifeline audit API',
    description:
      'The append-only, hash-chained trail of every domain event, oldest first by (occurredAt, eventId): queries, streamed exports, chain verification and the dead letters of every topic.',
    documentPath: OPENAPI_PATH,
    securityDescription: 'Roles compliance or admin.',
    schemas: {
      output: { AuditEvent: auditEventSchema, AuditEventPage: eventPageSchema, DeadLetterPage: deadLetterPageSchema, VerifyReport: verifyReportSchema },
    },
    paths: {
      '/audit': {
        get: { summary: 'Query the trail', operationId: 'queryAudit', parameters: queryParameters(auditEventsQuery.shape), responses: page('One page, oldest first.') },
      },
      '/audit/export': {
        get: {
          summary: 'Export a range, streamed',
          operationId: 'exportAudit',
          description: 'Every row of [from, to) as NDJSON (one AuditEvent a line) or CSV; a failure after the first byte cuts the connection rather than end a truncated file.',
          parameters: queryParameters(exportQuery.shape),
          responses: responses(
            {
              200: {
                description: 'The rows, oldest first.',
                headers: { 'Content-Disposition': { description: 'attachment; filename="audit-<from>-<to>.<format>"', schema: { type: 'string' } } },
                content: {
                  'application/x-ndjson': { schema: { type: 'string', description: 'One AuditEvent JSON object per line.' } },
                  'text/csv': { schema: { type: 'string', description: `RFC 4180 with the header ${CSV_HEADER.trim()}` } },
                },
              },
            },
            only(400, 401, 403),
          ),
        },
      },
      '/audit/verify': {
        get: {
          summary: 'Verify the hash chains',
          operationId: 'verifyAudit',
          description: 'Without a range, every chain end to end. ok is false (still 200) when a link is broken; firstBroken says where.',
          parameters: queryParameters(verifyQuery.shape),
          responses: responses({ 200: { description: 'The report.', content: JSON_CONTENT(schemaRef('VerifyReport')) } }, only(400, 401, 403)),
        },
      },
      '/audit/dead-letters': {
        get: {
          summary: 'Messages every subscriber gave up on',
          operationId: 'listDeadLetters',
          parameters: queryParameters(deadLettersQuery.shape),
          responses: responses({ 200: { description: 'One page, oldest first.', content: JSON_CONTENT(schemaRef('DeadLetterPage')) } }, only(400, 401, 403)),
        },
      },
      '/audit/user/{userId}/activity': {
        get: {
          summary: 'What one person did',
          operationId: 'userActivity',
          parameters: [...pathParameters(userPath.shape), ...queryParameters(userActivityQuery.shape)],
          responses: page('One page of the rows whose actor is the person, oldest first.', 404),
        },
      },
      '/audit/{entityType}/{entityId}': {
        get: {
          summary: 'The history of one record',
          operationId: 'entityHistory',
          parameters: [...pathParameters(entityPath.shape), ...queryParameters(entityHistoryQuery.shape)],
          responses: page('One page of the rows about the record, oldest first.', 404),
        },
      },
    },
  });
}
