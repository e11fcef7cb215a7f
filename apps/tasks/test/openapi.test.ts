import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { assertValidOpenApi31, call, documentedOperations, registeredRoutes } from '@lifeline/kit/testing';
import { as, createTaskAs } from './support/api.ts';
import { createTestSchema, dropSchema } from './support/database.ts';
import { closedPort } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: Json }>;
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
  security?: unknown[];
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

describe('GET /tasks/openapi.json', () => {
  let schema: string;
  let app: RunningTasksApp;
  let doc: Document;
  let ajv: Ajv2020;

  before(async () => {
    schema = await createTestSchema('openapi');
    app = await startTasksApp({ schema, daprPort: await closedPort() });
    const res = await fetch(`${app.url}/tasks/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await res.json()) as Document;
    // The component schemas are JSON Schema 2020-12; register them so $refs resolve as a client's validator would.
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', true).addFormat('uuid', true).addFormat('email', true);
    ajv.addSchema({ $id: 'openapi', components: doc.components });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  const validate = (name: string, value: unknown) => {
    const check = ajv.getSchema(`openapi#/components/schemas/${name}`);
    assert.ok(check, `no schema ${name}`);
    return { ok: check(value) === true, errors: check.errors };
  };

  it('when fetched without a token, then it is a valid OpenAPI 3.1 document with a bearer security scheme', async () => {
    await assertValidOpenApi31(doc as unknown as Json);
    assert.ok(doc.info.title && doc.info.version);
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: doc.components.securitySchemes.bearerAuth?.description,
    });
    assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
    assert.deepEqual(doc.paths['/tasks/openapi.json']?.get?.security, []);
  });

  it('when fetched at the older /openapi.json, then it is the same document', async () => {
    assert.deepEqual(await (await fetch(`${app.url}/openapi.json`)).json(), doc);
  });

  it('when the routes the app registered are listed, then every public one is in the document and nothing else is', () => {
    // Public routes are /tasks and below; /tasks-reminder-cron is the sidecar's binding route, not the API.
    const routes = registeredRoutes(app.app).filter((route) => /^\S+ \/tasks(\/|$)/.test(route));
    assert.deepEqual([...new Set(routes)].sort(), documentedOperations(doc).sort());
  });

  it('when read, then every route of the service is there with its operation', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`));
    assert.deepEqual(operations.sort(), [
      'DELETE /tasks/{id} deleteTask',
      'GET /tasks listTasks',
      'GET /tasks/openapi.json getOpenApi',
      'GET /tasks/{id} getTask',
      'PATCH /tasks/{id} updateTask',
      'POST /tasks createTask',
      'POST /tasks/{id}/complete completeTask',
      'POST /tasks/{id}/reopen reopenTask',
    ]);
  });

  it('when read, then parameters, request bodies and problem+json responses are described', () => {
    const list = doc.paths['/tasks']?.get;
    assert.deepEqual(list?.parameters?.map((p) => p.name), ['ownerId', 'status', 'tag', 'dueFrom', 'dueTo', 'q', 'sort', 'limit', 'cursor']);
    const limit = list?.parameters?.find((p) => p.name === 'limit')?.schema;
    assert.deepEqual([limit?.type, limit?.minimum, limit?.maximum, limit?.default], ['integer', 1, 200, 50]);
    assert.ok((list?.parameters?.find((p) => p.name === 'sort')?.schema.enum as string[]).includes('-dueAt'));
    assert.equal(doc.paths['/tasks']?.post?.parameters?.[0]?.name, 'Idempotency-Key');
    assert.ok(doc.paths['/tasks']?.post?.parameters?.[0]?.schema.pattern, 'the key pattern is published');
    assert.ok(list?.parameters?.find((p) => p.name === 'status')?.schema.pattern, 'the status list pattern is published');
    assert.deepEqual(doc.paths['/tasks']?.post?.requestBody?.content['application/json']?.schema, { $ref: '#/components/schemas/CreateTask' });
    const patch = doc.paths['/tasks/{id}']?.patch;
    assert.ok(patch?.requestBody?.content['application/merge-patch+json']);
    // version in the body stands in for If-Match, so the header is optional; neither is a 428.
    assert.deepEqual(patch?.parameters?.map((p) => [p.name, p.in, p.required]), [['id', 'path', true], ['If-Match', 'header', false]]);
    assert.ok(['412', '428', '422'].every((s) => patch?.responses[s]));
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          assert.deepEqual(response.content?.['application/problem+json']?.schema, { $ref: '#/components/schemas/Problem' }, `${method} ${path} ${status}`);
        }
      }
    }
  });

  it('when a real task is checked against the Task schema, then it validates; a broken one does not', async () => {
    const task = await createTaskAs(app.url, await as.user('alice'), { title: 'Documented', tags: ['docs'], dueAt: '2030-01-01T08:00:00Z' });
    assert.deepEqual(validate('Task', task), { ok: true, errors: null });
    assert.equal(validate('Task', { ...task, priority: 'asap' }).ok, false);
    const page: unknown = await (await call(app.url, '/tasks', await as.user('alice'))).json();
    assert.equal(validate('TaskPage', page).ok, true);
  });

  it('when request bodies are checked against CreateTask and PatchTask, then they accept and refuse what the routes do', () => {
    assert.equal(validate('CreateTask', { title: 'ok', priority: 'high', tags: ['a'] }).ok, true);
    assert.equal(validate('CreateTask', { title: 'ok', colour: 'red' }).ok, false);
    assert.equal(validate('CreateTask', { notes: 'no title' }).ok, false);
    assert.equal(validate('PatchTask', { notes: null, version: 3 }).ok, true);
    assert.equal(validate('PatchTask', { status: 'done' }).ok, false);
  });

  it('when a PATCH carries version in the body but no If-Match, then it is accepted as documented; with neither, then 428', async () => {
    const alice = await as.user('alice');
    const task = (await createTaskAs(app.url, alice, { title: 'Patched' })) as { id: string };
    const patch = (body: unknown) => call(app.url, `/tasks/${task.id}`, alice, { method: 'PATCH', body });
    assert.equal((await patch({ title: 'By body version', version: 1 })).status, 200);
    const refused = await patch({ title: 'No version' });
    assert.equal(refused.status, 428);
    assert.ok(doc.paths['/tasks/{id}']?.patch?.responses['428']);
    assert.equal(validate('Problem', await refused.json()).ok, true);
  });

  it('when a problem answer is checked against Problem, then it validates', async () => {
    const res = await call(app.url, '/tasks?limit=0', await as.user('alice'));
    assert.equal(validate('Problem', await res.json()).ok, true);
  });
});
