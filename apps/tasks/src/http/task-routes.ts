import { Router } from 'express';
import type { Response } from 'express';
import type { TaskState } from '@lifeline/contracts';
import { getAuth, type Auth, type Role } from '@lifeline/kit';
import { createTask } from '../domain/create-task.ts';
import { getTask } from '../domain/get-task.ts';
import type { TaskDeps } from '../domain/task-deps.ts';
import { requireJsonBody } from './require-json.ts';
import { createTaskBody, taskIdParams } from './task-input.ts';

const TASK_ROLES: readonly Role[] = ['user', 'caregiver', 'admin'];

/** The version is the entity tag: later writes send it back in If-Match for optimistic concurrency. */
function sendTask(res: Response, status: number, task: TaskState): void {
  res.status(status).set('ETag', `"${task.version}"`).json(task);
}

export function taskRoutes(opts: { auth: Auth; tasks: TaskDeps }): Router {
  const { auth, tasks } = opts;
  const router = Router();
  const member = auth.requireAuth(TASK_ROLES);

  router.post('/tasks', member, requireJsonBody(), async (req, res) => {
    const input = createTaskBody.parse(req.body);
    const task = await createTask(tasks, getAuth(req), input);
    res.location(`/tasks/${task.id}`);
    sendTask(res, 201, task);
  });

  router.get('/tasks/:id', member, async (req, res) => {
    const { id } = taskIdParams.parse(req.params);
    sendTask(res, 200, await getTask(tasks, getAuth(req), id));
  });

  return router;
}
