import assert from 'node:assert/strict';
import { taskStateSchema, type TaskState } from '@lifeline/contracts';
import { bearer } from './tasks-app.ts';

/** Thin HTTP helpers so tests read as what a client does. */

export type Caller = string | undefined;

export interface Call {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(url: string, path: string, authorization: Caller, opts: Call = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(authorization ? { authorization } : {}) };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${url}${path}`, {
    method: opts.method ?? 'GET',
    headers: { ...headers, ...opts.headers },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
}

export const as = {
  user: (sub: string) => bearer(sub, ['user']),
  caregiver: (sub: string, care: string[]) => bearer(sub, ['caregiver'], care),
  admin: (sub = 'root') => bearer(sub, ['admin']),
  compliance: (sub = 'olga') => bearer(sub, ['compliance']),
};

export async function expectProblem(res: Response, status: number, typeSlug?: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.status, status);
  if (typeSlug) assert.equal(body.type, `https://lifeline.dev/problems/${typeSlug}`, JSON.stringify(body));
  return body;
}

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
