import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { escalationEventId } from '../src/domain/emergency-event.ts';
import { addOutsideContact, addUserContact, getEmergency, putPolicy, raise, someone } from './support/api.ts';
import { admin, adminUrlOf, createTestSchema, dropSchema, makeStepsDue, outboxEvents, steps } from './support/database.ts';
import { as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

describe('escalation', () => {
  let schema: string;
  let app: RunningEmergencyApp;

  before(async () => {
    schema = await createTestSchema('escalation');
    app = await startEmergencyApp({ schema });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  /** A person with two tiers: a user contact (tier 1, one repeat) and an outside contact (tier 2). */
  async function personWithTwoTiers() {
    const person = someone('ann');
    const auth = await as.user(person);
    const bob = someone('bob');
    const user = await addUserContact(app.url, auth, bob);
    const nadia = await addOutsideContact(app.url, auth, 'Nadia Neighbour', `${someone('nadia')}@example.test`);
    await putPolicy(app.url, auth, [
      { contactIds: [user.id], waitMinutes: 60, repeat: 1 },
      { contactIds: [nadia.id], waitMinutes: 60 },
    ]);
    return { person, auth, bob, user, nadia };
  }

  const escalations = async (id: string) => (await outboxEvents(schema, id)).filter((e) => e.type === 'emergency.escalated');

  it('when an emergency is raised, then tier 1 is paged once with a deterministic event id, and nothing else until its wait passed', async () => {
    const { auth, bob } = await personWithTwoTiers();
    const e = await raise(app.url, auth, { type: 'fall', message: 'I fell in the kitchen' });
    assert.equal(e.status, 'open');
    await app.tick();
    await app.tick();
    const pages = await escalations(e.id);
    assert.equal(pages.length, 1);
    const page = pages[0]!;
    assert.equal(page.id, escalationEventId(e.id, 1, 1));
    assert.equal(page.payload.schemaVersion, 3);
    assert.equal(page.payload.data.order, 'all');
    assert.deepEqual(page.payload.data.recipients, [{ kind: 'user', userId: bob }]);
    assert.equal(page.payload.data.tier, 1);
    assert.equal(page.payload.data.round, 1);
    assert.deepEqual((await steps(schema, e.id)).map((s) => `${s.tier}/${s.round}/${s.kind}/${s.status}`), ['1/1/page/done', '1/2/page/pending']);
  });

  it('when nobody acknowledges, then the tier repeats, the next tier is paged with an acknowledgement link, and then the emergency is exhausted and stays open', async () => {
    const { auth, bob, nadia } = await personWithTwoTiers();
    const e = await raise(app.url, auth);
    await app.tick();
    for (let i = 0; i < 3; i++) {
      await makeStepsDue(schema, e.id);
      await app.tick();
    }
    const events = await outboxEvents(schema, e.id);
    assert.deepEqual(events.map((x) => `${x.type}${x.type === 'emergency.escalated' ? `:${String(x.payload.data.tier)}/${String(x.payload.data.round)}` : ''}`), [
      'emergency.created',
      'emergency.escalated:1/1',
      'emergency.escalated:1/2',
      'emergency.escalated:2/1',
      'emergency.exhausted',
    ]);
    const tier2 = events[3]!.payload.data.recipients as Array<Record<string, string>>;
    assert.equal(tier2.length, 1);
    assert.equal(tier2[0]!.contactId, nadia.id);
    // The page names the contact only: notification signs the link when it mails them, so no event (and no
    // audit row made of one) holds a working link.
    assert.deepEqual(Object.keys(tier2[0]!).sort(), ['contactId', 'email', 'kind', 'name']);
    assert.doesNotMatch(JSON.stringify(events.map((x) => x.payload)), /token=|acknowledgeUrl/);
    const exhausted = events[4]!.payload.data;
    assert.deepEqual((exhausted.recipients as Array<{ kind: string }>).map((r) => r.kind), ['user', 'contact']);
    const after = await getEmergency(app.url, auth, e.id);
    assert.equal(after.status, 'open');
    assert.equal(after.exhausted, true);
    assert.equal(after.nextStepAt, null);
    assert.deepEqual(after.timeline?.filter((t) => t.kind !== 'location').map((t) => t.kind), ['raised', 'paged', 'paged', 'paged', 'exhausted']);
    // Paged users may read it now.
    await getEmergency(app.url, await as.user(bob), e.id);
  });

  it('when the emergency is acknowledged while a step is due, then no page goes out after the acknowledgement', async () => {
    const { auth } = await personWithTwoTiers();
    const e = await raise(app.url, auth);
    await app.tick();
    await makeStepsDue(schema, e.id);
    const acked = await expectJson<{ status: string }>(await call(app.url, `/emergencies/${e.id}/acknowledge`, auth, { method: 'POST' }));
    assert.equal(acked.status, 'acknowledged');
    await app.tick();
    await app.tick();
    assert.equal((await escalations(e.id)).length, 1);
    assert.deepEqual((await steps(schema, e.id)).map((s) => s.status), ['done', 'cancelled']);
    const ack = (await outboxEvents(schema, e.id)).find((x) => x.type === 'emergency.acknowledged');
    assert.ok(ack);
    assert.equal((ack.payload.data.notified as unknown[]).length, 1, 'the paged tier-1 user is told');
  });

  it('when an acknowledgement holds the emergency row while its step is due, then the tick skips it without waiting, and after the commit nothing is paged', async () => {
    const { auth } = await personWithTwoTiers();
    const e = await raise(app.url, auth);
    await app.tick();
    await makeStepsDue(schema, e.id);
    const client = new pg.Client({ connectionString: adminUrlOf(), options: `-c search_path=${schema}` });
    await client.connect();
    try {
      // What the acknowledgement transaction does, held open half-way.
      await client.query('BEGIN');
      await client.query('SELECT id FROM emergencies WHERE id = $1 FOR UPDATE', [e.id]);
      const started = Date.now();
      await app.tick();
      assert.ok(Date.now() - started < 5000, 'the tick did not wait for the lock');
      assert.equal((await escalations(e.id)).length, 1, 'skipped while locked');
      await client.query(`UPDATE emergencies SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = 'x' WHERE id = $1`, [e.id]);
      await client.query(`UPDATE escalation_steps SET status = 'cancelled' WHERE emergency_id = $1 AND status = 'pending'`, [e.id]);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    await app.tick();
    assert.equal((await escalations(e.id)).length, 1);
  });

  it('when acknowledgements race with ticks on many due emergencies, then every page of an emergency was written before its acknowledgement and none after', async () => {
    const emergencies: Array<{ id: string; auth: string }> = [];
    for (let i = 0; i < 12; i++) {
      const { auth } = await personWithTwoTiers();
      const e = await raise(app.url, auth);
      emergencies.push({ id: e.id, auth });
    }
    await app.tick();
    const replica = await startEmergencyApp({ schema });
    try {
      for (const e of emergencies) await makeStepsDue(schema, e.id);
      await Promise.all([
        ...emergencies.map((e) => call(app.url, `/emergencies/${e.id}/acknowledge`, e.auth, { method: 'POST' }).then((r) => expectJson(r))),
        app.tick(),
        replica.tick(),
        app.tick(),
      ]);
      await app.tick();
      await replica.tick();
    } finally {
      await replica.close();
    }
    for (const e of emergencies) {
      const events = await outboxEvents(schema, e.id);
      const ack = events.find((x) => x.type === 'emergency.acknowledged');
      assert.ok(ack, 'acknowledged');
      const pages = events.filter((x) => x.type === 'emergency.escalated');
      assert.ok(pages.length >= 1 && pages.length <= 2, `1 or 2 pages, got ${pages.length}`);
      assert.ok(pages.every((p) => p.seq < ack.seq), 'no page after the acknowledgement');
      assert.equal(new Set(pages.map((p) => p.id)).size, pages.length, 'each (tier, round) once');
      // Everyone paged before the acknowledgement is told.
      assert.equal((ack.payload.data.notified as unknown[]).length, 1);
    }
  });

  it('when a person has no contacts, then the raise still succeeds and the escalation is exhausted at once', async () => {
    const auth = await as.user(someone('lonely'));
    const e = await raise(app.url, auth);
    assert.equal(e.tiers, 0);
    await app.tick();
    const events = await outboxEvents(schema, e.id);
    assert.deepEqual(events.map((x) => x.type), ['emergency.created', 'emergency.exhausted']);
  });

  it('when a step cannot be written, then it is pushed back and set aside after its attempts, and other emergencies are paged', async () => {
    const bad = await personWithTwoTiers();
    const good = await personWithTwoTiers();
    const broken = await raise(app.url, bad.auth);
    await app.tick();
    // Damage what tier 2 will page (past every validation): its page fails the contract check.
    await admin((c) => c.query(`UPDATE "${schema}".emergencies SET plan = jsonb_set(plan, '{tiers,1,recipients,0,email}', '"not-an-address"') WHERE id = $1`, [broken.id]));
    await makeStepsDue(schema, broken.id);
    await app.tick();
    assert.equal((await escalations(broken.id)).length, 2, 'tier 1 round 2 still went out');
    const fine = await raise(app.url, good.auth);
    for (let i = 0; i < 5; i++) {
      await makeStepsDue(schema, broken.id);
      await app.tick();
    }
    assert.equal((await escalations(fine.id)).length, 1, 'the healthy emergency is paged meanwhile');
    assert.deepEqual((await steps(schema, broken.id)).map((s) => `${s.tier}/${s.round}/${s.status}`), ['1/1/done', '1/2/done', '2/1/failed']);
    const detail = await getEmergency(app.url, bad.auth, broken.id);
    assert.equal(detail.timeline?.filter((t) => t.kind !== 'location').at(-1)?.kind, 'step_failed');
  });

  it('when a contact row cannot be paged, then a raise leaves it out and still succeeds', async () => {
    const person = someone('odd');
    await admin((c) => c.query(`INSERT INTO "${schema}".contacts (id, person_id, position, kind, name, email) VALUES (gen_random_uuid(), $1, 1, 'contact', 'x', 'not-an-address')`, [person]));
    const e = await raise(app.url, await as.user(person));
    assert.equal(e.tiers, 0);
  });

  it('when an acknowledgement is not resolved within the policy\'s timeout, then the escalation starts again from tier 1 in a new cycle; a resolve in time stops it', async () => {
    const { auth, user, nadia } = await personWithTwoTiers();
    await expectJson(await call(app.url, '/emergencies/policy', auth, { method: 'PUT', body: { tiers: [{ contactIds: [user.id], waitMinutes: 60 }, { contactIds: [nadia.id], waitMinutes: 60 }], ackTimeoutMinutes: 30 } }));
    const e = await raise(app.url, auth);
    await app.tick();
    await expectJson(await call(app.url, `/emergencies/${e.id}/acknowledge`, auth, { method: 'POST' }));
    assert.deepEqual((await steps(schema, e.id)).map((s) => `${s.cycle}/${s.tier}/${s.round}/${s.kind}/${s.status}`), ['1/1/1/page/done', '1/2/1/page/cancelled', '2/1/1/reopen/pending']);
    await app.tick();
    assert.equal((await getEmergency(app.url, auth, e.id)).status, 'acknowledged', 'not before the timeout');
    await makeStepsDue(schema, e.id);
    await app.tick();
    const reopened = await getEmergency(app.url, auth, e.id);
    assert.equal(reopened.status, 'open');
    assert.deepEqual(reopened.timeline?.filter((t) => t.kind !== 'location').map((t) => t.kind), ['raised', 'paged', 'acknowledged', 'reopened', 'paged']);
    const pages = await escalations(e.id);
    assert.deepEqual(pages.map((p) => [p.payload.data.cycle ?? 1, p.payload.data.tier]), [[1, 1], [2, 1]]);
    assert.equal(pages[1]!.id, escalationEventId(e.id, 1, 1, 2));
    assert.notEqual(pages[0]!.id, pages[1]!.id);
    // Acknowledged again and resolved in time: nothing more.
    await expectJson(await call(app.url, `/emergencies/${e.id}/acknowledge`, auth, { method: 'POST' }));
    await expectJson(await call(app.url, `/emergencies/${e.id}/resolve`, auth, { method: 'POST' }));
    await makeStepsDue(schema, e.id);
    await app.tick();
    assert.equal((await escalations(e.id)).length, 2);
    assert.ok((await steps(schema, e.id)).every((s) => s.status !== 'pending'));
  });

  it('when the tick is called without the app token, then it is refused', async () => {
    await expectProblem(await fetch(`${app.url}/emergency-escalation-cron`, { method: 'POST' }), 401);
  });
});
