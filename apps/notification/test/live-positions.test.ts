import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { eventually } from '@lifeline/kit/testing';
import { deliveryRows } from './support/database.ts';
import { deliver, event } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { connectLive, type LiveClient } from './support/live-client.ts';
import { as, type RunningNotificationApp } from './support/notification-app.ts';

const settle = () => new Promise((r) => setTimeout(r, 300));

function position(viewers: string[], opts: { time?: string } = {}) {
  const e = event('emergency.position', {
    emergencyId: randomUUID(),
    userId: 'ann',
    position: { lat: 47.37, lon: 8.54, accuracyM: 5, recordedAt: new Date().toISOString() },
    viewers,
  }, { source: 'location' });
  return opts.time === undefined ? e : { ...e, time: opts.time };
}

describe('live positions of a person in danger over WebSocket', () => {
  let h: Harness;
  let replica: RunningNotificationApp;
  const clients: LiveClient[] = [];
  const connect = async (appUrl: string, user: string) => {
    const client = await connectLive(appUrl, { authorization: await as.user(user) });
    clients.push(client);
    return client;
  };
  const positions = (c: LiveClient) => c.frames.filter((f) => f.type === 'position');

  before(async () => {
    h = await startHarness('live_positions');
    replica = await h.replica();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await h?.close();
  });
  beforeEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await h.reset();
  });

  it('when a position names viewers, then each viewer socket gets it once on whichever replica holds it, a stranger gets nothing, and no delivery or mail is made', async () => {
    const bob = await connect(h.app.url, 'bob');
    const cara = await connect(replica.url, 'cara');
    const sam = await connect(h.app.url, 'sam');
    const e = position(['bob', 'cara']);
    assert.equal(await deliver(h.app.url, 'emergency-positions', e), 'SUCCESS');
    await eventually(async () => positions(bob).length === 1 && positions(cara).length === 1, 'both viewers got the position', 5000);
    // The hand-over goes to the fan-out under its own topic, never back onto the domain topic.
    assert.deepEqual(h.sidecar.published.map((p) => [p.pubsub, p.topic]), [['fanout', 'notification-positions']]);
    assert.deepEqual(positions(bob)[0], { type: 'position', emergencyId: e.data.emergencyId, personId: 'ann', position: e.data.position });
    // The broker delivered it again: the fan-out's id check keeps it off the sockets.
    assert.equal(await deliver(h.app.url, 'emergency-positions', e), 'SUCCESS');
    await settle();
    assert.equal(positions(bob).length, 1);
    assert.equal(positions(cara).length, 1);
    assert.deepEqual(positions(sam), []);
    assert.deepEqual(await deliveryRows(h.schema), []);
    assert.deepEqual(await h.capture.messages({}), []);
  });

  it('when a position is older than the live window, then it reaches no socket; data breaking the contract is DROP', async () => {
    const bob = await connect(h.app.url, 'bob');
    const stale = position(['bob'], { time: new Date(Date.now() - 120_000).toISOString() });
    assert.equal(await deliver(h.app.url, 'emergency-positions', stale), 'SUCCESS');
    await settle();
    assert.deepEqual(positions(bob), []);
    const broken = { ...position(['bob']), data: { emergencyId: randomUUID(), userId: 'ann', position: { lat: 99, lon: 0, accuracyM: 1, recordedAt: new Date().toISOString() }, viewers: ['bob'] } };
    assert.equal(await deliver(h.app.url, 'emergency-positions', broken), 'DROP');
    assert.equal(await deliver(h.app.url, 'emergency-positions', { ...position(['bob']), data: { ...position(['bob']).data, viewers: [] } }), 'DROP');
    await settle();
    assert.deepEqual(positions(bob), []);
  });

  it('when the fan-out refuses the hand-over, then the position is RETRY so the broker delivers it again', async () => {
    h.sidecar.failPublishes('notification-positions', 1);
    const bob = await connect(h.app.url, 'bob');
    const e = position(['bob']);
    assert.equal(await deliver(h.app.url, 'emergency-positions', e), 'RETRY');
    assert.equal(await deliver(h.app.url, 'emergency-positions', e), 'SUCCESS');
    await eventually(async () => positions(bob).length === 1, 'the redelivered position', 5000);
  });
});
