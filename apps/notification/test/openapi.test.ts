import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValidOpenApi31, call, componentValidator, documentedOperations, expectJson, expectProblem, registeredRoutes } from '@lifeline/kit/testing';
import { deliver, reminderDue } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { connectLive } from './support/live-client.ts';
import { as } from './support/notification-app.ts';

type Json = Record<string, unknown>;
interface Document {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required: boolean; schema: Json }>; responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components: { schemas: Record<string, Json> };
}

describe('GET /notification/openapi.json', () => {
  let h: Harness;
  let doc: Document;
  let validate: ReturnType<typeof componentValidator>;

  before(async () => {
    h = await startHarness('openapi');
    const res = await fetch(`${h.app.url}/notification/openapi.json`);
    assert.equal(res.status, 200);
    doc = (await res.json()) as Document;
    validate = componentValidator(doc);
  });
  after(async () => {
    await h?.close();
  });

  it('when fetched without a token, then it is a valid OpenAPI 3.1 document', async () => {
    await assertValidOpenApi31(doc as unknown as Json);
  });

  it('when the routes the app registered are listed, then every public one is in the document and nothing else is', () => {
    const routes = registeredRoutes(h.app.app).filter((route) => /^\S+ \/notification\//.test(route));
    assert.deepEqual([...new Set(routes)].sort(), documentedOperations(doc).sort());
  });

  it('when read, then parameters carry the enums and patterns the routes check', () => {
    const list = doc.paths['/notification/notifications']?.get?.parameters ?? [];
    assert.deepEqual(list.map((p) => p.name), ['userId', 'status', 'channel', 'limit', 'cursor']);
    assert.deepEqual(list.find((p) => p.name === 'status')?.schema.enum, ['queued', 'sent', 'failed', 'suppressed']);
    assert.deepEqual(list.find((p) => p.name === 'channel')?.schema.enum, ['email', 'websocket', 'push']);
    const limit = new RegExp(String(list.find((p) => p.name === 'limit')?.schema.pattern));
    assert.deepEqual(['1', '200', '0', '201', '007'].map((n) => limit.test(n)), [true, true, false, false, false]);
    const quiet = JSON.stringify(doc.components.schemas.PreferencesInput);
    assert.match(quiet, /"pattern"/, 'quiet hours and push tokens carry their patterns');
  });

  it('when real answers are checked against their schemas, then they validate; broken ones do not', async () => {
    const rita = await as.user('rita');
    const defaults = await expectJson(await call(h.app.url, '/notification/preferences/rita', rita));
    assert.deepEqual(validate('Preferences', defaults), { ok: true, errors: null });
    const input = { email: 'rita@example.test', quietHours: { start: '22:00', end: '07:00' }, timezone: 'Europe/Berlin', channels: { push: false } };
    assert.equal(validate('PreferencesInput', input).ok, true);
    const stored = await expectJson(await call(h.app.url, '/notification/preferences/rita', rita, { method: 'PUT', body: input }));
    assert.deepEqual(validate('Preferences', stored), { ok: true, errors: null });
    assert.equal(validate('Preferences', { ...stored, channels: { email: 'yes' } }).ok, false);
    assert.equal(validate('PreferencesInput', { quietHours: { start: '25:00', end: '07:00' } }).ok, false);

    await deliver(h.app.url, 'reminders', reminderDue('rita', { title: 'Documented' }));
    const page = await expectJson(await call(h.app.url, '/notification/notifications', rita));
    assert.ok((page.items as unknown[]).length > 0);
    assert.deepEqual(validate('DeliveryPage', page), { ok: true, errors: null });
    const problem = await call(h.app.url, '/notification/notifications?limit=0', rita);
    assert.equal(problem.status, 400);
    assert.equal(validate('Problem', await problem.json()).ok, true);
  });

  it('when the WebSocket path is fetched without an upgrade, then 426 problem+json as documented; with one, then the socket opens', async () => {
    const problem = await expectProblem(await call(h.app.url, '/notification/ws', await as.user('rita')), 426, 'upgrade-required');
    assert.equal(validate('Problem', problem).ok, true);
    assert.ok(doc.paths['/notification/ws']?.get?.responses['426']);
    assert.ok(doc.paths['/notification/ws']?.get?.responses['101']);
    const live = await connectLive(h.app.url, { authorization: await as.user('rita') });
    await live.close();
  });
});
