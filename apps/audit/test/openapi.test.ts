import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValidOpenApi31, componentValidator, documentedOperations, registeredRoutes } from '@lifeline/kit/testing';
import { bulkBody, bulkStatuses, deliver, deliverBulk, getJson, startAudit, type RunningAudit } from './support/audit-app.ts';
import { createAuditSchema, type AuditSchema } from './support/database.ts';
import { cloudEvent, emergencyAcknowledged, taskCreated, taskUpdated } from './support/events.ts';

type Json = Record<string, unknown>;
interface Document {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required: boolean; schema: Json }>; responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components: { schemas: Record<string, Json> };
}

describe('GET /audit/openapi.json', () => {
  let db: AuditSchema;
  let audit: RunningAudit;
  let doc: Document;
  let validate: ReturnType<typeof componentValidator>;
  const created = taskCreated({ time: '2026-05-01T10:00:00.000Z' });

  before(async () => {
    db = await createAuditSchema('openapi');
    audit = await startAudit({ DB_SCHEMA: db.schema });
    const events = [created, taskUpdated({ time: '2026-05-01T10:00:01.000Z' })];
    const res = await deliverBulk(audit.url, 'task-events', bulkBody('task-events', events.map((e) => ({ event: cloudEvent('task-events', e) }))));
    assert.ok(Object.values(await bulkStatuses(res)).every((s) => s === 'SUCCESS'));
    await deliver(audit.url, 'emergency-events', cloudEvent('emergency-events', emergencyAcknowledged({ time: '2026-05-02T08:00:00.000Z' })));
    await deliver(audit.url, 'task-events.dead-letter', cloudEvent('task-events.dead-letter', { ...taskCreated(), schemaVersion: 99 }));
    const doc200 = await fetch(`${audit.url}/audit/openapi.json`);
    assert.equal(doc200.status, 200);
    doc = (await doc200.json()) as Document;
    validate = componentValidator(doc);
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  const json = async (path: string) => {
    const res = await getJson(audit.url, path, ['compliance']);
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return res.json();
  };

  it('when fetched without a token, then it is a valid OpenAPI 3.1 document', async () => {
    await assertValidOpenApi31(doc as unknown as Json);
  });

  it('when the routes the app registered are listed, then every public one is in the document and nothing else is', () => {
    const routes = registeredRoutes(audit.app).filter((route) => /^\S+ \/audit(\/|$)/.test(route));
    assert.deepEqual([...new Set(routes)].sort(), documentedOperations(doc).sort());
  });

  it('when read, then parameters carry the enums, patterns and required flags the routes check', () => {
    const exportParams = doc.paths['/audit/export']?.get?.parameters ?? [];
    assert.deepEqual(exportParams.filter((p) => p.required).map((p) => p.name), ['from', 'to']);
    assert.deepEqual(exportParams.find((p) => p.name === 'format')?.schema.enum, ['ndjson', 'csv']);
    const query = doc.paths['/audit']?.get?.parameters ?? [];
    assert.ok(query.find((p) => p.name === 'entity_type')?.schema.pattern);
    assert.ok(query.find((p) => p.name === 'source')?.schema.pattern);
    assert.deepEqual(doc.paths['/audit/{entityType}/{entityId}']?.get?.parameters?.filter((p) => p.in === 'path').map((p) => p.name), ['entityType', 'entityId']);
    assert.ok(doc.paths['/audit/export']?.get?.responses['200']?.content?.['text/csv']);
  });

  it('when real answers are checked against their schemas, then they validate; broken ones do not', async () => {
    const page = (await json('/audit')) as { items: Json[] };
    assert.equal(page.items.length, 3);
    assert.deepEqual(validate('AuditEventPage', page), { ok: true, errors: null });
    assert.equal(validate('AuditEvent', { ...page.items[0], chainId: 'one' }).ok, false);
    assert.deepEqual(validate('AuditEventPage', await json(`/audit/task/${created.subject}`)), { ok: true, errors: null });
    assert.deepEqual(validate('AuditEventPage', await json(`/audit/user/${created.actor.id}/activity`)), { ok: true, errors: null });
    assert.deepEqual(validate('VerifyReport', await json('/audit/verify')), { ok: true, errors: null });
    assert.deepEqual(validate('VerifyReport', await json('/audit/verify?from=2026-05-01&to=2026-05-02')), { ok: true, errors: null });
    const letters = (await json('/audit/dead-letters')) as { items: unknown[] };
    assert.equal(letters.items.length, 1);
    assert.deepEqual(validate('DeadLetterPage', letters), { ok: true, errors: null });
    const exported = await getJson(audit.url, '/audit/export?from=2026-05-01&to=2026-05-03', ['compliance']);
    const lines = (await exported.text()).trim().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.deepEqual(validate('AuditEvent', JSON.parse(line)), { ok: true, errors: null });
    const problem = await getJson(audit.url, '/audit?limit=0', ['compliance']);
    assert.equal(problem.status, 400);
    assert.equal(validate('Problem', await problem.json()).ok, true);
  });
});
