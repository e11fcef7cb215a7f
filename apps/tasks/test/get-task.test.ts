import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { taskStateSchema, type TaskState } from '@lifeline/contracts';
import { signToken } from '@lifeline/kit';
import { closedPort } from './support/sidecar-recorder.ts';
import { createTestSchema, dropSchema } from './support/database.ts';
import { JWT_SECRET, bearer, getTaskById, postTask, startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

describe('GET /tasks/:id', () => {
  let schema: string;
  let app: RunningTasksApp;
  let alicesTask: TaskState;

  before(async () => {
    schema = await createTestSchema('get');
    app = await startTasksApp({ schema, daprPort: await closedPort() });
    const res = await postTask(app.url, await bearer('alice'), { title: 'Refill prescription', tags: ['health'] });
    assert.equal(res.status, 201);
    alicesTask = taskStateSchema.parse(await res.json());
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  async function expectNotFound(res: Response): Promise<void> {
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await res.json()) as { type: string };
    assert.equal(body.type, 'https://lifeline.dev/problems/task-not-found');
  }

  it('when the owner reads their task, then 200 returns exactly what was created, with its ETag', async () => {
    const res = await getTaskById(app.url, await bearer('alice'), alicesTask.id);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.deepEqual(await res.json(), alicesTask);
  });

  it('when If-None-Match names the current ETag, then 304 without a body; an older one gets 200', async () => {
    const notModified = await fetch(`${app.url}/tasks/${alicesTask.id}`, { headers: { authorization: await bearer('alice'), 'if-none-match': '"1"' } });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.get('etag'), '"1"');
    assert.equal(await notModified.text(), '');
    const changed = await fetch(`${app.url}/tasks/${alicesTask.id}`, { headers: { authorization: await bearer('alice'), 'if-none-match': '"0"' } });
    assert.equal(changed.status, 200);
  });

  it('when a caregiver of the owner reads it, then 200', async () => {
    const res = await getTaskById(app.url, await bearer('carol', ['caregiver'], ['alice']), alicesTask.id);
    assert.equal(res.status, 200);
  });

  it('when an admin reads it, then 200', async () => {
    const res = await getTaskById(app.url, await bearer('root', ['admin']), alicesTask.id);
    assert.equal(res.status, 200);
  });

  it("when another user reads someone else's task, then 404 exactly like a missing one", async () => {
    await expectNotFound(await getTaskById(app.url, await bearer('mallory'), alicesTask.id));
  });

  it('when a compliance officer reads it, then 403 (the role has no task access at all)', async () => {
    const res = await getTaskById(app.url, await bearer('olga', ['compliance']), alicesTask.id);
    assert.equal(res.status, 403);
  });

  it('when a caregiver not caring for the owner reads it, then 404', async () => {
    await expectNotFound(await getTaskById(app.url, await bearer('carol', ['caregiver'], ['dave']), alicesTask.id));
  });

  it('when the task does not exist, then 404 problem+json', async () => {
    await expectNotFound(await getTaskById(app.url, await bearer('alice'), randomUUID()));
  });

  it('when the id is not a UUID, then 400 validation-error', async () => {
    const res = await getTaskById(app.url, await bearer('alice'), 'not-a-uuid');
    assert.equal(res.status, 400);
    const body = (await res.json()) as { type: string; errors: Array<{ path: string }> };
    assert.equal(body.type, 'https://lifeline.dev/problems/validation-error');
    assert.deepEqual(body.errors.map((e) => e.path), ['id']);
  });

  it('when no token is sent, then 401 problem+json', async () => {
    const res = await getTaskById(app.url, undefined, alicesTask.id);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });

  it('when the token has expired, then 401 problem+json', async () => {
    const expired = await signToken(JWT_SECRET, { sub: 'alice', roles: ['user'] }, { expiresInSeconds: -60 });
    const res = await getTaskById(app.url, `Bearer ${expired}`, alicesTask.id);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { detail: string }).detail, 'The token has expired.');
  });
});
