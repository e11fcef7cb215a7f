import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { IDEMPOTENCY_KEYS_SQL } from '@lifeline/db';
import { call, expectProblem } from '@lifeline/kit/testing';
import { expectSeries } from './support/api.ts';
import { query } from './support/database.ts';
import { snapshot } from './support/rows.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { rule, tomorrowAt } from './support/times.ts';

describe('POST /recurring/series with Idempotency-Key', () => {
  const now = new Date();
  let stack: Stack;
  let erin: string;

  before(async () => {
    stack = await startStack({ label: 'idempotency', now: () => now, deliver: false });
    erin = await bearer('erin');
  });
  after(async () => {
    await stack?.close();
  });

  const body = (title: string) => ({ title, recurrence: rule(tomorrowAt(now, 9), 'FREQ=WEEKLY') });
  const create = (authorization: string, key: string | undefined, payload: unknown) =>
    call(stack.recurring.url, '/recurring/series', authorization, { method: 'POST', body: payload, ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}) });
  const seriesCount = async (title: string) => Number((await query<{ n: string }>(`SELECT count(*) AS n FROM "${stack.recurringSchema}".series WHERE title = $1`, [title]))[0]?.n);
  const createdEvents = (id: string) => stack.sidecar.published.filter((e) => e.type === 'series.created' && JSON.stringify(e.data).includes(id)).length;

  it('when the same request is sent twice with one key, then one series exists and the second answer replays the first', async () => {
    const first = await create(erin, 'key-replay', body('Replayed'));
    const created = await expectSeries(first, 201);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    // Key order and spacing do not make it another request.
    const again = await create(erin, 'key-replay', JSON.stringify({ recurrence: body('Replayed').recurrence, title: 'Replayed' }));
    assert.deepEqual(await expectSeries(again, 201), created);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('location'), `/recurring/series/${created.id}`);
    assert.equal(await seriesCount('Replayed'), 1);
    await stack.sidecar.idle();
    assert.equal(createdEvents(created.id), 1);
  });

  it('when the series changed after it was created, then a replay still answers the first response', async () => {
    const created = await expectSeries(await create(erin, 'key-changed', body('Before')), 201);
    await expectSeries(await call(stack.recurring.url, `/recurring/series/${created.id}`, erin, { method: 'PATCH', body: { title: 'After' } }));
    assert.deepEqual(await expectSeries(await create(erin, 'key-changed', body('Before')), 201), created);
  });

  it('when a key is reused with another body, then 422 idempotency-key-reuse and nothing is written', async () => {
    await expectSeries(await create(erin, 'key-reuse', body('Original')), 201);
    const before = await snapshot(stack.recurringSchema);
    await expectProblem(await create(erin, 'key-reuse', body('Different')), 422, 'idempotency-key-reuse');
    assert.deepEqual(await snapshot(stack.recurringSchema), before);
  });

  it('when another person sends the same key, then it is their own key and creates their own series', async () => {
    const frank = await bearer('frank');
    const a = await expectSeries(await create(erin, 'shared-key', body('Shared key')), 201);
    const b = await expectSeries(await create(frank, 'shared-key', body('Shared key')), 201);
    assert.notEqual(a.id, b.id);
    assert.equal(b.ownerId, 'frank');
  });

  it('when the key is malformed, then 400 names the header and nothing is written', async () => {
    const before = await snapshot(stack.recurringSchema);
    const problem = await expectProblem(await create(erin, 'with\ttab', body('Bad key')), 400, 'validation-error');
    assert.match(JSON.stringify(problem.errors), /Idempotency-Key/);
    await expectProblem(await create(erin, 'k'.repeat(201), body('Bad key')), 400, 'validation-error');
    assert.deepEqual(await snapshot(stack.recurringSchema), before);
  });

  it('when the create fails after the key was claimed, then the key stays free for a corrected retry', async () => {
    await expectProblem(await create(erin, 'key-after-failure', { title: 'Never', recurrence: 'DTSTART;TZID=Europe/Berlin:20300101T080000\nRRULE:FREQ=SOMETIMES' }), 422);
    const fixed = await expectSeries(await create(erin, 'key-after-failure', body('Corrected')), 201);
    assert.equal(fixed.title, 'Corrected');
  });

  it('when the key has expired, then the same key creates a new series', async () => {
    const first = await expectSeries(await create(erin, 'key-expired', body('Expiring')), 201);
    await query(`UPDATE "${stack.recurringSchema}".idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'key-expired'`);
    const second = await expectSeries(await create(erin, 'key-expired', body('Expiring')), 201);
    assert.notEqual(second.id, first.id);
    const [row] = await query<{ resource_id: string; ttl: string }>(
      `SELECT resource_id::text, extract(epoch FROM expires_at - created_at)::int::text AS ttl FROM "${stack.recurringSchema}".idempotency_keys WHERE key = 'key-expired'`,
    );
    assert.deepEqual(row, { resource_id: second.id, ttl: String(24 * 3600) });
  });

  it('when several requests with one key race, then exactly one series is created and all answer it', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => create(erin, 'key-race', body('Raced'))));
    const series = await Promise.all(answers.map((res) => expectSeries(res, 201)));
    assert.equal(new Set(series.map((s) => s.id)).size, 1);
    assert.equal(await seriesCount('Raced'), 1);
    assert.equal(answers.filter((res) => res.headers.get('idempotent-replayed') === 'true').length, 4);
  });

  it('when the migration is read, then it creates the shared key table verbatim', async () => {
    const sql = await readFile(new URL('../../../prisma/recurring/migrations/20261203130000_idempotency_keys/migration.sql', import.meta.url), 'utf8');
    assert.ok(sql.includes(IDEMPOTENCY_KEYS_SQL));
  });
});
