import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { makeEvent, topicsConsumedBy, type EventType } from '@lifeline/contracts';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { admin, createTestSchema, dropSchema, outboxRows, truncateAll } from './support/database.ts';
import { APP_TOKEN, bearer, fix, startLocationApp, type RunningLocationApp } from './support/location-app.ts';

const NEAR = '/location/nearby?lat=52.5&lon=13.4&radiusM=2000';
const now = () => new Date().toISOString();

describe('open emergencies: who sees the person nearby, and their live positions', () => {
  let schema: string;
  let app: RunningLocationApp;
  let ann: string;

  before(async () => {
    schema = await createTestSchema('live');
    // An interval the tests can cross: 300 ms between two live positions of one emergency.
    app = await startLocationApp({ schema, env: { LIVE_POSITION_INTERVAL_MS: '300' } });
    ann = await bearer('ann');
  });
  afterEach(async () => {
    await truncateAll(schema);
    await admin((c) => c.query(`TRUNCATE "${schema}".live_emergencies, "${schema}".live_emergency_viewers, "${schema}".processed_events`));
    const keys = await app.redis.keys(`${app.prefix}*`);
    if (keys.length > 0) await app.redis.del(...keys);
  });
  after(async () => {
    await app?.close();
    await dropSchema(schema);
  });

  /** As daprd delivers on the topic route: a CloudEvent whose data is the contract event. */
  async function deliver(data: unknown): Promise<string> {
    const res = await fetch(`${app.url}/events/emergency-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', 'dapr-api-token': APP_TOKEN },
      body: JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'emergency', type: 'com.dapr.event.sent', datacontenttype: 'application/json', topic: 'emergency-events', pubsubname: 'pubsub', data }),
    });
    return ((await res.json()) as { status: string }).status;
  }

  function emergencyEvent<T extends EventType>(type: T, data: Record<string, unknown>) {
    return makeEvent(type, { source: 'emergency', subject: String(data.emergencyId), actor: { id: 'system', kind: 'system' }, data: data as never });
  }

  const created = (id: string, raisedBy = 'ann') =>
    emergencyEvent('emergency.created', { emergencyId: id, userId: 'ann', raisedBy, kind: 'sos', message: null, location: null, policyId: null, createdAt: now() });
  // Written out as version 2 of the page, which every version of the contract since accepts.
  const escalated = (id: string, users: string[]) => ({
    id: randomUUID(),
    type: 'emergency.escalated',
    source: 'emergency',
    time: now(),
    subject: id,
    actor: { id: 'system', kind: 'system' },
    schemaVersion: 2,
    data: {
      emergencyId: id,
      userId: 'ann',
      kind: 'sos',
      message: null,
      tier: 1,
      round: 1,
      recipients: [...users.map((userId) => ({ kind: 'user', userId })), { kind: 'contact', contactId: randomUUID(), name: 'Nadia', email: 'nadia@example.test', acknowledgeUrl: 'https://lifeline.example/ack?token=x' }],
      escalatedAt: now(),
    },
  });
  const resolved = (id: string) => emergencyEvent('emergency.resolved', { emergencyId: id, userId: 'ann', resolvedBy: 'bob', resolution: null, resolvedAt: now(), notified: [] });

  const nearbyIds = async (token: string) => (await expectJson<{ items: Array<{ personId: string }> }>(await call(app.url, NEAR, token))).items.map((i) => i.personId);
  const report = async (body: unknown, path = '/location/positions') => expectJson(await call(app.url, path, ann, { method: 'POST', body }));
  const livePositions = async () => (await outboxRows(schema)).filter((r) => r.type === 'emergency.position');

  it('when the sidecar asks /dapr/subscribe, then it gets the contract\'s topics for location, each with its dead-letter topic', async () => {
    const list = await expectJson<Array<{ pubsubname: string; topic: string; deadLetterTopic: string; bulkSubscribe?: { enabled: boolean } }>>(
      await call(app.url, '/dapr/subscribe', undefined, { headers: { 'dapr-api-token': APP_TOKEN } }),
    );
    assert.deepEqual(list.map((s) => s.topic).sort(), [...topicsConsumedBy('location')].sort());
    for (const s of list) {
      assert.equal(s.deadLetterTopic, `${s.topic}.dead-letter`);
      assert.equal(s.bulkSubscribe?.enabled, true, 'emergency events come in batches');
    }
  });

  it('when a contact is paged for an open emergency, then their nearby shows the person until it is resolved; a stranger never sees them', async () => {
    await report(fix(52.5001, 13.4001, 1000));
    const bob = await bearer('bob');
    const stranger = await bearer('sam');
    assert.deepEqual(await nearbyIds(bob), [], 'nobody shares with bob before the emergency');

    const id = randomUUID();
    assert.equal(await deliver(created(id)), 'SUCCESS');
    assert.deepEqual(await nearbyIds(bob), [], 'raised, but bob is not paged yet');
    assert.equal(await deliver(escalated(id, ['bob'])), 'SUCCESS');
    assert.deepEqual(await nearbyIds(bob), ['ann']);
    assert.deepEqual(await nearbyIds(stranger), []);
    assert.deepEqual(await nearbyIds(ann), [], 'the person is never in their own answer');

    assert.equal(await deliver(resolved(id)), 'SUCCESS');
    assert.deepEqual(await nearbyIds(bob), [], 'closing removes them at once');
  });

  it('when a contact is paged for an open emergency, then they read the person\'s latest, history and trail until it is resolved; nobody else does', async () => {
    await report(fix(52.5001, 13.4001, 1000));
    const bob = await bearer('bob');
    const read = (path: string, token: string, person = 'ann') => call(app.url, `/location/people/${person}/${path}`, token);
    const paths = ['latest', 'history', 'trail'];
    const id = randomUUID();
    assert.equal(await deliver(created(id)), 'SUCCESS');
    for (const path of paths) await expectProblem(await read(path, bob), 404, 'person-not-found');
    assert.equal(await deliver(escalated(id, ['bob'])), 'SUCCESS');
    for (const path of paths) {
      await expectJson(await read(path, bob));
      await expectProblem(await read(path, await bearer('sam')), 404, 'person-not-found');
      await expectProblem(await read(path, bob, 'cleo'), 404, 'person-not-found');
    }
    assert.equal((await expectJson<{ lat: number }>(await read('latest', bob))).lat, 52.5001);
    assert.equal(await deliver(resolved(id)), 'SUCCESS');
    for (const path of paths) await expectProblem(await read(path, bob), 404, 'person-not-found');
  });

  it('when the caregiver raises and someone acknowledges, then both see the person; an outside contact is nobody here', async () => {
    await report(fix(52.5001, 13.4001, 1000));
    const id = randomUUID();
    assert.equal(await deliver(created(id, 'cara')), 'SUCCESS');
    const acknowledged = emergencyEvent('emergency.acknowledged', {
      emergencyId: id,
      userId: 'ann',
      acknowledgedBy: 'dora',
      responderName: 'Dora',
      acknowledgedAt: now(),
      notified: [{ kind: 'user', userId: 'eve' }, { kind: 'contact', contactId: randomUUID(), name: 'Nadia', email: 'nadia@example.test' }],
    });
    assert.equal(await deliver(acknowledged), 'SUCCESS');
    for (const user of ['cara', 'dora', 'eve']) assert.deepEqual(await nearbyIds(await bearer(user)), ['ann'], user);
    const { rows } = await admin((c) => c.query<{ user_id: string }>(`SELECT user_id FROM "${schema}".live_emergency_viewers ORDER BY user_id`));
    assert.deepEqual(rows.map((r) => r.user_id), ['cara', 'dora', 'eve']);
  });

  it('when the resolve arrives before the escalation, then the late escalation does not reopen it', async () => {
    await report(fix(52.5001, 13.4001, 1000));
    const id = randomUUID();
    assert.equal(await deliver(resolved(id)), 'SUCCESS');
    assert.equal(await deliver(escalated(id, ['bob'])), 'SUCCESS');
    assert.equal(await deliver(created(id, 'cara')), 'SUCCESS');
    assert.deepEqual(await nearbyIds(await bearer('bob')), []);
    assert.deepEqual(await nearbyIds(await bearer('cara')), []);
    await report(fix(52.5002, 13.4002, 500));
    assert.deepEqual(await livePositions(), [], 'a closed emergency publishes nothing');
  });

  it('when the same event is delivered twice, then it is applied once; data breaking the contract is DROP and changes nothing', async () => {
    const id = randomUUID();
    const event = escalated(id, ['bob']);
    assert.equal(await deliver(event), 'SUCCESS');
    assert.equal(await deliver(event), 'SUCCESS');
    const { rows } = await admin((c) => c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".processed_events WHERE event_id = $1`, [event.id]));
    assert.equal(rows[0]?.n, 1);
    assert.equal(await deliver({ ...event, id: randomUUID(), data: { ...event.data, emergencyId: 'not-a-uuid' } }), 'DROP');
    const open = await admin((c) => c.query(`SELECT emergency_id FROM "${schema}".live_emergencies`));
    assert.equal(open.rows.length, 1);
  });

  it('when a person with an open emergency reports positions, then the newest goes out live for the viewers, at most once per interval; duplicates and older fixes publish nothing', async () => {
    const id = randomUUID();
    await deliver(created(id));
    await deliver(escalated(id, ['bob', 'cara']));

    const batch = [fix(52.51, 13.41, 3000), fix(52.53, 13.43, 1000), fix(52.52, 13.42, 2000)];
    await report({ positions: batch }, '/location/positions/batch');
    const [first, ...others] = await livePositions();
    assert.equal(others.length, 0, 'one live position per batch: the newest');
    assert.equal(first?.payload.subject, id);
    assert.equal(first?.payload.schemaVersion, 1);
    assert.deepEqual(first?.payload.data, {
      emergencyId: id,
      userId: 'ann',
      position: { lat: 52.53, lon: 13.43, accuracyM: 5, recordedAt: batch[1]?.recordedAt },
      viewers: ['bob', 'cara'],
    });

    // Within the interval: stored, not published. The same batch again: a duplicate, nothing.
    await report(fix(52.54, 13.44, 500));
    await report({ positions: batch }, '/location/positions/batch');
    assert.equal((await livePositions()).length, 1);

    await new Promise((r) => setTimeout(r, 350));
    await report(fix(52.5, 13.4, 5000));
    assert.equal((await livePositions()).length, 1, 'a fix older than the last one published is history only');
    const newest = fix(52.55, 13.45, 100);
    await report(newest);
    const live = await livePositions();
    assert.equal(live.length, 2);
    assert.equal((live[1]?.payload.data.position as { recordedAt: string }).recordedAt, newest.recordedAt);
  });

  it('when the maintenance tick runs, then emergencies closed more than 30 days ago are forgotten and open or recent ones stay', async () => {
    const [old, recent, open] = [randomUUID(), randomUUID(), randomUUID()];
    await deliver(resolved(old));
    await deliver(resolved(recent));
    await deliver(escalated(open, ['bob']));
    await admin((c) => c.query(`UPDATE "${schema}".live_emergencies SET closed_at = now() - interval '40 days' WHERE emergency_id = $1`, [old]));
    const res = await fetch(`${app.url}/location-maintenance-cron`, { method: 'POST', headers: { 'dapr-api-token': APP_TOKEN, 'content-type': 'application/json' }, body: '{}' });
    assert.ok(res.status < 300, await res.text());
    const { rows } = await admin((c) => c.query<{ id: string }>(`SELECT emergency_id::text AS id FROM "${schema}".live_emergencies ORDER BY 1`));
    assert.deepEqual(rows.map((r) => r.id), [recent, open].sort());
  });

  it('when nobody may see the person yet, or the person has no open emergency, then their positions publish nothing', async () => {
    await report(fix(52.5, 13.4, 2000));
    const id = randomUUID();
    await deliver(created(id));
    await report(fix(52.5, 13.4, 1000));
    assert.deepEqual(await livePositions(), [], 'raised by the person, nobody paged yet: no viewer');
    await deliver(escalated(id, ['bob']));
    await deliver(resolved(id));
    await report(fix(52.5, 13.4, 500));
    assert.deepEqual(await livePositions(), []);
  });
});
