import assert from 'node:assert/strict';
import { taskStateSchema, type TaskState } from '@lifeline/contracts';
import { call } from '@lifeline/kit/testing';
import { bearer } from './tasks-app.ts';

/** Tokens of the people the tasks tests act as. */
export const as = {
  user: (sub: string) => bearer(sub, ['user']),
  caregiver: (sub: string, care: string[]) => bearer(sub, ['caregiver'], care),
  admin: (sub = 'root') => bearer(sub, ['admin']),
  compliance: (sub = 'olga') => bearer(sub, ['compliance']),
};

export async function expectTask(res: Response, status = 200): Promise<TaskState> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  const task = taskStateSchema.parse(JSON.parse(text));
  assert.equal(res.headers.get('etag'), `"${task.version}"`);
  return task;
}

export async function createTaskAs(url: string, authorization: string, body: Record<string, unknown>): Promise<TaskState> {
  return expectTask(await call(url, '/tasks', authorization, { method: 'POST', body }), 201);
}
