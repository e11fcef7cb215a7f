import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createEmergencyAckLinks } from '@lifeline/kit';
import { deliveryRows } from './support/database.ts';
import { deliver, event, putPreferences } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { JWT_SECRET, as } from './support/notification-app.ts';

describe('emergency notifications', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('emergency');
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  type Recipient = { kind: 'user'; userId: string } | { kind: 'contact'; contactId: string; name: string; email: string };
  const users = (ids: string[]): Recipient[] => ids.map((userId) => ({ kind: 'user', userId }));
  const escalated = (emergencyId: string, recipients: Recipient[] | string[], tier = 1, round = 1) =>
    event(
      'emergency.escalated',
      {
        emergencyId,
        userId: 'rita',
        kind: 'sos',
        message: 'I fell',
        tier,
        round,
        order: 'all',
        recipients: recipients.map((r) => (typeof r === 'string' ? { kind: 'user' as const, userId: r } : r)),
        escalatedAt: new Date().toISOString(),
      },
      { source: 'emergency' },
    );
  const nadia = (): Recipient & { kind: 'contact' } => {
    const contactId = randomUUID();
    return { kind: 'contact', contactId, name: 'Nadia Neighbour', email: `nadia-${contactId.slice(0, 8)}@example.test` };
  };
  const plain = (r: Recipient) => r;
  const linkIn = (text: string | null | undefined) => /I am responding: (\S+)/.exec(text ?? '')?.[1];

  it('when an emergency is escalated, then every contact of the tier is alerted on their channels at emergency priority', async () => {
    const [carl, dora] = [randomUUID(), randomUUID()];
    await putPreferences(h.app.url, carl, { email: 'carl@example.test', pushTokens: ['carl-phone'] }, await as.user(carl));
    await putPreferences(h.app.url, dora, { email: 'dora@example.test' }, await as.user(dora));
    const emergencyId = randomUUID();
    assert.equal(await deliver(h.app.url, 'emergency-events', escalated(emergencyId, [carl, dora])), 'SUCCESS');
    const [mail] = await h.capture.waitForMessages({ to: 'carl@example.test' }, 1);
    assert.equal(mail?.subject, 'EMERGENCY: rita needs help');
    assert.match(mail?.text ?? '', /escalation tier 1/);
    assert.match(mail?.html ?? '', /#b00020/);
    await h.capture.waitForMessages({ to: 'dora@example.test' }, 1);
    const [push] = await h.capture.waitForPushes({ token: 'carl-phone' }, 1);
    assert.equal(push?.data.emergencyId, emergencyId);
    assert.equal((push?.android as { priority?: string } | null)?.priority, 'high');
    const sent = (await deliveryRows(h.schema)).filter((r) => r.status === 'sent').map((r) => `${r.user_id === carl ? 'carl' : 'dora'}:${r.channel}`);
    assert.deepEqual(sent.sort(), ['carl:email', 'carl:push', 'carl:websocket', 'dora:email', 'dora:websocket']);
  });

  it('when the only channel a contact chose fails for good, then the alert falls back to another channel despite the opt-out', async () => {
    const carl = randomUUID();
    await putPreferences(h.app.url, carl, { email: 'carl@example.test', pushTokens: ['dead-phone'], channels: { email: false, websocket: false } }, await as.user(carl));
    await h.capture.unregisterToken('dead-phone');
    // A delivery failed (push), so the event still goes to the dead-letter topic; the contact was reached anyway.
    assert.equal(await deliver(h.app.url, 'emergency-events', escalated(randomUUID(), [carl])), 'DROP');
    await h.capture.waitForMessages({ to: 'carl@example.test', subject: 'EMERGENCY' }, 1);
    const rows = await deliveryRows(h.schema, 'user_id = $1', [carl]);
    assert.deepEqual(rows.map((r) => [r.channel, r.status, r.fallback_for]), [
      ['push', 'failed', null],
      ['email', 'sent', 'push'],
    ]);
  });

  it('when the fallback fails too, then the next channel in reserve takes over', async () => {
    const carl = randomUUID();
    await putPreferences(h.app.url, carl, { email: 'carl@example.test', pushTokens: ['dead-phone'], channels: { email: false, websocket: false } }, await as.user(carl));
    await h.capture.unregisterToken('dead-phone');
    await h.capture.failSmtp({ code: 550, message: '5.1.1 mailbox unavailable', stage: 'rcpt', match: { to: 'carl@example.test' } });
    assert.equal(await deliver(h.app.url, 'emergency-events', escalated(randomUUID(), [carl])), 'DROP');
    const rows = await deliveryRows(h.schema, 'user_id = $1', [carl]);
    assert.deepEqual(rows.map((r) => [r.channel, r.status, r.fallback_for]), [
      ['push', 'failed', null],
      ['email', 'failed', 'push'],
      ['websocket', 'sent', 'email'],
    ]);
  });

  it('when the emergency is resolved, then the person and every alerted contact except the resolver get the all-clear', async () => {
    const [carl, dora] = [randomUUID(), randomUUID()];
    const emergencyId = randomUUID();
    await deliver(h.app.url, 'emergency-events', escalated(emergencyId, [carl, dora]));
    const resolved = event(
      'emergency.resolved',
      { emergencyId, userId: 'rita', resolvedBy: carl, resolution: 'She is fine', resolvedAt: new Date().toISOString(), notified: users([carl, dora]) },
      { actor: carl, source: 'emergency' },
    );
    assert.equal(await deliver(h.app.url, 'emergency-events', resolved), 'SUCCESS');
    const rows = await deliveryRows(h.schema, `cause_event_id = $1 AND channel = 'websocket'`, [resolved.id]);
    assert.deepEqual(rows.map((r) => r.user_id).sort(), [dora, 'rita'].sort());
    const forRita = rows.find((r) => r.user_id === 'rita');
    assert.equal(forRita?.content.title, 'Your emergency was resolved');
    assert.equal(forRita?.priority, 'normal');
    assert.equal(rows.find((r) => r.user_id === dora)?.content.title, 'All clear: the emergency of rita was resolved');
  });

  it('when an outside contact is paged, then they get exactly one mail at their address with an acknowledgement link signed here for them, past every preference', async () => {
    const contact = nadia();
    const emergencyId = randomUUID();
    const page = escalated(emergencyId, [contact], 2, 1);
    assert.doesNotMatch(JSON.stringify(page), /token=|acknowledgeUrl/, 'the event carries no link');
    assert.equal(await deliver(h.app.url, 'emergency-events', page), 'SUCCESS');
    // A redelivery of the same page is the same delivery, not a second mail.
    assert.equal(await deliver(h.app.url, 'emergency-events', page), 'SUCCESS');
    const mails = await h.capture.waitForMessages({ to: contact.email }, 1);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]?.subject, 'EMERGENCY: rita needs help');
    const link = new URL(linkIn(mails[0]?.text) ?? 'missing:', 'http://x');
    assert.equal(link.pathname, `/api/v1/emergencies/${emergencyId}/respond`, mails[0]?.text ?? '');
    // The emergency app verifies it with the shared secret: this emergency, this contact.
    const check = createEmergencyAckLinks({ secret: JWT_SECRET }).verify(link.searchParams.get('token') ?? '', emergencyId);
    assert.ok(check.ok && check.contactId === contact.contactId, JSON.stringify(check));
    assert.ok(mails[0]?.html?.includes('I am responding'));
    const rows = await deliveryRows(h.schema, 'user_id = $1', [`contact:${contact.contactId}`]);
    assert.deepEqual(rows.map((r) => [r.channel, r.status, r.priority]), [['email', 'sent', 'emergency']]);
  });

  it('when a version 2 page (with the link the emergency app signed) arrives during a rollout, then it is accepted and the mail carries that link', async () => {
    const contact = nadia();
    const v3 = escalated(randomUUID(), [contact]);
    const carried = `https://lifeline.example/api/v1/emergencies/${v3.data.emergencyId}/respond?token=old-${contact.contactId}`;
    const data: Record<string, unknown> = { ...v3.data };
    delete data.order;
    const v2 = { ...v3, schemaVersion: 2, data: { ...data, recipients: [{ ...contact, acknowledgeUrl: carried }] } };
    assert.equal(await deliver(h.app.url, 'emergency-events', v2), 'SUCCESS');
    const [mail] = await h.capture.waitForMessages({ to: contact.email }, 1);
    assert.equal(linkIn(mail?.text), carried);
  });

  it('when a nearest-first tier pages its nearest contact alone (round 0), then the page says they are the nearest', async () => {
    const carl = randomUUID();
    await putPreferences(h.app.url, carl, { email: `carl-${carl.slice(0, 8)}@example.test` }, await as.user(carl));
    assert.equal(await deliver(h.app.url, 'emergency-events', escalated(randomUUID(), [carl], 1, 0)), 'SUCCESS');
    const [mail] = await h.capture.waitForMessages({ to: `carl-${carl.slice(0, 8)}@example.test` }, 1);
    assert.match(mail?.text ?? '', /You are the nearest of their contacts/);
  });

  it('when the emergency is acknowledged, then everyone paged so far but the responder hears who is responding, outside contacts by mail', async () => {
    const [carl, dora] = [randomUUID(), randomUUID()];
    const contact = nadia();
    await putPreferences(h.app.url, dora, { email: 'dora@example.test' }, await as.user(dora));
    const emergencyId = randomUUID();
    const acknowledged = event(
      'emergency.acknowledged',
      { emergencyId, userId: 'rita', acknowledgedBy: carl, responderName: 'Carl', acknowledgedAt: new Date().toISOString(), notified: [...users([carl, dora]), plain(contact)] },
      { actor: carl, source: 'emergency' },
    );
    assert.equal(await deliver(h.app.url, 'emergency-events', acknowledged), 'SUCCESS');
    const [mail] = await h.capture.waitForMessages({ to: contact.email }, 1);
    assert.equal(mail?.subject, 'Carl is responding');
    await h.capture.waitForMessages({ to: 'dora@example.test', subject: 'Carl is responding' }, 1);
    const told = new Set((await deliveryRows(h.schema, 'cause_event_id = $1', [acknowledged.id])).map((r) => r.user_id));
    assert.deepEqual([...told].sort(), ['rita', dora, `contact:${contact.contactId}`].sort());
  });

  it('when the escalation is exhausted, then the person and everyone on every tier are told at emergency priority', async () => {
    const carl = randomUUID();
    const contact = nadia();
    const exhausted = event(
      'emergency.exhausted',
      { emergencyId: randomUUID(), userId: 'rita', kind: 'fall', tiers: 2, recipients: [...users([carl]), plain(contact)], exhaustedAt: new Date().toISOString() },
      { source: 'emergency' },
    );
    assert.equal(await deliver(h.app.url, 'emergency-events', exhausted), 'SUCCESS');
    const [mail] = await h.capture.waitForMessages({ to: contact.email }, 1);
    assert.equal(mail?.subject, 'EMERGENCY: still nobody has answered rita');
    const rows = await deliveryRows(h.schema, 'cause_event_id = $1', [exhausted.id]);
    assert.deepEqual([...new Set(rows.map((r) => r.user_id))].sort(), ['rita', carl, `contact:${contact.contactId}`].sort());
    assert.ok(rows.every((r) => r.priority === 'emergency'));
  });

  it('when a missed check-in raised the emergency, then the person is told so, and the check_in_missed event itself tells nobody', async () => {
    await putPreferences(h.app.url, 'rita', { email: 'rita@example.test' }, await as.user('rita'));
    const emergencyId = randomUUID();
    const created = event(
      'emergency.created',
      { emergencyId, userId: 'rita', raisedBy: 'rita', kind: 'missed_check_in', message: 'Missed check-in', location: null, policyId: null, createdAt: new Date().toISOString() },
      { source: 'emergency' },
    );
    assert.equal(await deliver(h.app.url, 'emergency-events', created), 'SUCCESS');
    const [mail] = await h.capture.waitForMessages({ to: 'rita@example.test' }, 1);
    assert.match(mail?.text ?? '', /You did not check in in time/);
    const missed = event(
      'emergency.check_in_missed',
      { checkInId: randomUUID(), userId: 'rita', emergencyId, note: null, dueAt: new Date().toISOString(), missedAt: new Date().toISOString() },
      { source: 'emergency' },
    );
    assert.equal(await deliver(h.app.url, 'emergency-events', missed), 'SUCCESS');
    assert.equal((await deliveryRows(h.schema, 'cause_event_id = $1', [missed.id])).length, 0);
  });
});
