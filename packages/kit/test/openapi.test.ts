import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { componentSchemas, inlineSchema, openApiDocument, problemCatalog, queryParameters } from '../src/index.ts';
import { assertValidOpenApi31, componentValidator } from '../src/testing/index.ts';

test('when a query shape becomes parameters, then optional and defaulted keys are not required and descriptions move to the parameter', () => {
  const params = queryParameters({
    q: z.string().min(1).describe('Text to find.'),
    limit: z.coerce.number().int().min(1).max(10).default(5),
    cursor: z.string().optional(),
  });
  assert.deepEqual(
    params.map((p) => [p.name, p.in, p.required, p.description]),
    [
      ['q', 'query', true, 'Text to find.'],
      ['limit', 'query', false, undefined],
      ['cursor', 'query', false, undefined],
    ],
  );
  assert.deepEqual(params[1]?.schema, { default: 5, type: 'integer', minimum: 1, maximum: 10 });
});

test('when a request schema has a pattern beside a format, then only the pattern the route checks is published; responses keep formats', () => {
  const email = z.email();
  const input = inlineSchema(email, 'input');
  assert.equal(input.format, undefined);
  assert.equal(typeof input.pattern, 'string');
  assert.equal(inlineSchema(email, 'output').format, 'email');
});

test('when components share a recursive schema, then it becomes a component of its own and every reference resolves', async () => {
  const schemas = componentSchemas('output', { Doc: z.strictObject({ body: z.json(), extra: z.json().nullable() }) });
  // Each z.json() is a schema object of its own, so each gets its component.
  const shared = Object.keys(schemas).filter((id) => id.startsWith('Shared_output_'));
  assert.equal(shared.length, 2);
  assert.doesNotMatch(JSON.stringify(schemas), /__shared/);
  const document = openApiDocument({ title: 't', description: 'd', documentPath: '/t/openapi.json', paths: {}, schemas: { output: { Doc: z.strictObject({ body: z.json() }) } }, securityDescription: 's' });
  await assertValidOpenApi31(document);
  const validate = componentValidator(document as { components: Record<string, unknown> });
  assert.equal(validate('Doc', { body: { a: [1, 'x', null, { b: true }] } }).ok, true);
  assert.equal(validate('Doc', { body: 1, other: 2 }).ok, false);
});

test('when an operation picks from a problem catalog, then it gets exactly those statuses with the app wording', () => {
  const pick = problemCatalog({ 400: 'bad', 404: 'gone', 409: 'clash' });
  assert.deepEqual(pick(404, 400), { 400: 'bad', 404: 'gone' });
});
