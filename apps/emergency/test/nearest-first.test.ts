import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { escalationEventId } from '../src/domain/emergency-event.ts';
import { addOutsideContact, addUserContact, getEmergency, putPolicy, raise, someone } from './support/api.ts';
import { admin, makeStepsDue, createTestSchema, dropSchema, outboxEvents, steps } from './support/database.ts';
import { as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';
import { startLocationSidecar, type LocationSidecar } from './support/location-sidecar.ts';

type Recipient = { kind: string; userId?: string; contactId?: string };

describe('nearest-first tiers and the admins on exhaustion', () => {
  let schema: string;
  let app: RunningEmergencyApp;
  let sidecar: LocationSidecar;

  before(async () => {
    schema = await createTestSchema('nearest');
    sidecar = await startLocationSidecar();
    app = await startEmergencyApp({ schema, env: { DAPR_HTTP_PORT: String(sidecar.port), LOCATION_TIMEOUT_MS: '400', ADMIN_USER_IDS: 'root-admin,ops-admin' } });
  });
  after(async () => {
    await app?.close();
    await sidecar?.close();
    if (schema) await dropSchema(schema);
  });

  /** A person with one nearest-first tier: two users far and near (in that list order) and an outside contact first in the list. */
  async function personWithNearestTier() {
    const person = someone('ann');
    const auth = await as.user(person);
    const [far, near] = [someone('far'), someone('near')];
    const nadia = await addOutsideContact(app.url, auth, 'Nadia Neighbour', `${someone('nadia')}@example.test`);
    const farContact = await addUserContact(app.url, auth, far);
    const nearContact = await addUserContact(app.url, auth, near);
    await putPolicy(app.url, auth, [{ contactIds: [nadia.id, farContact.id, nearContact.id], waitMinutes: 60, repeat: 1, order: 'nearest_first', headStartMinutes: 2 }]);
    return { person, auth, far, near, nadia };
  }

  const pages = async (id: string) => (await outboxEvents(schema, id)).filter((e) => e.type === 'emergency.escalated');

  it('when a nearest-first tier is due and location answers, then the nearest user is paged alone, the rest of the tier after the head start, and the choice is on the step and the timeline', async () => {
    const { person, auth, far, near, nadia } = await personWithNearestTier();
    sidecar.distances.set(person, new Map([[far, 5200], [near, 140]]));
    const e = await raise(app.url, auth);
    await app.tick();
    await app.tick();
    const first = await pages(e.id);
    assert.equal(first.length, 1, 'only the lead page before the head start');
    assert.equal(first[0]!.id, escalationEventId(e.id, 1, 0));
    assert.deepEqual(first[0]!.payload.data.recipients, [{ kind: 'user', userId: near }]);
    assert.equal(first[0]!.payload.data.round, 0);
    assert.equal(first[0]!.payload.data.order, 'nearest_first');
    assert.equal(first[0]!.payload.data.basis, 'distance');
    const asked = sidecar.calls.find((c) => c.path.endsWith(`/internal/people/${person}/distances`));
    assert.deepEqual(asked?.body, { userIds: [far, near] }, 'only the tier\'s users are asked about');

    // The head start passes: the rest of the tier, far user before the outside contact, nobody twice.
    await makeStepsDue(schema, e.id);
    await app.tick();
    const second = (await pages(e.id))[1]!;
    assert.equal(second.payload.data.round, 1);
    assert.deepEqual((second.payload.data.recipients as Recipient[]).map((r) => r.userId ?? r.contactId), [far, nadia.id]);
    // The repeat pages the whole tier.
    await makeStepsDue(schema, e.id);
    await app.tick();
    assert.equal(((await pages(e.id))[2]!.payload.data.recipients as Recipient[]).length, 3);
    assert.deepEqual((await steps(schema, e.id)).map((s) => `${s.tier}/${s.round}/${s.status}`), ['1/0/done', '1/1/done', '1/2/done', '2/1/pending']);

    const { rows } = await admin((client) => client.query<{ choice: { distances: unknown } }>(`SELECT choice FROM "${schema}".escalation_steps WHERE emergency_id = $1 AND round = 0`, [e.id]));
    assert.deepEqual(rows[0]?.choice.distances, { [`user:${far}`]: 5200, [`user:${near}`]: 140 });
    const detail = await getEmergency(app.url, auth, e.id);
    const lead = detail.timeline?.find((t) => t.kind === 'paged');
    assert.deepEqual((lead?.data.ordering as { order: string[] }).order, [`user:${near}`, `user:${far}`, `contact:${nadia.id}`]);
  });

  it('when the location app does not answer in time, then the tier falls back to list order (the first contact alone), the step does not fail, and the timeline says why', async () => {
    const { auth, nadia, far } = await personWithNearestTier();
    sidecar.hangDistances = true;
    try {
      const e = await raise(app.url, auth);
      const started = Date.now();
      await app.tick();
      assert.ok(Date.now() - started < 3000, `the tick took ${Date.now() - started} ms`);
      const [lead] = await pages(e.id);
      assert.ok(lead, 'the lead page went out anyway');
      assert.equal(lead.payload.data.basis, 'list');
      assert.deepEqual(lead.payload.data.recipients, [{ kind: 'contact', contactId: nadia.id, name: 'Nadia Neighbour', email: nadia.email }]);
      const detail = await getEmergency(app.url, auth, e.id);
      const ordering = detail.timeline?.find((t) => t.kind === 'paged')?.data.ordering as { basis: string; reason: string; order: string[] };
      assert.equal(ordering.basis, 'list');
      assert.match(ordering.reason, /could not be reached/);
      assert.equal(ordering.order[1], `user:${far}`);
      assert.equal((await steps(schema, e.id)).find((s) => s.round === 0)?.status, 'done');
    } finally {
      sidecar.hangDistances = false;
    }
  });

  it('when nobody of the tier shares a position, then list order, recorded as such', async () => {
    const { auth, nadia } = await personWithNearestTier();
    const e = await raise(app.url, auth);
    await app.tick();
    const [lead] = await pages(e.id);
    assert.equal(lead?.payload.data.basis, 'list');
    assert.equal((lead?.payload.data.recipients as Recipient[])[0]?.contactId, nadia.id);
  });

  it('when the escalation is exhausted, then the configured admins are among the recipients, recorded as paged, and get the all-clear', async () => {
    const person = someone('gus');
    const auth = await as.user(person);
    const hal = someone('hal');
    const contact = await addUserContact(app.url, auth, hal);
    await putPolicy(app.url, auth, [{ contactIds: [contact.id], waitMinutes: 60 }]);
    const e = await raise(app.url, auth);
    await app.tick();
    await makeStepsDue(schema, e.id);
    await app.tick();
    const exhausted = (await outboxEvents(schema, e.id)).find((x) => x.type === 'emergency.exhausted');
    assert.deepEqual(exhausted?.payload.data.recipients, [
      { kind: 'user', userId: hal },
      { kind: 'user', userId: 'root-admin' },
      { kind: 'user', userId: 'ops-admin' },
    ]);
    // The admin may read and resolve it (paged), and everyone told hears how it ended.
    await getEmergency(app.url, await as.user('ops-admin'), e.id);
    const res = await fetch(`${app.url}/emergencies/${e.id}/resolve`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{"note":"found"}' });
    assert.equal(res.status, 200);
    const resolved = (await outboxEvents(schema, e.id)).find((x) => x.type === 'emergency.resolved');
    assert.deepEqual((resolved?.payload.data.notified as Recipient[]).map((r) => r.userId).sort(), [hal, 'ops-admin', 'root-admin'].sort());
  });

  it('when a person without contacts raises, then the exhaustion at once tells the admins', async () => {
    const e = await raise(app.url, await as.user(someone('lone')));
    await app.tick();
    const exhausted = (await outboxEvents(schema, e.id)).find((x) => x.type === 'emergency.exhausted');
    assert.deepEqual((exhausted?.payload.data.recipients as Recipient[]).map((r) => r.userId), ['root-admin', 'ops-admin']);
  });
});
