import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { MAX_CONTACTS } from '../src/domain/contact.ts';
import { addOutsideContact, addUserContact, someone, type ContactBody } from './support/api.ts';
import { createTestSchema, dropSchema, snapshot } from './support/database.ts';
import { as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

interface PolicyBody {
  id: string | null;
  isDefault: boolean;
  tiers: Array<{ contactIds: string[]; waitMinutes: number; repeat: number }>;
  version: number;
}

describe('contacts and policy', () => {
  let schema: string;
  let app: RunningEmergencyApp;

  before(async () => {
    schema = await createTestSchema('contacts');
    app = await startEmergencyApp({ schema });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  it('when contacts are added, then they are listed in order, can be changed and deleted; a deleted contact leaves the policy', async () => {
    const auth = await as.user(someone('ann'));
    const bob = await addUserContact(app.url, auth, someone('bob'));
    const nadia = await addOutsideContact(app.url, auth, 'Nadia', 'nadia@example.test');
    const list = await expectJson<{ items: ContactBody[] }>(await call(app.url, '/emergencies/contacts', auth));
    assert.deepEqual(list.items.map((c) => c.id), [bob.id, nadia.id]);
    const changed = await expectJson<ContactBody>(await call(app.url, `/emergencies/contacts/${nadia.id}`, auth, { method: 'PATCH', body: { email: 'nadia@new.example', phone: '+49 30 1234567' } }));
    assert.equal(changed.email, 'nadia@new.example');
    await expectProblem(await call(app.url, `/emergencies/contacts/${bob.id}`, auth, { method: 'PATCH', body: { email: 'x@example.test' } }), 422, 'user-contact-address');
    await expectJson(await call(app.url, '/emergencies/policy', auth, { method: 'PUT', body: { tiers: [{ contactIds: [bob.id], waitMinutes: 5 }, { contactIds: [nadia.id], waitMinutes: 10, repeat: 2 }] } }));
    assert.equal((await call(app.url, `/emergencies/contacts/${bob.id}`, auth, { method: 'DELETE' })).status, 204);
    const policy = await expectJson<PolicyBody>(await call(app.url, '/emergencies/policy', auth));
    assert.deepEqual(policy.tiers, [{ contactIds: [nadia.id], waitMinutes: 10, repeat: 2, order: 'all', headStartMinutes: 1 }]);
    await expectProblem(await call(app.url, `/emergencies/contacts/${bob.id}`, auth), 404, 'contact-not-found');
  });

  it('when no policy is stored, then the default pages every contact in one tier', async () => {
    const auth = await as.user(someone('dee'));
    const empty = await expectJson<PolicyBody>(await call(app.url, '/emergencies/policy', auth));
    assert.deepEqual({ isDefault: empty.isDefault, tiers: empty.tiers }, { isDefault: true, tiers: [] });
    const a = await addUserContact(app.url, auth, someone('a'));
    const b = await addOutsideContact(app.url, auth, 'B', 'b@example.test');
    const policy = await expectJson<PolicyBody>(await call(app.url, '/emergencies/policy', auth));
    assert.equal(policy.isDefault, true);
    assert.deepEqual(policy.tiers, [{ contactIds: [a.id, b.id], waitMinutes: 5, repeat: 1, order: 'all', headStartMinutes: 1 }]);
  });

  it('when a contact or policy is bad, then 4xx problem+json and nothing changes', async () => {
    const person = someone('eve');
    const auth = await as.user(person);
    const mine = await addOutsideContact(app.url, auth, 'Mine', 'mine@example.test');
    const theirs = await addOutsideContact(app.url, await as.user(someone('other')), 'Theirs', 'theirs@example.test');
    await expectJson(await call(app.url, '/emergencies/policy', auth, { method: 'PUT', body: { tiers: [{ contactIds: [mine.id], waitMinutes: 5 }] } }));
    const before = await snapshot(schema);
    const badContacts: unknown[] = [
      { name: 'No mail' },
      { name: 'Bad mail', email: 'not-an-address' },
      { name: 'x'.repeat(201), email: 'a@example.test' },
      { userId: 'u1', email: 'a@example.test' },
      { name: 'Bad phone', email: 'a@example.test', phone: 'call me' },
      { name: 'NUL \u0000', email: 'a@example.test' },
      { name: 'Extra', email: 'a@example.test', colour: 'red' },
    ];
    for (const body of badContacts) await expectProblem(await call(app.url, '/emergencies/contacts', auth, { method: 'POST', body }), 400);
    await expectProblem(await call(app.url, '/emergencies/contacts', auth, { method: 'POST', body: { userId: person } }), 422, 'self-contact');
    const badPolicies: unknown[] = [
      { tiers: [] },
      { tiers: [{ contactIds: [], waitMinutes: 5 }] },
      { tiers: [{ contactIds: [mine.id], waitMinutes: 0 }] },
      { tiers: [{ contactIds: [mine.id], waitMinutes: 100_000 }] },
      { tiers: [{ contactIds: [mine.id], waitMinutes: 5, repeat: 99 }] },
      { tiers: [{ contactIds: [mine.id, mine.id], waitMinutes: 5 }] },
      { tiers: Array.from({ length: 11 }, () => ({ contactIds: [mine.id], waitMinutes: 5 })) },
      { tiers: [{ contactIds: ['nope'], waitMinutes: 5 }] },
      { tiers: [{ contactIds: [mine.id], waitMinutes: 5, order: 'closest' }] },
      { tiers: [{ contactIds: [mine.id], waitMinutes: 5, order: 'nearest_first', headStartMinutes: 0 }] },
      { tiers: [{ contactIds: [mine.id], waitMinutes: 5, order: 'nearest_first', headStartMinutes: 31 }] },
    ];
    for (const body of badPolicies) await expectProblem(await call(app.url, '/emergencies/policy', auth, { method: 'PUT', body }), 400);
    const unknown = await expectProblem(await call(app.url, '/emergencies/policy', auth, { method: 'PUT', body: { tiers: [{ contactIds: [theirs.id], waitMinutes: 5 }] } }), 422, 'unknown-contact');
    assert.match(String(unknown.detail), new RegExp(theirs.id));
    await expectProblem(await call(app.url, `/emergencies/contacts/${theirs.id}`, auth), 404);
    await expectProblem(await call(app.url, `/emergencies/contacts/${theirs.id}`, auth, { method: 'DELETE' }), 404);
    await expectProblem(await call(app.url, `/emergencies/contacts?personId=${someone('x')}`, auth), 403);
    await expectProblem(await call(app.url, `/emergencies/policy?personId=${someone('x')}`, auth), 403);
    assert.deepEqual(await snapshot(schema), before);
  });

  it('when a person has the maximum number of contacts, then one more is 422; the same user twice is 409', async () => {
    const auth = await as.user(someone('max'));
    const dup = someone('dup');
    await addUserContact(app.url, auth, dup);
    await expectProblem(await call(app.url, '/emergencies/contacts', auth, { method: 'POST', body: { userId: dup } }), 409, 'duplicate-contact');
    await Promise.all(Array.from({ length: MAX_CONTACTS - 1 }, (_, i) => addOutsideContact(app.url, auth, `C${i}`, `c${i}@example.test`)));
    await expectProblem(await call(app.url, '/emergencies/contacts', auth, { method: 'POST', body: { name: 'One more', email: 'more@example.test' } }), 422, 'too-many-contacts');
    const list = await expectJson<{ items: Array<{ position: number }> }>(await call(app.url, '/emergencies/contacts', auth));
    assert.equal(list.items.length, MAX_CONTACTS);
    assert.equal(new Set(list.items.map((c) => c.position)).size, MAX_CONTACTS, 'concurrent adds got distinct positions');
  });

  it('when a caregiver manages the contacts and policy of a person in their care, then it works; an admin too', async () => {
    const person = someone('pia');
    const carer = await as.caregiver(someone('c'), [person]);
    const c = await expectJson<ContactBody>(await call(app.url, '/emergencies/contacts', carer, { method: 'POST', body: { personId: person, name: 'Sam', email: 'sam@example.test' } }), 201);
    await expectJson(await call(app.url, '/emergencies/policy', carer, { method: 'PUT', body: { personId: person, tiers: [{ contactIds: [c.id], waitMinutes: 3 }] } }));
    const policy = await expectJson<PolicyBody>(await call(app.url, `/emergencies/policy?personId=${person}`, await as.admin()));
    assert.equal(policy.isDefault, false);
    assert.equal(policy.version, 1);
  });
});
