import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { addUserContact, getEmergency, raise, someone, type EmergencyBody } from './support/api.ts';
import { admin, createTestSchema, dropSchema, outboxEvents, snapshot } from './support/database.ts';
import { as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

interface CheckInBody {
  id: string;
  personId: string;
  status: string;
  dueAt: string;
  note: string | null;
  emergencyId: string | null;
}

describe('check-in timers', () => {
  let schema: string;
  let app: RunningEmergencyApp;

  before(async () => {
    schema = await createTestSchema('checkins');
    // Seconds for minutes; a missed check-in counts after 1 s of grace.
    app = await startEmergencyApp({ schema, env: { CHECK_IN_GRACE_MINUTES: '1' } });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  const start = (auth: string, body: Record<string, unknown>) => call(app.url, '/emergencies/check-ins', auth, { method: 'POST', body });
  /** Moves a check-in's due time into the past, as if the person had not come home. */
  const overdue = (id: string) => admin((c) => c.query(`UPDATE "${schema}".check_ins SET due_at = now() - interval '10 seconds' WHERE id = $1`, [id]));

  it('when a check-in is not completed by due + grace, then the tick raises a missed_check_in emergency that pages the contacts, once', async () => {
    const person = someone('walker');
    const auth = await as.user(person);
    const bob = someone('bob');
    await addUserContact(app.url, auth, bob);
    const c = await expectJson<CheckInBody>(await start(auth, { inMinutes: 30, note: 'Walking home through the park' }), 201);
    assert.equal(c.status, 'pending');
    await app.tick();
    assert.equal((await outboxEvents(schema)).filter((e) => e.payload.data.checkInId === c.id).length, 0, 'not yet due');
    await overdue(c.id);
    await Promise.all([app.tick(), app.tick()]);
    const missed = await expectJson<CheckInBody>(await call(app.url, `/emergencies/check-ins/${c.id}`, auth));
    assert.equal(missed.status, 'missed');
    assert.ok(missed.emergencyId);
    const events = await outboxEvents(schema, missed.emergencyId);
    assert.deepEqual(events.map((e) => e.type), ['emergency.created', 'emergency.check_in_missed', 'emergency.escalated']);
    assert.equal(events[0]?.payload.data.kind, 'missed_check_in');
    assert.equal(events[0]?.payload.actor.kind, 'system');
    assert.match(String(events[0]?.payload.data.message), /Walking home through the park/);
    const detail = await getEmergency(app.url, auth, missed.emergencyId);
    assert.deepEqual(detail.timeline?.filter((t) => t.kind !== 'location').map((t) => t.kind), ['raised', 'check_in_missed', 'paged']);
    await app.tick();
    assert.equal((await outboxEvents(schema, missed.emergencyId)).length, 3);
  });

  it('when a check-in is completed or extended in time, then nothing is raised; completing twice is a no-op, a missed one is 409', async () => {
    const auth = await as.user(someone('home'));
    const a = await expectJson<CheckInBody>(await start(auth, { inMinutes: 5 }), 201);
    const b = await expectJson<CheckInBody>(await start(auth, { dueAt: new Date(Date.now() + 60_000).toISOString() }), 201);
    assert.equal((await expectJson<CheckInBody>(await call(app.url, `/emergencies/check-ins/${a.id}/complete`, auth, { method: 'POST' }))).status, 'completed');
    assert.equal((await expectJson<CheckInBody>(await call(app.url, `/emergencies/check-ins/${a.id}/complete`, auth, { method: 'POST' }))).status, 'completed');
    await overdue(b.id);
    const extended = await expectJson<CheckInBody>(await call(app.url, `/emergencies/check-ins/${b.id}/extend`, auth, { method: 'POST', body: { inMinutes: 60 } }));
    assert.ok(Date.parse(extended.dueAt) > Date.now() + 50_000, 'extended from now when already past due');
    await overdue(a.id);
    await app.tick();
    for (const id of [a.id, b.id]) assert.notEqual((await expectJson<CheckInBody>(await call(app.url, `/emergencies/check-ins/${id}`, auth))).status, 'missed');
    await overdue(b.id);
    await app.tick();
    assert.equal((await expectJson<CheckInBody>(await call(app.url, `/emergencies/check-ins/${b.id}`, auth))).status, 'missed');
    await expectProblem(await call(app.url, `/emergencies/check-ins/${b.id}/complete`, auth, { method: 'POST' }), 409, 'invalid-status-transition');
    await expectProblem(await call(app.url, `/emergencies/check-ins/${b.id}/extend`, auth, { method: 'POST', body: { inMinutes: 5 } }), 409);
  });

  it('when the person already has an open emergency, then a missed check-in joins it instead of raising a second', async () => {
    const person = someone('busy');
    const auth = await as.user(person);
    const open = await raise(app.url, auth);
    const c = await expectJson<CheckInBody>(await start(auth, { inMinutes: 5 }), 201);
    await overdue(c.id);
    await app.tick();
    const missed = await expectJson<CheckInBody>(await call(app.url, `/emergencies/check-ins/${c.id}`, auth));
    assert.equal(missed.emergencyId, open.id);
    const list = await expectJson<{ items: EmergencyBody[] }>(await call(app.url, '/emergencies', auth));
    assert.equal(list.items.length, 1);
  });

  it('when a check-in is bad or someone else\'s, then 4xx problem+json and nothing is written', async () => {
    const auth = await as.user(someone('bad'));
    const before = await snapshot(schema);
    for (const body of [{}, { inMinutes: 0 }, { inMinutes: 99_999 }, { inMinutes: 5, dueAt: new Date(Date.now() + 60_000).toISOString() }, { dueAt: 'tomorrow' }, { inMinutes: 5, colour: 'red' }]) {
      await expectProblem(await start(auth, body), 400);
    }
    await expectProblem(await start(auth, { dueAt: new Date(Date.now() - 60_000).toISOString() }), 422, 'check-in-in-past');
    await expectProblem(await start(auth, { personId: someone('x'), inMinutes: 5 }), 403);
    await expectProblem(await start(await as.compliance(), { inMinutes: 5 }), 403);
    await expectProblem(await call(app.url, '/emergencies/check-ins', undefined, { method: 'POST', body: { inMinutes: 5 } }), 401);
    assert.deepEqual(await snapshot(schema), before);
    const theirs = await expectJson<CheckInBody>(await start(await as.user(someone('other')), { inMinutes: 5 }), 201);
    for (const path of [`/emergencies/check-ins/${theirs.id}`]) await expectProblem(await call(app.url, path, auth), 404, 'check-in-not-found');
    await expectProblem(await call(app.url, `/emergencies/check-ins/${theirs.id}/complete`, auth, { method: 'POST' }), 404);
  });

  it('when a caregiver starts a check-in for a person in their care, then it is that person\'s and the caregiver may complete it', async () => {
    const person = someone('pia');
    const carer = await as.caregiver(someone('c'), [person]);
    const c = await expectJson<CheckInBody>(await start(carer, { personId: person, inMinutes: 10 }), 201);
    assert.equal(c.personId, person);
    await expectJson(await call(app.url, `/emergencies/check-ins/${c.id}/complete`, carer, { method: 'POST' }));
    const list = await expectJson<{ items: CheckInBody[] }>(await call(app.url, '/emergencies/check-ins', await as.user(person)));
    assert.deepEqual(list.items.map((x) => x.status), ['completed']);
  });
});
