import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { taskEventSchema, type TaskState } from '@lifeline/contracts';
import { call, expectProblem } from '@lifeline/kit/testing';
import { as, createTaskAs, expectTask } from './support/api.ts';
import { countRows, createTestSchema, dropSchema, outboxEventsSince, tableSnapshot } from './support/database.ts';
import { closedPort } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

describe('PATCH /tasks/:id', () => {
  let schema: string;
  let app: RunningTasksApp;

  before(async () => {
    schema = await createTestSchema('update');
    app = await startTasksApp({ schema, daprPort: await closedPort() });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  const aliceTask = async (extra: Record<string, unknown> = {}) =>
    createTaskAs(app.url, await as.user('alice'), {
      title: 'Water the plants',
      notes: 'the big ones',
      tags: ['home'],
      dueAt: '2030-05-01T10:00:00Z',
      remindAt: '2030-05-01T09:30:00Z',
      ...extra,
    });

  const patch = async (id: string, authorization: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    call(app.url, `/tasks/${id}`, authorization, { method: 'PATCH', body, headers: { 'content-type': 'application/merge-patch+json', ...headers } });

  it('when the owner patches with If-Match of the current version, then 200 with the merged task, a new version and ETag', async () => {
    const task = await aliceTask();
    const res = await patch(task.id, await as.user('alice'), { title: ' Water all plants ', priority: 'high', notes: null }, { 'if-match': '"1"' });
    const updated = await expectTask(res);
    assert.equal(updated.title, 'Water all plants');
    assert.equal(updated.priority, 'high');
    assert.equal(updated.notes, null);
    // Absent fields are kept (merge patch).
    assert.deepEqual(updated.tags, ['home']);
    assert.equal(updated.dueAt, task.dueAt);
    assert.equal(updated.version, 2);
    assert.ok(updated.updatedAt >= task.updatedAt);
    assert.equal(updated.createdAt, task.createdAt);
    assert.deepEqual(await expectTask(await call(app.url, `/tasks/${task.id}`, await as.user('alice'))), updated);
  });

  it('when a patch is written, then task.updated carries before, after and exactly the changed fields', async () => {
    const task = await aliceTask();
    const outboxBefore = await countRows(schema, 'outbox');
    const updated = await expectTask(await patch(task.id, await as.user('alice'), { tags: ['home', 'garden'], dueAt: null, title: task.title }, { 'if-match': '"1"' }));
    const events = await outboxEventsSince(schema, outboxBefore);
    assert.equal(events.length, 1);
    const event = taskEventSchema.parse(events[0]);
    assert.ok(event.type === 'task.updated');
    assert.equal(event.subject, task.id);
    assert.deepEqual(event.actor, { id: 'alice', kind: 'user' });
    assert.deepEqual(event.data.before, task);
    assert.deepEqual(event.data.after, updated);
    assert.deepEqual(event.data.changedFields, ['tags', 'dueAt']);
  });

  it('when the version is sent in the body instead of If-Match, then it is used the same way', async () => {
    const task = await aliceTask();
    const updated = await expectTask(await patch(task.id, await as.user('alice'), { version: 1, title: 'Body version' }));
    assert.equal(updated.version, 2);
    await expectProblem(await patch(task.id, await as.user('alice'), { version: 1, title: 'Stale body version' }), 412, 'version-conflict');
  });

  it('when the patch changes nothing, then 200 with the task as it is: no new version, no event', async () => {
    const task = await aliceTask();
    const snapshot = await tableSnapshot(schema);
    const same = await expectTask(await patch(task.id, await as.user('alice'), { title: task.title, tags: ['home', 'home'] }, { 'if-match': '"1"' }));
    assert.deepEqual(same, task);
    await expectTask(await patch(task.id, await as.user('alice'), {}, { 'if-match': '"1"' }));
    assert.deepEqual(await tableSnapshot(schema), snapshot);
  });

  it('when If-Match names an older version, then 412 version-conflict with the current ETag, and nothing changes', async () => {
    const task = await aliceTask();
    await expectTask(await patch(task.id, await as.user('alice'), { title: 'v2' }, { 'if-match': '"1"' }));
    const snapshot = await tableSnapshot(schema);
    const res = await patch(task.id, await as.user('alice'), { title: 'lost update' }, { 'if-match': '"1"' });
    const problem = await expectProblem(res, 412, 'version-conflict');
    assert.equal(problem.currentVersion, 2);
    assert.equal(res.headers.get('etag'), '"2"');
    assert.deepEqual(await tableSnapshot(schema), snapshot);
  });

  it('when If-Match lists several tags including the current one, or a weak tag, then strong comparison decides', async () => {
    const task = await aliceTask();
    await expectTask(await patch(task.id, await as.user('alice'), { title: 'listed' }, { 'if-match': '"7", "1"' }));
    await expectProblem(await patch(task.id, await as.user('alice'), { title: 'weak' }, { 'if-match': 'W/"2"' }), 412, 'version-conflict');
  });

  it('when two clients patch the same version at once, then exactly one wins and the other gets 412', async () => {
    const task = await aliceTask();
    const token = await as.user('alice');
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => patch(task.id, token, { title: `racer ${i}` }, { 'if-match': '"1"' })));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 412, 412, 412, 412, 412]);
    const stored = await expectTask(await call(app.url, `/tasks/${task.id}`, token));
    assert.equal(stored.version, 2);
  });

  it('when neither If-Match nor a body version is sent, then 428 precondition-required and nothing changes', async () => {
    const task = await aliceTask();
    const snapshot = await tableSnapshot(schema);
    await expectProblem(await patch(task.id, await as.user('alice'), { title: 'blind write' }), 428, 'precondition-required');
    await expectProblem(await patch(task.id, await as.user('alice'), { title: 'star' }, { 'if-match': '*' }), 428, 'precondition-required');
    assert.deepEqual(await tableSnapshot(schema), snapshot);
  });

  it('when status is patched to cancelled and back to open, then each is a task.updated and completedAt stays empty', async () => {
    const task = await aliceTask();
    const outboxBefore = await countRows(schema, 'outbox');
    const cancelled = await expectTask(await patch(task.id, await as.user('alice'), { status: 'cancelled' }, { 'if-match': '"1"' }));
    assert.equal(cancelled.status, 'cancelled');
    const reopened = await expectTask(await patch(task.id, await as.user('alice'), { status: 'open' }, { 'if-match': '"2"' }));
    assert.equal(reopened.status, 'open');
    const events = (await outboxEventsSince(schema, outboxBefore)).map((e) => taskEventSchema.parse(e));
    assert.deepEqual(events.map((e) => [e.type, e.type === 'task.updated' ? e.data.changedFields : []]), [
      ['task.updated', ['status']],
      ['task.updated', ['status']],
    ]);
  });

  describe('who may patch', () => {
    const cases: Array<[string, () => Promise<string>, number]> = [
      ['the owner', () => as.user('alice'), 200],
      ['a caregiver caring for the owner', () => as.caregiver('carol', ['alice']), 200],
      ['an admin', () => as.admin(), 200],
      ['a caregiver caring for someone else', () => as.caregiver('carol', ['dave']), 404],
      ['another user', () => as.user('mallory'), 404],
      ['a compliance officer', () => as.compliance(), 403],
    ];
    for (const [who, token, status] of cases) {
      it(`when ${who} patches, then ${status}`, async () => {
        const task = await aliceTask();
        const snapshot = await tableSnapshot(schema);
        const res = await patch(task.id, await token(), { title: 'changed' }, { 'if-match': '"1"' });
        if (status === 200) {
          assert.equal((await expectTask(res)).title, 'changed');
        } else {
          await expectProblem(res, status, status === 404 ? 'task-not-found' : 'forbidden');
          assert.deepEqual(await tableSnapshot(schema), snapshot);
        }
      });
    }

    it('when no token is sent, then 401', async () => {
      const task = await aliceTask();
      await expectProblem(await patch(task.id, undefined, { title: 'x' }, { 'if-match': '"1"' }), 401, 'unauthorized');
    });

    it('when the task does not exist, then 404 like someone else\'s', async () => {
      await expectProblem(await patch(randomUUID(), await as.user('alice'), { title: 'x' }, { 'if-match': '"1"' }), 404, 'task-not-found');
    });
  });

  describe('bad input changes nothing', () => {
    let task: TaskState;
    before(async () => {
      task = await aliceTask();
    });

    const bodies: Array<[string, unknown, string]> = [
      ['an unknown field', { colour: 'red' }, ''],
      ['the owner', { ownerId: 'bob' }, ''],
      ['a server-owned field', { createdAt: '2030-01-01T00:00:00Z' }, ''],
      ['a null title', { title: null }, 'title'],
      ['a blank title', { title: '  ' }, 'title'],
      ['a 201-character title', { title: 't'.repeat(201) }, 'title'],
      ['a numeric title', { title: 5 }, 'title'],
      ['null tags', { tags: null }, 'tags'],
      ['an unknown priority', { priority: 'asap' }, 'priority'],
      ['status done', { status: 'done' }, 'status'],
      ['a date without offset', { dueAt: '2030-01-01T08:00:00' }, 'dueAt'],
      ['an impossible date', { remindAt: '2030-13-01T08:00:00Z' }, 'remindAt'],
      ['an unknown time zone', { timezone: 'Europe/Atlantis' }, 'timezone'],
      ['a numeric recurrence', { recurrence: 1 }, 'recurrence'],
      ['a fractional version', { version: 1.5 }, 'version'],
      ['a body that is an array', [{ title: 'x' }], ''],
    ];
    for (const [what, body, path] of bodies) {
      it(`when the patch has ${what}, then 400 validation-error and nothing changes`, async () => {
        const snapshot = await tableSnapshot(schema);
        const problem = await expectProblem(await patch(task.id, await as.user('alice'), body, { 'if-match': '"1"' }), 400, 'validation-error');
        const errors = problem.errors as Array<{ path: string }>;
        if (path) assert.ok(errors.some((e) => e.path === path), JSON.stringify(errors));
        assert.deepEqual(await tableSnapshot(schema), snapshot);
      });
    }

    const ifMatches: Array<[string, string]> = [
      ['unquoted', '1'],
      ['empty', ''],
      ['garbage', '"1" junk'],
      ['half-quoted', '"1'],
    ];
    for (const [what, header] of ifMatches) {
      it(`when If-Match is ${what}, then 400 invalid-if-match and nothing changes`, async () => {
        const snapshot = await tableSnapshot(schema);
        await expectProblem(await patch(task.id, await as.user('alice'), { title: 'x' }, { 'if-match': header }), 400, 'invalid-if-match');
        assert.deepEqual(await tableSnapshot(schema), snapshot);
      });
    }

    it('when If-Match and the body version disagree, then 400', async () => {
      await expectProblem(await patch(task.id, await as.user('alice'), { title: 'x', version: 2 }, { 'if-match': '"1"' }), 400, 'validation-error');
    });

    it('when the id is not a UUID, then 400', async () => {
      const problem = await expectProblem(await patch('not-a-uuid', await as.user('alice'), { title: 'x' }, { 'if-match': '"1"' }), 400, 'validation-error');
      assert.deepEqual((problem.errors as Array<{ path: string }>).map((e) => e.path), ['id']);
    });

    it('when the body is malformed JSON or not JSON, then 400 or 415', async () => {
      const snapshot = await tableSnapshot(schema);
      await expectProblem(await patch(task.id, await as.user('alice'), '{"title": ', { 'if-match': '"1"' }), 400, 'malformed-json');
      // A JSON document that is not an object is no merge patch of a task either.
      await expectProblem(await patch(task.id, await as.user('alice'), '"title"', { 'if-match': '"1"' }), 400, 'malformed-json');
      await expectProblem(await patch(task.id, await as.user('alice'), 'title=x', { 'if-match': '"1"', 'content-type': 'text/plain' }), 415, 'unsupported-media-type');
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });
  });
});
