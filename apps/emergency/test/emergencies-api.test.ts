import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEmergencyAckLinks } from '@lifeline/kit';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { addOutsideContact, addUserContact, getEmergency, putPolicy, raise, someone, type EmergencyBody } from './support/api.ts';
import { createTestSchema, dropSchema, outboxEvents, snapshot } from './support/database.ts';
import { JWT_SECRET, as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

describe('emergencies API', () => {
  let schema: string;
  let app: RunningEmergencyApp;

  before(async () => {
    schema = await createTestSchema('api');
    app = await startEmergencyApp({ schema });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  describe('raise', () => {
    it('when a person presses SOS ten times, then there is one emergency: 201 once, then 200 with the same id, every message on the timeline, one page', async () => {
      const person = someone('ann');
      const auth = await as.user(person);
      await addUserContact(app.url, auth, someone('bob'));
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => call(app.url, '/emergencies', auth, { method: 'POST', body: { type: 'sos', message: `help ${i}` } })));
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      const bodies = await Promise.all(answers.map((r) => r.json() as Promise<EmergencyBody>));
      assert.equal(new Set(bodies.map((b) => b.id)).size, 1);
      const id = bodies[0]!.id;
      await app.tick();
      const detail = await getEmergency(app.url, auth, id);
      assert.equal(detail.timeline?.filter((t) => t.kind === 'raised' || t.kind === 'raised_again').length, 10);
      const events = await outboxEvents(schema, id);
      assert.equal(events.filter((e) => e.type === 'emergency.created').length, 1);
      assert.equal(events.filter((e) => e.type === 'emergency.escalated').length, 1);
    });

    it('when an Idempotency-Key is repeated with the same body, then the first answer is replayed; with another body, 422 and nothing changes', async () => {
      const auth = await as.user(someone('ida'));
      const headers = { 'idempotency-key': 'press-1' };
      const first = await raise(app.url, auth, { type: 'medical', message: 'chest pain' }, 201, headers);
      const res = await call(app.url, '/emergencies', auth, { method: 'POST', body: { message: 'chest pain', type: 'medical' }, headers });
      assert.equal(res.headers.get('idempotent-replayed'), 'true');
      assert.equal((await expectJson<EmergencyBody>(res, 201)).id, first.id);
      const before = await snapshot(schema);
      await expectProblem(await call(app.url, '/emergencies', auth, { method: 'POST', body: { type: 'fall' }, headers }), 422, 'idempotency-key-reuse');
      assert.deepEqual(await snapshot(schema), before);
    });

    it('when a caregiver raises for a person in their care, then it is that person\'s emergency; for anyone else, 403', async () => {
      const person = someone('pat');
      const carer = await as.caregiver(someone('cara'), [person]);
      const e = await raise(app.url, carer, { type: 'fall', personId: person });
      assert.equal(e.personId, person);
      await expectProblem(await call(app.url, '/emergencies', carer, { method: 'POST', body: { type: 'fall', personId: someone('other') } }), 403);
    });

    async function settledSnapshot(): Promise<unknown> {
      let last = await snapshot(schema);
      for (let i = 0; i < 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const next = await snapshot(schema);
        if (JSON.stringify(next) === JSON.stringify(last)) return next;
        last = next;
      }
      return last;
    }

    it('when the input is bad, then 4xx problem+json and nothing is written', async () => {
      const auth = await as.user(someone('bad'));
      // Earlier raises finish their location attachment after answering: start from a settled database.
      const before = await settledSnapshot();
      const bad: Array<[unknown, number]> = [
        [{ type: 'earthquake' }, 400],
        [{ type: 'sos', location: { lat: 91, lon: 0, accuracyM: 5, recordedAt: new Date().toISOString() } }, 400],
        [{ type: 'sos', location: { lat: 10, lon: -181, accuracyM: 5, recordedAt: new Date().toISOString() } }, 400],
        [{ type: 'sos', location: { lat: 10, lon: 10, accuracyM: 5, recordedAt: 'yesterday' } }, 400],
        [{ type: 'sos', message: 'x'.repeat(1001) }, 400],
        [{ type: 'sos', message: 'nul \u0000 byte' }, 400],
        [{ type: 'sos', colour: 'red' }, 400],
        ['{"type": "sos"', 400],
        [{ type: 'sos', message: 'x'.repeat(2_000_000) }, 413],
      ];
      for (const [body, status] of bad) await expectProblem(await call(app.url, '/emergencies', auth, { method: 'POST', body }), status);
      await expectProblem(await call(app.url, '/emergencies', auth, { method: 'POST', body: 'type=sos', headers: { 'content-type': 'text/plain' } }), 415);
      await expectProblem(await call(app.url, '/emergencies', auth, { method: 'POST', body: { type: 'sos' }, headers: { 'idempotency-key': '' } }), 400);
      assert.deepEqual(await snapshot(schema), before);
    });

    it('when a request has no valid token or the wrong role, then 401 or 403', async () => {
      await expectProblem(await call(app.url, '/emergencies', undefined, { method: 'POST', body: { type: 'sos' } }), 401);
      await expectProblem(await call(app.url, '/emergencies', 'Bearer nonsense', { method: 'POST', body: { type: 'sos' } }), 401);
      await expectProblem(await call(app.url, '/emergencies', await as.compliance(), { method: 'POST', body: { type: 'sos' } }), 403);
      for (const path of ['/emergencies', '/emergencies/contacts', '/emergencies/policy', `/emergencies/${crypto.randomUUID()}`]) {
        await expectProblem(await call(app.url, path, undefined), 401);
      }
    });
  });

  describe('read access', () => {
    it('when the person, their caregiver, a paged contact or an admin reads an emergency, then 200; anyone else gets the 404 of a missing id', async () => {
      const person = someone('rita');
      const auth = await as.user(person);
      const bob = someone('bob');
      await addUserContact(app.url, auth, bob);
      const e = await raise(app.url, auth);
      await app.tick();
      for (const reader of [auth, await as.caregiver(someone('c'), [person]), await as.user(bob), await as.admin()]) await getEmergency(app.url, reader, e.id);
      const stranger = await as.user(someone('eve'));
      const missing = await expectProblem(await call(app.url, `/emergencies/${crypto.randomUUID()}`, stranger), 404, 'emergency-not-found');
      const hidden = await expectProblem(await call(app.url, `/emergencies/${e.id}`, stranger), 404, 'emergency-not-found');
      assert.equal(hidden.title, missing.title);
      for (const action of ['acknowledge', 'resolve', 'cancel']) {
        await expectProblem(await call(app.url, `/emergencies/${e.id}/${action}`, stranger, { method: 'POST' }), 404);
      }
      await expectProblem(await call(app.url, '/emergencies/not-a-uuid', auth), 400);
    });

    it('when listing, then newest first in cursor pages of the person\'s emergencies, filtered by status; someone else\'s list is 403', async () => {
      const person = someone('lena');
      const auth = await as.user(person);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const e = await raise(app.url, auth, { type: 'other' });
        ids.push(e.id);
        await expectJson(await call(app.url, `/emergencies/${e.id}/resolve`, auth, { method: 'POST', body: { note: `done ${i}` } }));
      }
      const open = await raise(app.url, auth);
      const first = await expectJson<{ items: EmergencyBody[]; nextCursor: string | null }>(await call(app.url, '/emergencies?limit=2', auth));
      assert.deepEqual(first.items.map((e) => e.id), [open.id, ids[2]]);
      assert.ok(first.nextCursor);
      const second = await expectJson<{ items: EmergencyBody[]; nextCursor: string | null }>(await call(app.url, `/emergencies?limit=2&cursor=${first.nextCursor}`, auth));
      assert.deepEqual(second.items.map((e) => e.id), [ids[1], ids[0]]);
      assert.equal(second.nextCursor, null);
      const resolved = await expectJson<{ items: EmergencyBody[] }>(await call(app.url, '/emergencies?status=resolved', auth));
      assert.equal(resolved.items.length, 3);
      await expectProblem(await call(app.url, `/emergencies?limit=2&status=open&cursor=${first.nextCursor}`, auth), 400);
      await expectProblem(await call(app.url, '/emergencies?status=sleeping', auth), 400);
      await expectProblem(await call(app.url, `/emergencies?personId=${someone('x')}`, auth), 403);
      const carer = await as.caregiver(someone('c'), [person]);
      assert.equal((await expectJson<{ items: unknown[] }>(await call(app.url, `/emergencies?personId=${person}&limit=100`, carer))).items.length, 4);
    });
  });

  describe('transitions', () => {
    it('when acknowledged, resolved and then cancelled, then repeats are no-ops, an illegal transition is 409 problem+json, and each change is one event', async () => {
      const auth = await as.user(someone('tom'));
      const e = await raise(app.url, auth);
      const post = (action: string, body?: unknown) => call(app.url, `/emergencies/${e.id}/${action}`, auth, { method: 'POST', ...(body ? { body } : {}) });
      assert.equal((await expectJson<EmergencyBody>(await post('acknowledge'))).status, 'acknowledged');
      assert.equal((await expectJson<EmergencyBody>(await post('acknowledge'))).status, 'acknowledged');
      const resolved = await expectJson<EmergencyBody & { closeNote: string }>(await post('resolve', { note: 'Found her, she is fine' }));
      assert.equal(resolved.status, 'resolved');
      assert.equal(resolved.closeNote, 'Found her, she is fine');
      await expectJson(await post('resolve'));
      await expectProblem(await post('cancel'), 409, 'invalid-status-transition');
      await expectProblem(await post('acknowledge'), 409, 'invalid-status-transition');
      const types = (await outboxEvents(schema, e.id)).map((x) => x.type);
      assert.deepEqual(types.filter((t) => t !== 'emergency.escalated' && t !== 'emergency.exhausted'), ['emergency.created', 'emergency.acknowledged', 'emergency.resolved']);
      // Closed: the next raise is a new emergency.
      const next = await raise(app.url, auth);
      assert.notEqual(next.id, e.id);
    });

    it('when a paged user contact tries to cancel, then 403 (they may resolve); the caregiver may cancel', async () => {
      const person = someone('uma');
      const auth = await as.user(person);
      const bob = someone('bob');
      await addUserContact(app.url, auth, bob);
      const e = await raise(app.url, auth);
      await app.tick();
      await expectProblem(await call(app.url, `/emergencies/${e.id}/cancel`, await as.user(bob), { method: 'POST' }), 403);
      const cancelled = await expectJson<EmergencyBody>(await call(app.url, `/emergencies/${e.id}/cancel`, await as.caregiver(someone('c'), [person]), { method: 'POST', body: { reason: 'false alarm' } }));
      assert.equal(cancelled.status, 'cancelled');
      const event = (await outboxEvents(schema, e.id)).find((x) => x.type === 'emergency.cancelled');
      assert.deepEqual(event?.payload.data.notified, [{ kind: 'user', userId: bob }]);
    });
  });

  describe('acknowledgement links', () => {
    async function pagedOutsideContact() {
      const person = someone('vic');
      const auth = await as.user(person);
      const nadia = await addOutsideContact(app.url, auth, 'Nadia Neighbour', `${someone('nadia')}@example.test`);
      await putPolicy(app.url, auth, [{ contactIds: [nadia.id], waitMinutes: 60 }]);
      const e = await raise(app.url, auth);
      await app.tick();
      const page = (await outboxEvents(schema, e.id)).find((x) => x.type === 'emergency.escalated');
      assert.deepEqual(page?.payload.data.recipients, [{ kind: 'contact', contactId: nadia.id, name: 'Nadia Neighbour', email: nadia.email }]);
      // What notification does when it mails her: signs the link with the shared secret.
      const url = new URL(createEmergencyAckLinks({ secret: JWT_SECRET }).urlFor('http://gateway.test/api/v1', e.id, nadia.id, 3600));
      return { auth, e, nadia, token: url.searchParams.get('token') ?? '' };
    }

    it('when the outside contact opens the link, then a page with a button; posting the token acknowledges as that contact, once', async () => {
      const { auth, e, nadia, token } = await pagedOutsideContact();
      const page = await fetch(`${app.url}/emergencies/${e.id}/respond?token=${token}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /I am responding/);
      assert.equal((await getEmergency(app.url, auth, e.id)).status, 'open', 'opening the link changes nothing');
      const form = await fetch(`${app.url}/emergencies/${e.id}/acknowledge`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
      assert.equal(form.status, 200);
      assert.match(form.headers.get('content-type') ?? '', /text\/html/);
      const detail = await getEmergency(app.url, auth, e.id);
      assert.equal(detail.status, 'acknowledged');
      const ack = (await outboxEvents(schema, e.id)).find((x) => x.type === 'emergency.acknowledged');
      assert.equal(ack?.payload.data.acknowledgedBy, `contact:${nadia.id}`);
      assert.equal(ack?.payload.data.responderName, 'Nadia Neighbour');
    });

    it('when a link is used twice, tampered with, or sent for another emergency, then it is refused', async () => {
      const { e, token } = await pagedOutsideContact();
      const other = await pagedOutsideContact();
      const ack = (id: string, t: string) => call(app.url, `/emergencies/${id}/acknowledge`, undefined, { method: 'POST', body: { token: t } });
      await expectProblem(await ack(e.id, `${token.slice(0, -2)}AA`), 401, 'ack-link-invalid');
      await expectProblem(await ack(other.e.id, token), 400, 'ack-link-mismatch');
      await expectProblem(await ack(e.id, 'garbage'), 401, 'ack-link-invalid');
      await expectProblem(await call(app.url, `/emergencies/${e.id}/acknowledge`, undefined, { method: 'POST' }), 401);
      await expectJson(await ack(e.id, token));
      // The emergency is acknowledged now: a second use is the no-op answer, not a second acknowledgement.
      await expectJson(await ack(e.id, token));
      assert.equal((await outboxEvents(schema, e.id)).filter((x) => x.type === 'emergency.acknowledged').length, 1);
    });
  });
});
