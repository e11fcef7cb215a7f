import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { taskEventSchema } from '@lifeline/contracts';
import { call, expectProblem } from '@lifeline/kit/testing';
import { as, createTaskAs, expectTask } from './support/api.ts';
import { countRows, createTestSchema, dropSchema, outboxEventsSince, tableSnapshot } from './support/database.ts';
import { closedPort } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

describe('complete, reopen and delete', () => {
  let schema: string;
  let app: RunningTasksApp;

  before(async () => {
    schema = await createTestSchema('status');
    app = await startTasksApp({ schema, daprPort: await closedPort() });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  const aliceTask = async () => createTaskAs(app.url, await as.user('alice'), { title: 'Take a walk', dueAt: '2030-05-01T10:00:00Z' });
  const post = async (id: string, action: 'complete' | 'reopen', authorization: string | undefined, headers: Record<string, string> = {}) =>
    call(app.url, `/tasks/${id}/${action}`, authorization, { method: 'POST', headers });
  const remove = async (id: string, authorization: string | undefined, headers: Record<string, string> = {}) =>
    call(app.url, `/tasks/${id}`, authorization, { method: 'DELETE', headers });

  describe('POST /tasks/:id/complete', () => {
    it('when the owner completes an open task, then 200 done with completedAt, a new version, and task.completed with before/after', async () => {
      const task = await aliceTask();
      const outboxBefore = await countRows(schema, 'outbox');
      const done = await expectTask(await post(task.id, 'complete', await as.user('alice'), { 'if-match': '"1"' }));
      assert.equal(done.status, 'done');
      assert.ok(done.completedAt !== null && done.completedAt >= task.createdAt);
      assert.equal(done.version, 2);
      const events = (await outboxEventsSince(schema, outboxBefore)).map((e) => taskEventSchema.parse(e));
      assert.equal(events.length, 1);
      const [event] = events;
      assert.ok(event?.type === 'task.completed');
      assert.deepEqual(event.data.before, task);
      assert.deepEqual(event.data.after, done);
    });

    it('when a done task is completed again (even with the old If-Match), then 200 unchanged: no new version, no event', async () => {
      const task = await aliceTask();
      const done = await expectTask(await post(task.id, 'complete', await as.user('alice')));
      const snapshot = await tableSnapshot(schema);
      assert.deepEqual(await expectTask(await post(task.id, 'complete', await as.user('alice'), { 'if-match': '"1"' })), done);
      assert.deepEqual(await expectTask(await post(task.id, 'complete', await as.user('alice'))), done);
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });

    it('when If-Match is stale, then 412 and the task stays open', async () => {
      const task = await aliceTask();
      await expectTask(await call(app.url, `/tasks/${task.id}`, await as.user('alice'), { method: 'PATCH', headers: { 'if-match': '"1"' }, body: { title: 'v2' } }));
      const snapshot = await tableSnapshot(schema);
      await expectProblem(await post(task.id, 'complete', await as.user('alice'), { 'if-match': '"1"' }), 412, 'version-conflict');
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });

    it('when the task is cancelled, then 409 invalid-status-transition and nothing changes', async () => {
      const task = await aliceTask();
      await expectTask(await call(app.url, `/tasks/${task.id}`, await as.user('alice'), { method: 'PATCH', headers: { 'if-match': '"1"' }, body: { status: 'cancelled' } }));
      const snapshot = await tableSnapshot(schema);
      await expectProblem(await post(task.id, 'complete', await as.user('alice')), 409, 'invalid-status-transition');
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });

    it('when concurrent completions race, then one task.completed is written', async () => {
      const task = await aliceTask();
      const outboxBefore = await countRows(schema, 'outbox');
      const token = await as.user('alice');
      const results = await Promise.all(Array.from({ length: 5 }, () => post(task.id, 'complete', token)));
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200]);
      assert.equal((await outboxEventsSince(schema, outboxBefore)).length, 1);
    });
  });

  describe('POST /tasks/:id/reopen', () => {
    it('when a done task is reopened, then 200 open and task.updated with changedFields status and completedAt', async () => {
      const task = await aliceTask();
      const done = await expectTask(await post(task.id, 'complete', await as.user('alice')));
      const outboxBefore = await countRows(schema, 'outbox');
      const reopened = await expectTask(await post(task.id, 'reopen', await as.user('alice'), { 'if-match': '"2"' }));
      assert.equal(reopened.status, 'open');
      assert.equal(reopened.completedAt, null);
      assert.equal(reopened.version, 3);
      const [event] = (await outboxEventsSince(schema, outboxBefore)).map((e) => taskEventSchema.parse(e));
      assert.ok(event?.type === 'task.updated');
      assert.deepEqual(event.data.before, done);
      assert.deepEqual(event.data.after, reopened);
      assert.deepEqual(event.data.changedFields, ['status', 'completedAt']);
    });

    it('when an open task is reopened, then 200 unchanged and no event', async () => {
      const task = await aliceTask();
      const snapshot = await tableSnapshot(schema);
      assert.deepEqual(await expectTask(await post(task.id, 'reopen', await as.user('alice'))), task);
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });

    it('when a cancelled task is reopened, then it is open again', async () => {
      const task = await aliceTask();
      await expectTask(await call(app.url, `/tasks/${task.id}`, await as.user('alice'), { method: 'PATCH', headers: { 'if-match': '"1"' }, body: { status: 'cancelled' } }));
      assert.equal((await expectTask(await post(task.id, 'reopen', await as.user('alice')))).status, 'open');
    });

    it('when If-Match is stale, then 412 and the task stays done', async () => {
      const task = await aliceTask();
      await expectTask(await post(task.id, 'complete', await as.user('alice')));
      const snapshot = await tableSnapshot(schema);
      await expectProblem(await post(task.id, 'reopen', await as.user('alice'), { 'if-match': '"1"' }), 412, 'version-conflict');
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });
  });

  describe('DELETE /tasks/:id', () => {
    it('when the owner deletes a task, then 204, it is gone, and task.deleted carries its last state', async () => {
      const task = await aliceTask();
      const outboxBefore = await countRows(schema, 'outbox');
      const res = await remove(task.id, await as.user('alice'), { 'if-match': '"1"' });
      assert.equal(res.status, 204);
      assert.equal(await res.text(), '');
      await expectProblem(await call(app.url, `/tasks/${task.id}`, await as.user('alice')), 404, 'task-not-found');
      const [event] = (await outboxEventsSince(schema, outboxBefore)).map((e) => taskEventSchema.parse(e));
      assert.ok(event?.type === 'task.deleted');
      assert.deepEqual(event.data.before, task);
      assert.equal(event.subject, task.id);
    });

    it('when deleted without If-Match, then 204; deleting again is 404', async () => {
      const task = await aliceTask();
      assert.equal((await remove(task.id, await as.user('alice'))).status, 204);
      await expectProblem(await remove(task.id, await as.user('alice')), 404, 'task-not-found');
    });

    it('when If-Match is stale, then 412 and the task stays', async () => {
      const task = await aliceTask();
      await expectTask(await post(task.id, 'complete', await as.user('alice')));
      const snapshot = await tableSnapshot(schema);
      await expectProblem(await remove(task.id, await as.user('alice'), { 'if-match': '"1"' }), 412, 'version-conflict');
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });
  });

  describe('who may complete, reopen and delete', () => {
    const cases: Array<[string, () => Promise<string>, number]> = [
      ['the owner', () => as.user('alice'), 200],
      ['a caregiver caring for the owner', () => as.caregiver('carol', ['alice']), 200],
      ['an admin', () => as.admin(), 200],
      ['a caregiver caring for someone else', () => as.caregiver('carol', ['dave']), 404],
      ['another user', () => as.user('mallory'), 404],
      ['a compliance officer', () => as.compliance(), 403],
    ];
    for (const [who, token, status] of cases) {
      it(`when ${who} completes, reopens and deletes, then ${status}`, async () => {
        const task = await aliceTask();
        const snapshot = await tableSnapshot(schema);
        const results = [await post(task.id, 'complete', await token()), await post(task.id, 'reopen', await token()), await remove(task.id, await token())];
        if (status === 200) {
          assert.deepEqual(results.map((r) => r.status), [200, 200, 204]);
          return;
        }
        for (const res of results) await expectProblem(res, status, status === 404 ? 'task-not-found' : 'forbidden');
        assert.deepEqual(await tableSnapshot(schema), snapshot);
      });
    }
  });

  describe('bad input changes nothing', () => {
    it('when the id is not a UUID, then 400 on every endpoint', async () => {
      const token = await as.user('alice');
      for (const res of [await post('nope', 'complete', token), await post('nope', 'reopen', token), await remove('nope', token)]) {
        await expectProblem(res, 400, 'validation-error');
      }
    });

    it('when If-Match is malformed, then 400 invalid-if-match on every endpoint and nothing changes', async () => {
      const task = await aliceTask();
      const token = await as.user('alice');
      const snapshot = await tableSnapshot(schema);
      for (const res of [
        await post(task.id, 'complete', token, { 'if-match': 'version-1' }),
        await post(task.id, 'reopen', token, { 'if-match': '"1' }),
        await remove(task.id, token, { 'if-match': '1' }),
      ]) {
        await expectProblem(res, 400, 'invalid-if-match');
      }
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });

    it('when the task does not exist, then 404 on every endpoint', async () => {
      const token = await as.user('alice');
      const id = randomUUID();
      for (const res of [await post(id, 'complete', token), await post(id, 'reopen', token), await remove(id, token)]) {
        await expectProblem(res, 404, 'task-not-found');
      }
    });

    it('when no token is sent, then 401 on every endpoint', async () => {
      const task = await aliceTask();
      for (const res of [await post(task.id, 'complete', undefined), await post(task.id, 'reopen', undefined), await remove(task.id, undefined)]) {
        await expectProblem(res, 401, 'unauthorized');
      }
    });
  });
});
