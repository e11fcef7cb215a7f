import { Router } from 'express';
import type { Response } from 'express';
import type { TaskState } from '@lifeline/contracts';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  answerUnknownMethods,
  entityTag,
  getAuth,
  idempotencyKeyOf,
  noneMatchHits,
  optionalVersion,
  requestHash,
  requiredVersion,
  requireJsonBody,
  serveOpenApi,
  type Auth,
  type CursorCodec,
  type Role,
} from '@lifeline/kit';
import type { Keyset, TaskSort, TaskSortField } from '../data/task-list-repository.ts';
import { completeTask } from '../domain/complete-task.ts';
import { createTask } from '../domain/create-task.ts';
import { deleteTask } from '../domain/delete-task.ts';
import { getTask } from '../domain/get-task.ts';
import { listTasks } from '../domain/list-tasks.ts';
import { reopenTask } from '../domain/reopen-task.ts';
import type { TaskDeps } from '../domain/task-deps.ts';
import { updateTask } from '../domain/update-task.ts';
import { OPENAPI_PATH, buildOpenApiDocument } from './openapi.ts';
import { keysetFits } from './page-cursor.ts';
import { createTaskBody, listTasksQuery, patchTaskBody, taskIdParams } from './task-input.ts';

const TASK_ROLES: readonly Role[] = ['user', 'caregiver', 'admin'];

/** The version is the entity tag: later writes send it back in If-Match for optimistic concurrency. */
function sendTask(res: Response, status: number, task: TaskState): void {
  res.status(status).set('ETag', entityTag(task.version)).json(task);
}

function sortOf(text: string): TaskSort {
  const descending = text.startsWith('-');
  return { field: (descending ? text.slice(1) : text) as TaskSortField, descending };
}

export function taskRoutes(opts: { auth: Auth; tasks: TaskDeps; cursors: CursorCodec<Keyset> }): Router {
  const { auth, tasks, cursors } = opts;
  const router = Router();
  const member = auth.requireAuth(TASK_ROLES);
  // Built once: it only depends on the schemas. Under /tasks (before /tasks/:id) so the gateway reaches it;
  // /openapi.json is the older address, kept for clients that read it there.
  const openApi = serveOpenApi(buildOpenApiDocument());
  router.get(OPENAPI_PATH, openApi);
  router.get('/openapi.json', openApi);

  router.post('/tasks', member, requireJsonBody(), async (req, res) => {
    const key = idempotencyKeyOf(req);
    const input = createTaskBody.parse(req.body);
    const idempotency = key === undefined ? undefined : { key, requestHash: requestHash('POST /tasks', req.body) };
    const { task, replayed } = await createTask(tasks, getAuth(req), input, idempotency);
    res.location(`/tasks/${task.id}`);
    if (replayed) res.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
    sendTask(res, 201, task);
  });

  router.get('/tasks', member, async (req, res) => {
    const caller = getAuth(req);
    const { cursor, limit, sort: sortText, ...filters } = listTasksQuery.parse(req.query);
    const sort = sortOf(sortText);
    // What a cursor is bound to: the same filters and sort, with the owner resolved as the page will be.
    const query = { ...filters, ownerId: filters.ownerId ?? caller.userId, sort: sortText };
    const after = cursor === undefined ? undefined : cursors.decode(cursor, query, (keyset) => keysetFits(keyset, sort));
    const { status, q, ...rest } = filters;
    const page = await listTasks(tasks, caller, { ...rest, statuses: status, text: q, sort, limit, after });
    res.json({ items: page.tasks, nextCursor: page.next === undefined ? null : cursors.encode(page.next, query) });
  });

  router.get('/tasks/:id', member, async (req, res) => {
    const { id } = taskIdParams.parse(req.params);
    const task = await getTask(tasks, getAuth(req), id);
    if (noneMatchHits(req.get('if-none-match'), task.version)) {
      res.status(304).set('ETag', entityTag(task.version)).end();
      return;
    }
    sendTask(res, 200, task);
  });

  router.patch('/tasks/:id', member, requireJsonBody(), async (req, res) => {
    const { id } = taskIdParams.parse(req.params);
    const { version, ...patch } = patchTaskBody.parse(req.body);
    const condition = requiredVersion(req, version);
    sendTask(res, 200, await updateTask(tasks, getAuth(req), id, patch, condition));
  });

  router.post('/tasks/:id/complete', member, async (req, res) => {
    const { id } = taskIdParams.parse(req.params);
    sendTask(res, 200, await completeTask(tasks, getAuth(req), id, optionalVersion(req)));
  });

  router.post('/tasks/:id/reopen', member, async (req, res) => {
    const { id } = taskIdParams.parse(req.params);
    sendTask(res, 200, await reopenTask(tasks, getAuth(req), id, optionalVersion(req)));
  });

  router.delete('/tasks/:id', member, async (req, res) => {
    const { id } = taskIdParams.parse(req.params);
    await deleteTask(tasks, getAuth(req), id, optionalVersion(req));
    res.status(204).end();
  });

  return answerUnknownMethods(router);
}
