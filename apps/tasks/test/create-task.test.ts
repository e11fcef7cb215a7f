import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { taskStateSchema } from '@lifeline/contracts';
import { closedPort } from './support/sidecar-recorder.ts';
import { countRows, createTestSchema, dropSchema } from './support/database.ts';
import { bearer, postTask, startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

describe('POST /tasks', () => {
  let schema: string;
  let app: RunningTasksApp;

  before(async () => {
    schema = await createTestSchema('create');
    // The relay stays off: these tests look at what the request itself wrote.
    app = await startTasksApp({ schema, daprPort: await closedPort() });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  async function expectProblem(res: Response, status: number, typeSlug?: string): Promise<Record<string, unknown>> {
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, status);
    if (typeSlug) assert.equal(body.type, `https://lifeline.dev/problems/${typeSlug}`);
    return body;
  }

  it('when a user creates a task for themselves, then 201 returns the stored task with Location and ETag', async () => {
    const res = await postTask(app.url, await bearer('alice'), {
      title: '  Take blood pressure pills ',
      notes: 'with water',
      priority: 'high',
      tags: ['health', 'morning', 'health'],
      dueAt: '2030-01-02T08:00:00+01:00',
      remindAt: '2030-01-02T07:45:00+01:00',
      timezone: 'europe/berlin',
      recurrence: 'DTSTART;TZID=Europe/Berlin:20300102T080000\nRRULE:FREQ=DAILY;BYHOUR=8',
    });
    assert.equal(res.status, 201);
    const task = taskStateSchema.parse(await res.json());
    assert.equal(res.headers.get('location'), `/tasks/${task.id}`);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(task.ownerId, 'alice');
    assert.equal(task.createdBy, 'alice');
    assert.equal(task.title, 'Take blood pressure pills');
    assert.equal(task.notes, 'with water');
    assert.equal(task.priority, 'high');
    assert.deepEqual(task.tags, ['health', 'morning']);
    assert.equal(task.dueAt, '2030-01-02T07:00:00.000Z');
    assert.equal(task.remindAt, '2030-01-02T06:45:00.000Z');
    assert.equal(task.timezone, 'Europe/Berlin');
    assert.equal(task.recurrence, 'DTSTART;TZID=Europe/Berlin:20300102T080000\nRRULE:FREQ=DAILY;BYHOUR=8');
    assert.equal(task.status, 'open');
    assert.equal(task.completedAt, null);
    assert.equal(task.version, 1);
    assert.equal(task.createdAt, task.updatedAt);
  });

  it('when only a title is sent, then the defaults are filled in', async () => {
    const res = await postTask(app.url, await bearer('bob'), { title: 'Call the pharmacy' });
    assert.equal(res.status, 201);
    const task = taskStateSchema.parse(await res.json());
    assert.deepEqual(
      { notes: task.notes, priority: task.priority, tags: task.tags, dueAt: task.dueAt, remindAt: task.remindAt, timezone: task.timezone, recurrence: task.recurrence },
      { notes: null, priority: 'normal', tags: [], dueAt: null, remindAt: null, timezone: 'UTC', recurrence: null },
    );
  });

  it('when a user creates a task for someone else without a care claim, then 403 and nothing is written', async () => {
    const before = await countRows(schema, 'tasks');
    const res = await postTask(app.url, await bearer('mallory', ['user']), { title: 'Not yours', ownerId: 'alice' });
    await expectProblem(res, 403, 'forbidden');
    assert.equal(await countRows(schema, 'tasks'), before);
  });

  it('when a caregiver creates a task for someone outside their care claim, then 403', async () => {
    const res = await postTask(app.url, await bearer('carol', ['caregiver'], ['dave']), { title: 'Nope', ownerId: 'erin' });
    await expectProblem(res, 403, 'forbidden');
  });

  it('when a caregiver creates a task for a person in their care claim, then 201 with that owner and the caregiver as creator', async () => {
    const res = await postTask(app.url, await bearer('carol', ['caregiver'], ['dave']), { title: 'Evening walk', ownerId: 'dave' });
    assert.equal(res.status, 201);
    const task = taskStateSchema.parse(await res.json());
    assert.equal(task.ownerId, 'dave');
    assert.equal(task.createdBy, 'carol');
  });

  it('when an admin creates a task for anyone, then 201', async () => {
    const res = await postTask(app.url, await bearer('root', ['admin']), { title: 'Check in', ownerId: 'frank' });
    assert.equal(res.status, 201);
  });

  it('when the caller only has the compliance role, then 403', async () => {
    const res = await postTask(app.url, await bearer('olga', ['compliance']), { title: 'Audit me' });
    await expectProblem(res, 403, 'forbidden');
  });

  it('when no token is sent, then 401 problem+json with a Bearer challenge', async () => {
    const res = await postTask(app.url, undefined, { title: 'Anonymous' });
    await expectProblem(res, 401, 'unauthorized');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="lifeline"/);
  });

  it('when the token is invalid, then 401 problem+json and nothing is written', async () => {
    const before = await countRows(schema, 'tasks');
    const forged = (await bearer('alice')).slice(0, -4) + 'AAAA';
    await expectProblem(await postTask(app.url, forged, { title: 'Forged' }), 401, 'unauthorized');
    await expectProblem(await postTask(app.url, 'Bearer not.a.jwt', { title: 'Garbage' }), 401, 'unauthorized');
    assert.equal(await countRows(schema, 'tasks'), before);
  });

  const invalidBodies: Array<[string, unknown, string]> = [
    ['the title is missing', { notes: 'no title' }, 'title'],
    ['the title is blank', { title: '   ' }, 'title'],
    ['the title has 201 characters', { title: 'x'.repeat(201) }, 'title'],
    ['the title is a number', { title: 42 }, 'title'],
    ['tags is a string', { title: 'ok', tags: 'health' }, 'tags'],
    ['the priority is unknown', { title: 'ok', priority: 'asap' }, 'priority'],
    ['dueAt has no offset', { title: 'ok', dueAt: '2030-01-02T08:00:00' }, 'dueAt'],
    ['the timezone is not an IANA zone', { title: 'ok', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    ['the timezone is malformed', { title: 'ok', timezone: 'UTC+2 ; drop' }, 'timezone'],
    ['the recurrence is a number', { title: 'ok', recurrence: 7 }, 'recurrence'],
    ['the recurrence has 2001 characters', { title: 'ok', recurrence: 'R'.repeat(2001) }, 'recurrence'],
    ['the notes have 5001 characters', { title: 'ok', notes: 'n'.repeat(5001) }, 'notes'],
    ['there are 21 tags', { title: 'ok', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
    ['a tag has 51 characters', { title: 'ok', tags: ['x'.repeat(51)] }, 'tags.0'],
    ['dueAt is not a date', { title: 'ok', dueAt: 'tomorrow' }, 'dueAt'],
    ['dueAt is February 30th', { title: 'ok', dueAt: '2030-02-30T08:00:00Z' }, 'dueAt'],
    ['remindAt is a number', { title: 'ok', remindAt: 1700000000 }, 'remindAt'],
    ['ownerId is empty', { title: 'ok', ownerId: '' }, 'ownerId'],
    ['the priority is null', { title: 'ok', priority: null }, 'priority'],
    ['an unknown field is sent', { title: 'ok', colour: 'red' }, ''],
    ['a server-owned field is sent', { title: 'ok', version: 7 }, ''],
    ['the body is an array', [{ title: 'ok' }], ''],
  ];
  for (const [when, body, path] of invalidBodies) {
    it(`when ${when}, then 400 validation-error naming the field and no row is written`, async () => {
      const before = [await countRows(schema, 'tasks'), await countRows(schema, 'outbox')];
      const problem = await expectProblem(await postTask(app.url, await bearer('alice'), body), 400, 'validation-error');
      const errors = problem.errors as Array<{ path: string; message: string }>;
      assert.ok(errors.length > 0);
      if (path) assert.ok(errors.some((e) => e.path === path), `expected an error at ${path}: ${JSON.stringify(errors)}`);
      assert.deepEqual([await countRows(schema, 'tasks'), await countRows(schema, 'outbox')], before);
    });
  }

  it('when the body is malformed JSON, then 400 malformed-json and no row is written', async () => {
    const before = await countRows(schema, 'tasks');
    await expectProblem(await postTask(app.url, await bearer('alice'), '{"title": "unterminated'), 400, 'malformed-json');
    assert.equal(await countRows(schema, 'tasks'), before);
  });

  it('when the body is not JSON, then 415 and no row is written', async () => {
    const before = await countRows(schema, 'tasks');
    const res = await postTask(app.url, await bearer('alice'), 'title=hello', { 'content-type': 'application/x-www-form-urlencoded' });
    await expectProblem(res, 415, 'unsupported-media-type');
    assert.equal(await countRows(schema, 'tasks'), before);
  });
});
