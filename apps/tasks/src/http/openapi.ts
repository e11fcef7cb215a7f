import { z } from 'zod';
import { taskStateSchema } from '@lifeline/contracts';
import { PROBLEM_TYPE_BASE } from '@lifeline/kit';
import { createTaskBody, idempotencyKeyHeader, listTasksQuery, patchTaskBody, taskIdParams, taskPageSchema } from './task-input.ts';

/**
 * The OpenAPI 3.1 document of the task API, generated from the zod schemas the routes validate with, so
 * the published contract cannot drift from what the service accepts. OpenAPI 3.1 schemas are JSON Schema
 * 2020-12, which is what zod emits.
 */

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

const REF = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** Problem details (RFC 9457); documentation only, the kit renders them. */
const problemSchema = z
  .object({
    type: z.string().describe(`A stable URI under ${PROBLEM_TYPE_BASE}, e.g. ${PROBLEM_TYPE_BASE}version-conflict.`),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    traceId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string(), part: z.string().optional() })).optional().describe('Which inputs are wrong.'),
    currentVersion: z.int().optional().describe('On version-conflict: the version the task is at.'),
  })
  .describe('RFC 9457 problem details.');

/** zod marks every generated schema as a standalone document; inside OpenAPI they are fragments. */
function strip(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

/** Several zod schemas as named component schemas that reference each other instead of repeating. */
function componentSchemas(io: Io, schemas: Record<string, z.ZodType>): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: generated } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(generated).map(([id, schema]) => [id, strip(schema)]));
}

function inline(schema: z.ZodType, io: Io = 'input'): JsonSchema {
  return strip(z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }));
}

/** One query parameter per key of the list schema, with the description lifted to the parameter. */
function queryParameters(shape: Record<string, z.ZodType>): JsonSchema[] {
  return Object.entries(shape).map(([name, schema]) => {
    const { description, ...rest } = inline(schema);
    return { name, in: 'query', required: false, schema: rest, ...(description !== undefined ? { description } : {}) };
  });
}

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: REF('Problem') } } });

const PROBLEMS: Record<string, JsonSchema> = {
  400: problem('Invalid input: body, parameters, headers, cursor or If-Match (validation-error, malformed-json, invalid-if-match).'),
  401: problem('Missing, expired or invalid bearer token.'),
  403: problem('The caller may not act for this person.'),
  404: problem('No such task, or not one the caller may see (task-not-found).'),
  409: problem('The task is in a status that does not allow this (invalid-status-transition).'),
  412: problem('The task changed since the version the request was based on (version-conflict); nothing was changed.'),
  415: problem('The body is not JSON.'),
  422: problem('Well-formed but unacceptable: invalid-recurrence, recurrence-without-occurrence, recurrence-too-complex, idempotency-key-reuse.'),
  428: problem('If-Match (or body version) is required (precondition-required).'),
  503: problem('Recurrence rules cannot be checked right now; retry shortly.'),
};

function responses(success: Record<string, JsonSchema>, ...problemStatuses: number[]): JsonSchema {
  const all: Record<string, JsonSchema> = { ...success };
  for (const status of problemStatuses) all[status] = PROBLEMS[status] ?? problem('Error');
  return all;
}

const ETAG_HEADER = { description: 'The task version as a strong entity tag: "<version>". Send it back in If-Match.', schema: { type: 'string' } };
const TASK_RESPONSE = (description: string) => ({ description, headers: { ETag: ETAG_HEADER }, content: { 'application/json': { schema: REF('Task') } } });

const ID_PARAMETER = { name: 'id', in: 'path', required: true, schema: inline(taskIdParams.shape.id) };
const IF_MATCH = (required: boolean) => ({
  name: 'If-Match',
  in: 'header',
  required,
  description: required
    ? 'The ETag the change is based on, e.g. "3". Required unless the body carries version; stale -> 412.'
    : 'Optional ETag the change is based on, e.g. "3"; stale -> 412.',
  schema: { type: 'string' },
});

export function buildOpenApiDocument(): JsonSchema {
  const { description: keyDescription, ...keySchema } = inline(idempotencyKeyHeader);
  const statusChange = (summary: string, operationId: string, description: string, ...problemStatuses: number[]) => ({
    summary,
    operationId,
    description,
    parameters: [ID_PARAMETER, IF_MATCH(false)],
    responses: responses({ 200: TASK_RESPONSE('The task after the change (or unchanged when it already was in that status).') }, ...problemStatuses),
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'Lifeline tasks API',
      version: '1.0.0',
      description:
        'Tasks of people and their caregivers. Every write publishes a task-events event (task.created, task.updated, task.completed, task.deleted) through a transactional outbox; due reminders publish reminder.due.',
    },
    security: [{ bearerAuth: [] }],
    paths: {
      '/tasks': {
        post: {
          summary: 'Create a task',
          operationId: 'createTask',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, description: keyDescription, schema: keySchema }],
          requestBody: { required: true, content: { 'application/json': { schema: REF('CreateTask') } } },
          responses: responses(
            {
              201: {
                description: 'Created (or, with a repeated Idempotency-Key, the first answer replayed).',
                headers: {
                  Location: { description: 'The new task.', schema: { type: 'string' } },
                  ETag: ETAG_HEADER,
                  'Idempotent-Replayed': { description: '"true" when this answer is a replay.', schema: { type: 'string' } },
                },
                content: { 'application/json': { schema: REF('Task') } },
              },
            },
            400, 401, 403, 415, 422, 503,
          ),
        },
        get: {
          summary: 'List tasks of one person',
          operationId: 'listTasks',
          parameters: queryParameters(listTasksQuery.shape),
          responses: responses({ 200: { description: 'One page, in keyset order.', content: { 'application/json': { schema: REF('TaskPage') } } } }, 400, 401, 403),
        },
      },
      '/tasks/{id}': {
        get: {
          summary: 'Read a task',
          operationId: 'getTask',
          parameters: [ID_PARAMETER, { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
          responses: responses({ 200: TASK_RESPONSE('The task.'), 304: { description: 'Unchanged since the ETag sent in If-None-Match.' } }, 400, 401, 404),
        },
        patch: {
          summary: 'Change a task (JSON merge patch)',
          operationId: 'updateTask',
          description: 'Absent fields stay, null removes a removable field. Requires If-Match or version. A patch that changes nothing returns the task unchanged.',
          parameters: [ID_PARAMETER, IF_MATCH(true)],
          requestBody: {
            required: true,
            content: { 'application/merge-patch+json': { schema: REF('PatchTask') }, 'application/json': { schema: REF('PatchTask') } },
          },
          responses: responses({ 200: TASK_RESPONSE('The changed task.') }, 400, 401, 404, 412, 415, 422, 428, 503),
        },
        delete: {
          summary: 'Delete a task',
          operationId: 'deleteTask',
          parameters: [ID_PARAMETER, IF_MATCH(false)],
          responses: responses({ 204: { description: 'Deleted.' } }, 400, 401, 404, 412),
        },
      },
      '/tasks/{id}/complete': {
        post: statusChange('Complete a task', 'completeTask', 'Completing a done task is a no-op 200; a cancelled task must be reopened first (409).', 400, 401, 404, 409, 412),
      },
      '/tasks/{id}/reopen': {
        post: statusChange('Reopen a done or cancelled task', 'reopenTask', 'Reopening an open task is a no-op 200.', 400, 401, 404, 412),
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          operationId: 'getOpenApi',
          security: [],
          responses: { 200: { description: 'OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: {
      schemas: {
        ...componentSchemas('output', { Task: taskStateSchema, TaskPage: taskPageSchema, Problem: problemSchema }),
        ...componentSchemas('input', { CreateTask: createTaskBody, PatchTask: patchTaskBody }),
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Roles user, caregiver (care claim: people cared for) or admin.' },
      },
    },
  };
}
