import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { taskStateSchema } from '@lifeline/contracts';
import { call, eventually, expectProblem } from '@lifeline/kit/testing';
import { IDEMPOTENCY_KEYS_SQL } from '@lifeline/db';
import { canonicalJson, requestHash } from '@lifeline/kit';
import { as } from './support/api.ts';
import { admin, countRows, createTestSchema, dropSchema, tableSnapshot } from './support/database.ts';
import { startSidecarRecorder, type SidecarRecorder } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

describe('request hashing', () => {
  it('when two bodies differ only in key order and spacing, then they hash the same; any value change hashes differently', () => {
    assert.equal(canonicalJson({ b: [1, { y: 2, x: 1 }], a: 'x' }), '{"a":"x","b":[1,{"x":1,"y":2}]}');
    assert.equal(requestHash('POST /tasks', { title: 'a', tags: ['x'] }), requestHash('POST /tasks', { tags: ['x'], title: 'a' }));
    assert.notEqual(requestHash('POST /tasks', { title: 'a' }), requestHash('POST /tasks', { title: 'a ' }));
    assert.notEqual(requestHash('POST /tasks', { tags: ['x', 'y'] }), requestHash('POST /tasks', { tags: ['y', 'x'] }));
  });
});

describe('Idempotency-Key on POST /tasks', () => {
  let schema: string;
  let app: RunningTasksApp;
  let recorder: SidecarRecorder;

  before(async () => {
    schema = await createTestSchema('idempotency');
    recorder = await startSidecarRecorder();
    app = await startTasksApp({ schema, daprPort: recorder.port });
  });
  after(async () => {
    await app?.close();
    await recorder?.close();
    if (schema) await dropSchema(schema);
  });

  it('when the migrated key table is compared with the shared one of @lifeline/db, then columns, keys and index are the same', async () => {
    const shape = async (name: string) => {
      const columns = await admin((c) => c.query(`SELECT column_name, data_type, character_maximum_length, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'idempotency_keys' ORDER BY column_name`, [name]));
      const indexes = await admin((c) => c.query(`SELECT indexname, regexp_replace(indexdef, ' ON .*\\.', ' ON ') AS def FROM pg_indexes WHERE schemaname = $1 AND tablename = 'idempotency_keys' ORDER BY indexname`, [name]));
      return { columns: columns.rows, indexes: indexes.rows };
    };
    const shared = `${schema}_shared`;
    await admin((c) => c.query(`CREATE SCHEMA "${shared}"; SET search_path TO "${shared}"; ${IDEMPOTENCY_KEYS_SQL}`));
    try {
      assert.deepEqual(await shape(schema), await shape(shared));
    } finally {
      await admin((c) => c.query(`DROP SCHEMA "${shared}" CASCADE`));
    }
  });

  const create = async (authorization: string, key: string | undefined, body: unknown) =>
    call(app.url, '/tasks', authorization, { method: 'POST', body, headers: key === undefined ? {} : { 'idempotency-key': key } });

  it('when the same request is repeated with the same key, then the first answer is replayed: same status, body, Location, ETag; one task, one event', async () => {
    const key = randomUUID();
    const token = await as.user('alice');
    const counts = [await countRows(schema, 'tasks'), await countRows(schema, 'outbox')];
    const first = await create(token, key, { title: 'Book the doctor', tags: ['health'], priority: 'high' });
    assert.equal(first.status, 201);
    const firstBody = await first.text();
    // Same JSON, other key order and spacing.
    const again = await call(app.url, '/tasks', token, { method: 'POST', body: '{ "priority": "high",  "tags": ["health"], "title": "Book the doctor" }', headers: { 'idempotency-key': key } });
    assert.equal(again.status, 201);
    assert.equal(await again.text(), firstBody);
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    assert.equal(again.headers.get('etag'), first.headers.get('etag'));
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.deepEqual([await countRows(schema, 'tasks'), await countRows(schema, 'outbox')], [counts[0]! + 1, counts[1]! + 1]);
  });

  it('when the task changed after its creation, then a replay still answers what the first response said', async () => {
    const key = randomUUID();
    const token = await as.user('alice');
    const first = taskStateSchema.parse(await (await create(token, key, { title: 'First words' })).json());
    const patched = await call(app.url, `/tasks/${first.id}`, token, { method: 'PATCH', headers: { 'if-match': '"1"' }, body: { title: 'Later words' } });
    assert.equal(patched.status, 200);
    const replay = await create(token, key, { title: 'First words' });
    assert.deepEqual(taskStateSchema.parse(await replay.json()), first);
  });

  it('when the same key comes with a different body, then 422 idempotency-key-reuse and nothing is written', async () => {
    const key = randomUUID();
    const token = await as.user('alice');
    assert.equal((await create(token, key, { title: 'Original' })).status, 201);
    const snapshot = await tableSnapshot(schema);
    const problem = await expectProblem(await create(token, key, { title: 'Something else' }), 422, 'idempotency-key-reuse');
    assert.match(String(problem.detail), /different request body/);
    assert.deepEqual(await tableSnapshot(schema), snapshot);
  });

  it('when another caller uses the same key, then it is their own key and creates their own task', async () => {
    const key = randomUUID();
    const a = await create(await as.user('alice'), key, { title: 'Shared key' });
    const b = await create(await as.user('bob'), key, { title: 'Shared key' });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.headers.get('location'), b.headers.get('location'));
  });

  it('when many identical requests race with one key, then exactly one task and one event exist and every answer is that task', async () => {
    const key = randomUUID();
    const token = await as.user('alice');
    const counts = [await countRows(schema, 'tasks'), await countRows(schema, 'outbox')];
    const responses = await Promise.all(Array.from({ length: 12 }, () => create(token, key, { title: 'Raced', tags: ['x'] })));
    assert.deepEqual(responses.map((r) => r.status), Array.from({ length: 12 }, () => 201));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    assert.equal(new Set(bodies).size, 1);
    assert.equal(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 11);
    assert.deepEqual([await countRows(schema, 'tasks'), await countRows(schema, 'outbox')], [counts[0]! + 1, counts[1]! + 1]);
  });

  it('when the first attempt was refused (403), then the key is not spent and a valid request with it creates the task', async () => {
    const key = randomUUID();
    const token = await as.user('alice');
    await expectProblem(await create(token, key, { title: 'Not mine', ownerId: 'bob' }), 403, 'forbidden');
    assert.equal((await create(token, key, { title: 'Mine' })).status, 201);
  });

  it('when a key has expired, then it is taken as new and creates another task', async () => {
    const key = randomUUID();
    const token = await as.user('alice');
    const first = await create(token, key, { title: 'Old' });
    await admin((client) => client.query(`UPDATE "${schema}".idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]));
    const second = await create(token, key, { title: 'Old' });
    assert.equal(second.status, 201);
    assert.equal(second.headers.get('idempotent-replayed'), null);
    assert.notEqual(second.headers.get('location'), first.headers.get('location'));
  });

  it('when the relay does its housekeeping, then expired keys are deleted and live ones kept', async () => {
    const token = await as.user('alice');
    const expired = randomUUID();
    const live = randomUUID();
    await create(token, expired, { title: 'expires' });
    await create(token, live, { title: 'stays' });
    await admin((client) => client.query(`UPDATE "${schema}".idempotency_keys SET expires_at = now() - interval '1 hour' WHERE key = $1`, [expired]));
    app.relay.start();
    const keys = async () => (await admin((c) => c.query<{ key: string }>(`SELECT key FROM "${schema}".idempotency_keys`))).rows.map((r) => r.key);
    await eventually(async () => !(await keys()).includes(expired), 'the expired key to be deleted');
    assert.ok((await keys()).includes(live));
    await app.relay.stop();
  });

  const badKeys: Array<[string, string]> = [
    ['201 characters long', 'k'.repeat(201)],
    ['made of non-ASCII characters', 'schlüssel'],
  ];
  for (const [what, key] of badKeys) {
    it(`when the key is ${what}, then 400 and nothing is written`, async () => {
      const snapshot = await tableSnapshot(schema);
      const res = await fetch(`${app.url}/tasks`, {
        method: 'POST',
        headers: { authorization: await as.user('alice'), 'content-type': 'application/json', 'idempotency-key': encodeURIComponent(key) === key ? key : Buffer.from(key, 'utf8').toString('latin1') },
        body: JSON.stringify({ title: 'x' }),
      });
      const problem = await expectProblem(res, 400, 'validation-error');
      assert.deepEqual((problem.errors as Array<{ path: string }>).map((e) => e.path), ['Idempotency-Key']);
      assert.deepEqual(await tableSnapshot(schema), snapshot);
    });
  }

  it('when the key is 200 characters, then it is accepted', async () => {
    assert.equal((await create(await as.user('alice'), 'k'.repeat(200), { title: 'long key' })).status, 201);
  });
});
