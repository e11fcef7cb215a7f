import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValidOpenApi31, call, componentValidator, documentedOperations, expectJson, registeredRoutes } from '@lifeline/kit/testing';
import { addOutsideContact, addUserContact, raise, someone } from './support/api.ts';
import { createTestSchema, dropSchema } from './support/database.ts';
import { as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

type Json = Record<string, unknown>;
interface Document {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: Json }> }>>;
  components: { schemas: Record<string, Json> };
}

describe('GET /emergencies/openapi.json', () => {
  let schema: string;
  let app: RunningEmergencyApp;
  let doc: Document;

  before(async () => {
    schema = await createTestSchema('openapi');
    app = await startEmergencyApp({ schema });
    const res = await fetch(`${app.url}/emergencies/openapi.json`);
    assert.equal(res.status, 200);
    doc = (await res.json()) as Document;
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  it('when fetched without a token, then it is a valid OpenAPI 3.1 document', async () => {
    await assertValidOpenApi31(doc as unknown as Json);
  });

  it('when the routes the app registered are listed, then every public one is in the document and nothing else is', () => {
    const routes = registeredRoutes(app.app).filter((route) => /^\S+ \/emergencies(\/|$)/.test(route));
    assert.deepEqual([...new Set(routes)].sort(), documentedOperations(doc).sort());
  });

  it('when read, then request schemas carry the bounds the routes check', () => {
    const raise = doc.components.schemas.RaiseEmergency as { properties: Record<string, Json>; required: string[] };
    assert.deepEqual(raise.required, ['type']);
    assert.deepEqual(raise.properties.type?.enum, ['sos', 'fall', 'medical', 'geofence', 'missed_check_in', 'other']);
    const policy = JSON.stringify(doc.components.schemas.PutPolicy);
    assert.match(policy, /"maximum":120/);
    assert.deepEqual(doc.paths['/emergencies']?.get?.parameters?.map((p) => p.name), ['personId', 'status', 'limit', 'cursor']);
  });

  it('when real answers are checked against the document\'s schemas, then they match', async () => {
    const validate = componentValidator(doc);
    const auth = await as.user(someone('ann'));
    const user = await addUserContact(app.url, auth, someone('bob'));
    await addOutsideContact(app.url, auth, 'Nadia', 'nadia@example.test');
    const e = await raise(app.url, auth, { type: 'fall', location: { lat: 1, lon: 2, accuracyM: 3, recordedAt: new Date().toISOString() } });
    await app.tick();
    const answers: Array<[string, string]> = [
      ['Emergency', `/emergencies/${e.id}/acknowledge`],
      ['EmergencyDetail', `/emergencies/${e.id}`],
      ['EmergencyPage', '/emergencies'],
      ['ContactList', '/emergencies/contacts'],
      ['Contact', `/emergencies/contacts/${user.id}`],
      ['Policy', '/emergencies/policy'],
      ['CheckInList', '/emergencies/check-ins'],
    ];
    for (const [name, path] of answers) {
      const body = await expectJson(await call(app.url, path, auth, path.endsWith('acknowledge') ? { method: 'POST' } : {}));
      const result = validate(name, body);
      assert.ok(result.ok, `${name} from ${path}: ${JSON.stringify(result.errors)}`);
    }
    const checkIn = await expectJson(await call(app.url, '/emergencies/check-ins', auth, { method: 'POST', body: { inMinutes: 5 } }), 201);
    assert.ok(validate('CheckIn', checkIn).ok);
  });
});
