import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValidOpenApi31, call, componentValidator, documentedOperations, eventually, expectJson, registeredRoutes } from '@lifeline/kit/testing';
import { expectSeries } from './support/api.ts';
import { instanceRows } from './support/rows.ts';
import { bearer, startStack, type Stack } from './support/stack.ts';
import { rule, tomorrowAt } from './support/times.ts';

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Json;
}
interface Document {
  paths: Record<string, Record<string, { operationId: string; parameters?: Parameter[]; responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components: { schemas: Record<string, Json> };
}

describe('GET /recurring/openapi.json', () => {
  const now = new Date();
  let stack: Stack;
  let doc: Document;
  let validate: ReturnType<typeof componentValidator>;

  before(async () => {
    stack = await startStack({ label: 'openapi', now: () => now, env: { FUTURE_INSTANCES_HORIZON_DAYS: '3' } });
    const res = await fetch(`${stack.recurring.url}/recurring/openapi.json`);
    assert.equal(res.status, 200);
    doc = (await res.json()) as Document;
    validate = componentValidator(doc);
  });
  after(async () => {
    await stack?.close();
  });

  it('when fetched without a token, then it is a valid OpenAPI 3.1 document', async () => {
    await assertValidOpenApi31(doc as unknown as Json);
  });

  it('when the routes the app registered are listed, then every public one is in the document and nothing else is', () => {
    const routes = registeredRoutes(stack.recurring.app).filter((route) => /^\S+ \/recurring\//.test(route));
    assert.deepEqual([...new Set(routes)].sort(), documentedOperations(doc).sort());
  });

  it('when read, then parameters carry the enums, patterns and bounds the routes check', () => {
    const list = doc.paths['/recurring/series']?.get?.parameters ?? [];
    assert.deepEqual(list.map((p) => p.name), ['ownerId', 'status', 'limit', 'after']);
    assert.deepEqual(list.find((p) => p.name === 'status')?.schema.enum, ['active', 'ended']);
    const create = doc.paths['/recurring/series']?.post;
    assert.deepEqual(create?.parameters?.map((p) => [p.name, p.in, p.required]), [['Idempotency-Key', 'header', false]]);
    assert.ok(create?.parameters?.[0]?.schema.pattern);
    const occurrences = doc.paths['/recurring/series/{id}/occurrences']?.get?.parameters ?? [];
    assert.deepEqual(occurrences.map((p) => [p.name, p.in, p.required]), [['id', 'path', true], ['from', 'query', false], ['to', 'query', false], ['limit', 'query', false]]);
    assert.match(JSON.stringify(occurrences.find((p) => p.name === 'from')?.schema), /"pattern"/, 'instants are described by their pattern');
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) >= 400) assert.deepEqual(response.content?.['application/problem+json']?.schema, { $ref: '#/components/schemas/Problem' }, `${method} ${path} ${status}`);
        }
      }
    }
  });

  it('when real answers are checked against their schemas, then they validate; broken ones do not', async () => {
    const dave = await bearer('dave');
    const series = await expectSeries(
      await call(stack.recurring.url, '/recurring/series', dave, { method: 'POST', body: { title: 'Documented', recurrence: rule(tomorrowAt(now, 7), 'FREQ=DAILY') } }),
      201,
    );
    assert.deepEqual(validate('Series', series), { ok: true, errors: null });
    assert.equal(validate('Series', { ...series, status: 'paused' }).ok, false);
    await eventually(async () => (await instanceRows(stack.recurringSchema, series.id)).some((r) => r.state === 'open'), 'the first instances');
    assert.deepEqual(validate('SeriesPage', await expectJson(await call(stack.recurring.url, '/recurring/series?limit=1', dave))), { ok: true, errors: null });
    const preview = await expectJson(await call(stack.recurring.url, `/recurring/series/${series.id}/occurrences?limit=5`, dave));
    assert.deepEqual(validate('OccurrencePage', preview), { ok: true, errors: null });
    assert.ok((preview.items as Array<{ instance: unknown }>).some((item) => item.instance !== null), 'an instance is shown beside its occurrence');
    const problem = await call(stack.recurring.url, '/recurring/series?limit=0', dave);
    assert.equal(problem.status, 400);
    assert.equal(validate('Problem', await problem.json()).ok, true);
  });

  it('when request bodies are checked against CreateSeries and PatchSeries, then they accept and refuse what the routes do', () => {
    assert.equal(validate('CreateSeries', { title: 'ok', recurrence: 'DTSTART;TZID=UTC:20300101T080000\nRRULE:FREQ=DAILY' }).ok, true);
    assert.equal(validate('CreateSeries', { title: 'ok', recurrence: 'x', colour: 'red' }).ok, false);
    assert.equal(validate('CreateSeries', { recurrence: 'x' }).ok, false);
    assert.equal(validate('PatchSeries', { notes: null, version: 2 }).ok, true);
    assert.equal(validate('PatchSeries', { priority: 'asap' }).ok, false);
  });
});
