import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DateTime } from 'luxon';
import { deliveryRows, outboxEvents } from './support/database.ts';
import { deliver, event, putPreferences, reminderDue } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { as } from './support/notification-app.ts';

const byChannel = <T extends { channel: string }>(rows: T[]): T[] => [...rows].sort((a, b) => a.channel.localeCompare(b.channel));
const EMAIL_ONLY = { email: 'rita@example.test', channels: { push: false, websocket: false } };

/** Quiet hours that contain the current minute, in Tokyo, so the test holds at any time of day. */
function quietNow(zone = 'Asia/Tokyo') {
  const now = DateTime.now().setZone(zone);
  return { timezone: zone, quietHours: { start: now.minus({ hours: 1 }).toFormat('HH:mm'), end: now.plus({ hours: 1 }).toFormat('HH:mm') } };
}

describe('suppression: preferences, quiet hours, rate limits; emergencies bypass them', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('suppression', { RATE_LIMIT_MAX: '10', RATE_LIMIT_WINDOW_MS: '60000' });
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  const prefs = async (body: Record<string, unknown>, user = 'rita') => putPreferences(h.app.url, user, body, await as.user(user));

  it('when the reminders category is off, then the delivery is recorded as suppressed (preference-disabled), no mail goes out and notification.suppressed is published', async () => {
    await prefs({ ...EMAIL_ONLY, categories: { reminders: false } });
    const reminder = reminderDue('rita');
    assert.equal(await deliver(h.app.url, 'reminders', reminder), 'SUCCESS');
    const rows = byChannel(await deliveryRows(h.schema));
    assert.deepEqual(rows.map((r) => [r.channel, r.status, r.reason]), [
      ['email', 'suppressed', 'preference-disabled'],
      ['push', 'suppressed', 'preference-disabled'],
      ['websocket', 'suppressed', 'preference-disabled'],
    ]);
    const suppressed = await h.sidecar.waitForEvents('notification.suppressed', 3);
    assert.deepEqual(suppressed.map((e) => e.data.reason).sort(), ['preference-disabled', 'preference-disabled', 'preference-disabled']);
    assert.equal(suppressed[0]?.data.causeEventId, reminder.id);
    assert.equal((await h.capture.messages()).length, 0);
  });

  it('when the email channel is off, then email is suppressed while the other channels still deliver', async () => {
    await prefs({ email: 'rita@example.test', channels: { email: false } });
    await deliver(h.app.url, 'reminders', reminderDue('rita'));
    const rows = byChannel(await deliveryRows(h.schema));
    assert.deepEqual(rows.map((r) => [r.channel, r.status, r.reason]), [
      ['email', 'suppressed', 'preference-disabled'],
      ['push', 'suppressed', 'no-address'],
      ['websocket', 'sent', null],
    ]);
    assert.equal((await h.capture.messages()).length, 0);
  });

  it('when the user has no address and no device, then those channels are suppressed as no-address', async () => {
    await deliver(h.app.url, 'reminders', reminderDue('nobody'));
    const rows = byChannel(await deliveryRows(h.schema));
    assert.deepEqual(rows.map((r) => [r.channel, r.status, r.reason]), [
      ['email', 'suppressed', 'no-address'],
      ['push', 'suppressed', 'no-address'],
      ['websocket', 'sent', null],
    ]);
  });

  it('when it is inside the user quiet hours (their timezone), then the reminder is suppressed as quiet-hours', async () => {
    await prefs({ ...EMAIL_ONLY, ...quietNow() });
    await deliver(h.app.url, 'reminders', reminderDue('rita'));
    const [row] = await deliveryRows(h.schema, `channel = 'email'`);
    assert.equal(row?.status, 'suppressed');
    assert.equal(row?.reason, 'quiet-hours');
    assert.equal((await h.capture.messages()).length, 0);
  });

  it('when eleven emails are due within a minute, then ten go out and the eleventh is suppressed as rate-limited', async () => {
    await prefs(EMAIL_ONLY);
    for (let i = 1; i <= 11; i++) assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita', { title: `Task ${i}` })), 'SUCCESS');
    const rows = await deliveryRows(h.schema, `channel = 'email'`);
    assert.deepEqual(rows.map((r) => r.status), [...Array<string>(10).fill('sent'), 'suppressed']);
    assert.equal(rows[10]?.reason, 'rate-limited');
    assert.equal(rows[10]?.attempts, 0);
    assert.equal((await h.capture.messages({ to: 'rita@example.test' })).length, 10);
    assert.ok((await outboxEvents(h.schema)).some((e) => e.type === 'notification.suppressed' && e.data.reason === 'rate-limited'));
  });

  it('when one user is rate-limited, then another user and a redelivery of an admitted event are not', async () => {
    await prefs(EMAIL_ONLY);
    await prefs({ email: 'otto@example.test', channels: { push: false, websocket: false } }, 'otto');
    const first = reminderDue('rita');
    await deliver(h.app.url, 'reminders', first);
    for (let i = 0; i < 10; i++) await deliver(h.app.url, 'reminders', reminderDue('rita'));
    // The first event's slot is its own: delivering it again changes nothing.
    assert.equal(await deliver(h.app.url, 'reminders', first), 'SUCCESS');
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('otto')), 'SUCCESS');
    assert.equal((await h.capture.messages({ to: 'otto@example.test' })).length, 1);
    assert.equal((await h.capture.messages({ to: 'rita@example.test' })).length, 10);
  });

  it('when an emergency arrives in quiet hours, past the rate limit and with everything switched off, then it is still delivered', async () => {
    await prefs({
      email: 'rita@example.test',
      ...quietNow(),
      channels: { email: false, websocket: false, push: false },
      categories: { emergency: false },
    });
    for (let i = 0; i < 10; i++) await deliver(h.app.url, 'reminders', reminderDue('rita'));
    const sos = event(
      'emergency.created',
      { emergencyId: crypto.randomUUID(), userId: 'rita', raisedBy: 'rita', message: 'I fell', location: null, policyId: null, createdAt: new Date().toISOString() },
      { actor: 'rita', source: 'emergency' },
    );
    assert.equal(await deliver(h.app.url, 'emergency-events', sos), 'SUCCESS');
    const [mail] = await h.capture.waitForMessages({ to: 'rita@example.test', subject: 'Emergency alert raised' }, 1);
    assert.match(mail?.text ?? '', /Your SOS was sent/);
    assert.equal(mail?.headers.priority, 'high');
    const rows = byChannel(await deliveryRows(h.schema, `cause_event_id = $1`, [sos.id]));
    assert.deepEqual(rows.map((r) => [r.channel, r.status, r.priority]), [
      ['email', 'sent', 'emergency'],
      ['push', 'suppressed', 'emergency'],
      ['websocket', 'sent', 'emergency'],
    ]);
  });
});
