import { z } from 'zod';
import { taskStateSchema } from '@lifeline/contracts';
import { COMMON_PROBLEMS, JSON_CONTENT, entityTagHeader, idempotencyKeyHeader, entityTagListSchema, headerParameter, openApiDocument, pathParameters, problemCatalog, queryParameters, responses, schemaRef, type JsonSchema } from '@lifeline/kit';
import { createTaskBody, listTasksQuery, patchTaskBody, taskIdParams, taskPageSchema } from './task-input.ts';

/** Where the document is served: under the app's name, so the gateway's /api/v1/tasks/openapi.json reaches it. */
export const OPENAPI_PATH = '/tasks/openapi.json';

const only = problemCatalog({
  ...COMMON_PROBLEMS,
  400: 'Invalid input: body, parameters, headers, cursor or If-Match (validation-error, malformed-json, invalid-if-match).',
  403: 'The caller may not act for this person.',
  404: 'No such task, or not one the caller may see (task-not-found).',
  409: 'The task is in a status that does not allow this (invalid-status-transition).',
  412: 'The task changed since the version the request was based on (version-conflict, with currentVersion and the current ETag); nothing was changed.',
  415: 'The body is not JSON.',
  422: 'Well-formed but unacceptable: invalid-recurrence, recurrence-without-occurrence, recurrence-too-complex, idempotency-key-reuse.',
  428: 'Neither If-Match nor a body version says which version the change is based on (precondition-required).',
  503: 'Recurrence rules cannot be checked right now; retry shortly (Retry-After).',
});

const ETAG_HEADER = entityTagHeader('The task version as a strong entity tag: "<version>". Send it back in If-Match.');
const TASK_RESPONSE = (description: string) => ({ description, headers: { ETag: ETAG_HEADER }, content: JSON_CONTENT(schemaRef('Task')) });

const ID = pathParameters(taskIdParams.shape);
const IF_MATCH = headerParameter('If-Match', entityTagListSchema, {
  description: 'The ETag the change is based on, e.g. "3"; stale -> 412. Optional; "*" matches any version.',
});

/** The OpenAPI 3.1 document of the task API, generated from the zod schemas the routes validate with. */
export function buildOpenApiDocument(): JsonSchema {
  const statusChange = (summary: string, operationId: string, description: string, problems: Record<string, string>) => ({
    summary,
    operationId,
    description,
    parameters: [...ID, IF_MATCH],
    responses: responses({ 200: TASK_RESPONSE('The task after the change (or unchanged when it already was in that status).') }, problems),
  });

  return openApiDocument({
    title: 'Lifeline tasks API',
    description:
      'Tasks of people and their caregivers. Every write publishes a task-events event (task.created, task.updated, task.completed, task.deleted) through a transactional outbox; due reminders publish reminder.due.',
    documentPath: OPENAPI_PATH,
    securityDescription: 'Roles user, caregiver (care claim: people cared for) or admin.',
    schemas: {
      output: { Task: taskStateSchema, TaskPage: taskPageSchema },
      input: { CreateTask: createTaskBody, PatchTask: patchTaskBody },
    },
    paths: {
      '/tasks': {
        post: {
          summary: 'Create a task',
          operationId: 'createTask',
          parameters: [headerParameter('Idempotency-Key', idempotencyKeyHeader)],
          requestBody: { required: true, content: JSON_CONTENT(schemaRef('CreateTask')) },
          responses: responses(
            {
              201: {
                description: 'Created (or, with a repeated Idempotency-Key, the first answer replayed).',
                headers: {
                  Location: { description: 'The new task.', schema: { type: 'string' } },
                  ETag: ETAG_HEADER,
                  'Idempotent-Replayed': { description: '"true" when this answer is a replay.', schema: { type: 'string', enum: ['true'] } },
                },
                content: JSON_CONTENT(schemaRef('Task')),
              },
            },
            only(400, 401, 403, 415, 422, 503),
          ),
        },
        get: {
          summary: 'List tasks of one person',
          operationId: 'listTasks',
          parameters: queryParameters(listTasksQuery.shape),
          responses: responses({ 200: { description: 'One page, in keyset order.', content: JSON_CONTENT(schemaRef('TaskPage')) } }, only(400, 401, 403)),
        },
      },
      '/tasks/{id}': {
        get: {
          summary: 'Read a task',
          operationId: 'getTask',
          parameters: [...ID, headerParameter('If-None-Match', z.string(), { description: 'ETags you read, or *: 304 when one names the current version; anything else (weak, foreign or unreadable tags) reads the task as usual.' })],
          responses: responses(
            { 200: TASK_RESPONSE('The task.'), 304: { description: 'Unchanged since the ETag sent in If-None-Match.', headers: { ETag: ETAG_HEADER } } },
            only(400, 401, 404),
          ),
        },
        patch: {
          summary: 'Change a task (JSON merge patch)',
          operationId: 'updateTask',
          description:
            'Absent fields stay, null removes a removable field. Say which version the change is based on with If-Match or with version in the body (428 when neither is given; when both are, they must agree). A patch that changes nothing returns the task unchanged.',
          parameters: [...ID, IF_MATCH],
          requestBody: {
            required: true,
            content: { 'application/merge-patch+json': { schema: schemaRef('PatchTask') }, ...JSON_CONTENT(schemaRef('PatchTask')) },
          },
          responses: responses({ 200: TASK_RESPONSE('The changed task.') }, only(400, 401, 404, 412, 415, 422, 428, 503)),
        },
        delete: {
          summary: 'Delete a task',
          operationId: 'deleteTask',
          parameters: [...ID, IF_MATCH],
          responses: responses({ 204: { description: 'Deleted.' } }, only(400, 401, 404, 412)),
        },
      },
      '/tasks/{id}/complete': {
        post: statusChange('Complete a task', 'completeTask', 'Completing a done task is a no-op 200; a cancelled task must be reopened first (409).', only(400, 401, 404, 409, 412)),
      },
      '/tasks/{id}/reopen': {
        post: statusChange('Reopen a done or cancelled task', 'reopenTask', 'Reopening an open task is a no-op 200.', only(400, 401, 404, 412)),
      },
    },
  });
}
