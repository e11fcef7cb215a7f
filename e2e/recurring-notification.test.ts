// recurring and notification end to end, on the broker named by E2E_BROKER: series that become real tasks
// through service invocation, and reminders that become mail, pushes and live WebSocket frames, through
// real daprd sidecars, the real broker, real Postgres, Redis and the SMTP/push capture server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import WebSocket from 'ws';
import { CaptureClient } from '@lifeline/capture/client';
import { makeEvent, topicsConsumedBy, type DataOf, type EventType } from '@lifeline/contracts';
import { brokers, loadStackEnv, type Broker } from '@lifeline/platform';
import { Platform, forgetConsumer, waitUntil, type InstanceOptions } from './harness/index.ts';

const broker = (process.env.E2E_BROKER ?? 'redis') as Broker;
if (!brokers.includes(broker)) throw new Error(`E2E_BROKER must be one of ${brokers.join(', ')}`);

interface Delivery {
  id: string;
  userId: string;
  channel: string;
  status: string;
  reason: string | null;
  attempts: number;
  providerMessageId: string | null;
  causeEventId: string;
}
interface Series {
  id: string;
  status: string;
  sourceTaskId: string | null;
}
interface InstanceRow {
  id: string;
  due_at: Date;
  status: string;
}

const BERLIN = 'Europe/Berlin';

/** Tomorrow (UTC date) at hh:00 Berlin wall-clock time, as RFC 5545 local text and as the instant it is. */
function berlinTomorrowAt(hour: number): { local: string; instant: string } {
  const day = new Date(Date.now() + 2 * 24 * 3600_000);
  const y = day.getUTCFullYear();
  const m = String(day.getUTCMonth() + 1).padStart(2, '0');
  const d = String(day.getUTCDate()).padStart(2, '0');
  // Berlin is UTC+1 in winter and UTC+2 in summer; find the offset the zone database gives that day.
  const probe = new Date(`${y}-${m}-${d}T12:00:00Z`);
  const offsetHours = Number(
    new Intl.DateTimeFormat('en-US', { timeZone: BERLIN, hour: 'numeric', hourCycle: 'h23' }).format(probe),
  ) - 12;
  const instant = new Date(Date.UTC(y, day.getUTCMonth(), day.getUTCDate(), hour - offsetHours)).toISOString();
  return { local: `${y}${m}${d}T${String(hour).padStart(2, '0')}0000`, instant };
}

describe(`recurring and notification on ${broker}`, { timeout: 600_000 }, () => {
  let platform: Platform;
  let db: pg.Client;
  const capture = new CaptureClient(`http://127.0.0.1:${loadStackEnv().LIFELINE_CAPTURE_PORT}`);
  let officer: string;
  let admin: string;
  const run = randomUUID().slice(0, 8);
  const person = (name: string) => `${name}-${run}`;
  const mailOf = (userId: string) => `${userId}@example.test`;

  async function call(url: string, token: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  const notificationUrl = (path: string, instance?: InstanceOptions) => platform.appUrl('notification', `/notification${path}`, instance);
  const recurringUrl = (path: string) => platform.appUrl('recurring', `/recurring${path}`);

  async function setPreferences(userId: string, prefs: Record<string, unknown>): Promise<void> {
    const res = await call(notificationUrl(`/preferences/${userId}`), await platform.token(userId, ['user']), { method: 'PUT', body: prefs });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  async function deliveries(userId: string, query = '&channel=email'): Promise<Delivery[]> {
    const res = await call(notificationUrl(`/notifications?userId=${userId}&limit=200${query}`), admin);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body as { items: Delivery[] }).items;
  }

  /** Every event makes one record per channel; a channel switched off is a suppressed record. Tests look at one channel. */
  const deliveriesSettle = (userId: string, count: number, query = '&channel=email') =>
    waitUntil(`${count} settled deliveries of ${userId}`, async () => {
      const items = await deliveries(userId, query);
      return items.length >= count && items.every((d) => d.status !== 'queued') ? items : undefined;
    }, 90_000, 300);

  /** Publishes a contract event through a sidecar, as a producer app would (CloudEvent id = event id). */
  async function publish<T extends EventType>(topic: string, type: T, data: DataOf<T>, opts: { id?: string; subject?: string } = {}) {
    const event = { ...makeEvent(type, { source: 'e2e', subject: opts.subject ?? randomUUID(), actor: { id: 'system', kind: 'system' }, data }), ...(opts.id ? { id: opts.id } : {}) };
    await publishRaw(topic, event);
    return event;
  }

  async function publishRaw(topic: string, event: { id: string; type: string }): Promise<void> {
    const url = platform.sidecarUrl('notification', `/v1.0/publish/pubsub/${topic}?metadata.cloudevent.id=${event.id}&metadata.cloudevent.type=${event.type}`);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'dapr-api-token': platform.tokens.daprApiToken }, body: JSON.stringify(event) });
    assert.equal(res.status, 204, await res.text());
  }

  const reminder = (ownerId: string, title = 'Take medication') =>
    publish('reminders', 'reminder.due', {
      taskId: randomUUID(),
      ownerId,
      title,
      priority: 'high',
      dueAt: new Date(Date.now() + 15 * 60_000).toISOString(),
      remindAt: new Date().toISOString(),
      timezone: BERLIN,
    });

  before(async () => {
    platform = await Platform.prepare(broker);
    db = new pg.Client({ connectionString: platform.adminUrl });
    await db.connect();
    // Earlier runs' events must not reach the fresh consumers (they would mail old test users).
    await forgetConsumer(broker, 'notification', topicsConsumedBy('notification'));
    await forgetConsumer(broker, 'recurring', topicsConsumedBy('recurring'));
    await capture.reset();
    officer = await platform.token('officer-1', ['compliance']);
    admin = await platform.token('admin-1', ['admin']);
    await platform.start('tasks');
    await platform.start('audit');
    await platform.start('recurring');
    await platform.start('notification');
    await platform.start('notification', { replica: 1 });
  });

  after(async () => {
    await platform?.stopAll();
    await db?.end();
  });

  describe('notification', () => {
    test('when a task reminder comes due, then the mail arrives with subject, body and recipient, the record says sent and the audit has notification.sent', async () => {
      const ann = person('ann');
      await setPreferences(ann, { email: mailOf(ann), channels: { email: true, websocket: false, push: false } });
      const token = await platform.token(ann, ['user']);
      const title = `Blood pressure pills ${run}`;
      const created = await call(platform.appUrl('tasks', '/tasks'), token, {
        method: 'POST',
        body: { title, dueAt: new Date(Date.now() + 3600_000).toISOString(), remindAt: new Date(Date.now() + 1000).toISOString() },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));

      // The reminder cron ticks every 15 s.
      const [mail] = await capture.waitForMessages({ to: mailOf(ann) }, 1, 60_000);
      assert.deepEqual(mail?.to, [mailOf(ann)]);
      assert.match(mail?.subject ?? '', new RegExp(title));
      assert.match(mail?.text ?? '', new RegExp(title));
      assert.match(mail?.html ?? '', new RegExp(title));

      const [delivery] = await deliveriesSettle(ann, 1);
      assert.equal(delivery?.status, 'sent');
      assert.equal(delivery?.channel, 'email');
      assert.ok(delivery?.providerMessageId);
      const audit = await waitUntil('notification.sent in the audit trail', async () => {
        const res = await call(platform.appUrl('audit', `/audit/notification/${delivery?.id}`), officer);
        const items = (res.body as { items?: { eventType: string }[] }).items ?? [];
        return items.length > 0 ? items : undefined;
      }, 60_000, 300);
      assert.equal(audit[0]?.eventType, 'notification.sent');
    });

    test('when a poison task row (planted straight in Postgres) is due beside someone else\'s reminder, then that reminder is still mailed and the poison is set aside', async () => {
      const poisonId = randomUUID();
      // Around the API: a zone name no contract accepts, so the row can never become a reminder.due event.
      await db.query(
        `INSERT INTO tasks.tasks (id, owner_id, title, remind_at, timezone, updated_at, created_by)
         VALUES ($1, $2, 'planted poison', now() - interval '1 minute', 'Not a zone!', now(), 'e2e')`,
        [poisonId, person('mallory')],
      );
      const nell = person('nell');
      await setPreferences(nell, { email: mailOf(nell), channels: { email: true, websocket: false, push: false } });
      const created = await call(platform.appUrl('tasks', '/tasks'), await platform.token(nell, ['user']), {
        method: 'POST',
        body: { title: `Insulin ${run}`, remindAt: new Date(Date.now() + 1000).toISOString() },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const [mail] = await capture.waitForMessages({ to: mailOf(nell) }, 1, 60_000);
      assert.match(mail?.subject ?? '', new RegExp(`Insulin ${run}`));
      const { rows } = await db.query<{ work: string }>(`SELECT work FROM tasks.set_aside WHERE item_key = $1`, [poisonId]);
      assert.deepEqual(rows, [{ work: 'reminder-scan' }]);
      await db.query('DELETE FROM tasks.tasks WHERE id = $1', [poisonId]);
    });

    test('when the category is switched off, then the delivery is suppressed with its reason and no mail is sent', async () => {
      const ben = person('ben');
      await setPreferences(ben, { email: mailOf(ben), channels: { email: true, websocket: false, push: false }, categories: { reminders: false } });
      await reminder(ben);
      const [delivery] = await deliveriesSettle(ben, 1);
      assert.equal(delivery?.status, 'suppressed');
      assert.equal(delivery?.reason, 'preference-disabled');
      assert.equal((await capture.messages({ to: mailOf(ben) })).length, 0);
    });

    test('when eleven reminders arrive within a minute, then ten mails go out and the eleventh is suppressed as rate-limited', async () => {
      const cleo = person('cleo');
      await setPreferences(cleo, { email: mailOf(cleo), channels: { email: true, websocket: false, push: false } });
      for (let i = 0; i < 11; i++) await reminder(cleo, `Dose ${i + 1}`);
      const items = await deliveriesSettle(cleo, 11);
      assert.equal(items.filter((d) => d.status === 'sent').length, 10);
      const suppressed = items.filter((d) => d.status === 'suppressed');
      assert.deepEqual(suppressed.map((d) => d.reason), ['rate-limited']);
      assert.equal((await capture.waitForMessages({ to: mailOf(cleo) }, 10, 30_000)).length, 10);
    });

    test('when an emergency arrives during quiet hours, then it is delivered anyway', async () => {
      const dora = person('dora');
      const hh = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
      await setPreferences(dora, {
        email: mailOf(dora),
        timezone: 'UTC',
        quietHours: { start: hh(new Date(Date.now() - 3600_000)), end: hh(new Date(Date.now() + 3600_000)) },
        channels: { email: true, websocket: false, push: false },
      });
      // A reminder in the same quiet hours is held back; the emergency is not.
      await reminder(dora);
      await publish('emergency-events', 'emergency.created', {
        emergencyId: randomUUID(),
        userId: dora,
        raisedBy: dora,
        message: 'I fell in the kitchen',
        location: null,
        policyId: null,
        createdAt: new Date().toISOString(),
      });
      const items = await deliveriesSettle(dora, 2);
      assert.deepEqual(items.map((d) => `${d.status}:${d.reason ?? ''}`).sort(), ['sent:', 'suppressed:quiet-hours']);
      const [mail] = await capture.waitForMessages({ to: mailOf(dora) }, 1, 30_000);
      assert.match(mail?.text ?? '', /I fell in the kitchen/);
    });

    test('when the same event is delivered twice, then one mail is sent', async () => {
      const eve = person('eve');
      await setPreferences(eve, { email: mailOf(eve), channels: { email: true, websocket: false, push: false } });
      const event = await reminder(eve);
      await publishRaw('reminders', event);
      await deliveriesSettle(eve, 1);
      await sleep(3000);
      assert.equal((await capture.messages({ to: mailOf(eve) })).length, 1);
      assert.equal((await deliveries(eve)).length, 1);
    });

    test('when the SMTP server answers 451 twice, then the mail is sent on the third attempt', async () => {
      const finn = person('finn');
      await setPreferences(finn, { email: mailOf(finn), channels: { email: true, websocket: false, push: false } });
      await capture.failSmtp({ code: 451, message: '4.3.0 try again later', times: 2, stage: 'rcpt', match: { to: mailOf(finn) } });
      await reminder(finn);
      const [delivery] = await deliveriesSettle(finn, 1);
      assert.equal(delivery?.status, 'sent');
      assert.equal(delivery?.attempts, 3);
      assert.equal((await capture.messages({ to: mailOf(finn) })).length, 1);
    });

    test('when the push provider reports a token as unknown, then the push goes to the other token and the dead one is removed', async () => {
      const gus = person('gus');
      const good = `good-${run}`;
      const dead = `dead-${run}`;
      await capture.unregisterToken(dead);
      await setPreferences(gus, { pushTokens: [good, dead], channels: { email: false, websocket: false, push: true } });
      await reminder(gus, 'Push me');
      const [push] = await capture.waitForPushes({ token: good }, 1, 60_000);
      assert.match(JSON.stringify(push), /Push me/);
      const prefs = await waitUntil('the dead token removed', async () => {
        const res = await call(notificationUrl(`/preferences/${gus}`), await platform.token(gus, ['user']));
        const tokens = (res.body as { pushTokens: string[] }).pushTokens;
        return tokens.length === 1 ? tokens : undefined;
      }, 30_000, 300);
      assert.deepEqual(prefs, [good]);
    });

    test('when a user holds a socket on one of two replicas, then each notification reaches it exactly once', async () => {
      const hana = person('hana');
      await setPreferences(hana, { channels: { email: false, websocket: true, push: false } });
      const token = await platform.token(hana, ['user']);
      const frames: { type: string; notification?: { title?: string } }[] = [];
      const socket = new WebSocket(notificationUrl('/ws', { replica: 1 }).replace(/^http/, 'ws'), { headers: { authorization: `Bearer ${token}` } });
      socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as (typeof frames)[number]));
      await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
      try {
        await waitUntil('the ready frame', async () => (frames.some((f) => f.type === 'ready') ? true : undefined), 10_000, 100);
        // A fan-out consumer that joined moments ago may start after the first live message (Kafka: newest
        // offset); the delivery record stays either way. Wait until the path is warm, then count.
        await waitUntil('a live frame through the fan-out', async () => {
          await reminder(hana, 'warm-up');
          await sleep(1500);
          return frames.some((f) => f.type === 'notification') ? true : undefined;
        }, 60_000, 0);
        await sleep(2000);
        frames.length = 0;
        const titles = Array.from({ length: 6 }, (_, i) => `live ${i}`);
        for (const title of titles) await reminder(hana, title);
        await waitUntil('six live frames', async () => (frames.filter((f) => f.type === 'notification').length >= 6 ? true : undefined), 30_000, 100);
        await sleep(2000);
        const got = frames.filter((f) => f.type === 'notification').map((f) => f.notification?.title ?? '');
        assert.equal(got.length, 6, JSON.stringify(got));
        for (const title of titles) assert.equal(got.filter((t) => t.includes(title)).length, 1, `${title} in ${JSON.stringify(got)}`);
        // Whichever replica consumed each reminder (the group is shared), the socket on replica 1 saw it once.
      } finally {
        socket.close();
      }
    });

    test('when requests are malformed, then every endpoint answers 4xx problem+json and nothing changes', async () => {
      const ivy = person('ivy');
      const token = await platform.token(ivy, ['user']);
      const cases: [string, { method?: string; body?: unknown }, number][] = [
        [`/preferences/${ivy}`, { method: 'PUT', body: { email: 'not-an-address' } }, 400],
        [`/preferences/${ivy}`, { method: 'PUT', body: { colour: 'blue' } }, 400],
        [`/preferences/${ivy}`, { method: 'PUT', body: { quietHours: { start: '25:00', end: '07:00' } } }, 400],
        [`/preferences/someone-else-${run}`, { method: 'GET' }, 403],
        [`/notifications?status=maybe`, {}, 400],
        [`/notifications?cursor=forged`, {}, 400],
      ];
      for (const [path, init, status] of cases) {
        const res = await call(notificationUrl(path), token, init);
        assert.equal(res.status, status, `${path}: ${JSON.stringify(res.body)}`);
        assert.match(res.type, /application\/problem\+json/);
      }
      const prefs = await call(notificationUrl(`/preferences/${ivy}`), token);
      assert.equal((prefs.body as { updatedAt: string | null }).updatedAt, null);
    });
  });

  describe('recurring', () => {
    const owner = person('rosa');
    let token: string;
    let series: Series;
    let sourceTaskId: string;
    const start = berlinTomorrowAt(8);

    const instances = async (): Promise<InstanceRow[]> =>
      (await db.query<InstanceRow>(`SELECT id::text, due_at, status FROM tasks.tasks WHERE owner_id = $1 AND created_by = 'recurring' ORDER BY due_at`, [owner])).rows;
    const openInstancesAt = async (hourUtc: (d: Date) => boolean) => (await instances()).filter((t) => t.status === 'open' && hourUtc(t.due_at));

    before(async () => {
      token = await platform.token(owner, ['user']);
    });

    test('when a task with a daily RRULE is created, then its series makes instance tasks, once each, even when the events are replayed', async () => {
      const created = await call(platform.appUrl('tasks', '/tasks'), token, {
        method: 'POST',
        body: { title: 'Morning pills', dueAt: start.instant, timezone: BERLIN, recurrence: `DTSTART;TZID=${BERLIN}:${start.local}\nRRULE:FREQ=DAILY` },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      sourceTaskId = (created.body as { id: string }).id;

      const made = await waitUntil('12 instance tasks', async () => {
        const rows = await instances();
        return rows.length >= 11 ? rows : undefined;
      }, 90_000, 500);
      const dueTimes = made.map((r) => r.due_at.toISOString());
      assert.equal(new Set(dueTimes).size, dueTimes.length, 'no two instances share a due time');
      assert.ok(!dueTimes.includes(start.instant), 'the source task is the instance of its own due time');
      for (const r of made) assert.equal(r.due_at.getTime() % (24 * 3600_000), new Date(start.instant).getTime() % (24 * 3600_000));

      // Instances are the service's doing, not a caregiver's: the owner is not told about each one.
      assert.deepEqual(await deliveries(owner, ''), []);

      const list = await call(recurringUrl('/series'), token);
      const all = (list.body as { items: Series[] }).items;
      assert.equal(all.length, 1);
      series = all[0] as Series;
      assert.equal(series.sourceTaskId, sourceTaskId);

      // Replay the very events (same ids) that made the series and its instances.
      const { rows: events } = await db.query<{ payload: { id: string; type: string } }>(
        `SELECT payload FROM tasks.outbox WHERE payload->>'subject' = $1 UNION ALL SELECT payload FROM recurring.outbox WHERE payload->>'subject' = $2`,
        [sourceTaskId, series.id],
      );
      assert.ok(events.length >= 2);
      for (const { payload } of events) await publishRaw(payload.type.startsWith('task.') ? 'task-events' : 'recurring-task-events', payload);
      await sleep(8000);
      // A replayed series.created may legitimately run one more generation (12 per run, 90-day horizon),
      // but no occurrence ever gets a second task.
      const after = (await instances()).map((r) => r.due_at.toISOString());
      assert.equal(new Set(after).size, after.length, 'no two instances share a due time after the replay');
      for (const due of dueTimes) assert.ok(after.includes(due));
      assert.equal(((await call(recurringUrl('/series'), token)).body as { items: Series[] }).items.length, 1);
    });

    test('when the series gets a new time, then untouched future instances are replaced and done ones are kept', async () => {
      const [first] = await instances();
      assert.ok(first);
      const done = await call(platform.appUrl('tasks', `/tasks/${first.id}/complete`), token, { method: 'POST' });
      assert.equal(done.status, 200, JSON.stringify(done.body));

      const nine = berlinTomorrowAt(9);
      const patched = await call(recurringUrl(`/series/${series.id}`), token, {
        method: 'PATCH',
        body: { recurrence: `DTSTART;TZID=${BERLIN}:${nine.local}\nRRULE:FREQ=DAILY` },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const nineUtcHour = new Date(nine.instant).getUTCHours();
      const eightUtcHour = new Date(start.instant).getUTCHours();

      await waitUntil('the 08:00 instances cancelled and 09:00 ones made', async () => {
        const at8 = await openInstancesAt((d) => d.getUTCHours() === eightUtcHour);
        const at9 = await openInstancesAt((d) => d.getUTCHours() === nineUtcHour);
        return at8.length === 0 && at9.length >= 10 ? true : undefined;
      }, 90_000, 500);
      const rows = await instances();
      assert.equal(rows.find((r) => r.id === first.id)?.status, 'done');
      const nineTimes = rows.filter((r) => r.status === 'open').map((r) => r.due_at.toISOString());
      assert.equal(new Set(nineTimes).size, nineTimes.length);
    });

    test('when the series is deleted, then it ends and its future open instances are cancelled', async () => {
      const res = await call(recurringUrl(`/series/${series.id}`), token, { method: 'DELETE' });
      assert.equal(res.status, 204, JSON.stringify(res.body));
      const ended = await call(recurringUrl(`/series/${series.id}`), token);
      assert.equal((ended.body as Series).status, 'ended');
      await waitUntil('no open instance left', async () => ((await instances()).every((r) => r.status !== 'open') ? true : undefined), 60_000, 500);
      assert.ok((await instances()).some((r) => r.status === 'done'), 'the done instance stays done');
    });

    test('when a series at 08:00 Europe/Berlin crosses both DST changes, then every occurrence stays at 08:00 local', async () => {
      const res = await call(recurringUrl('/series'), token, {
        method: 'POST',
        body: { title: 'DST walk', recurrence: `DTSTART;TZID=${BERLIN}:${start.local}\nRRULE:FREQ=DAILY` },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const id = (res.body as Series).id;
      const preview = async (from: string, to: string) => {
        const r = await call(recurringUrl(`/series/${id}/occurrences?from=${from}&to=${to}&limit=20`), token);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return (r.body as { items: { dueAt: string }[] }).items.map((o) => o.dueAt);
      };
      // Europe: summer time begins 28 March 2027 and ends 31 October 2027.
      assert.deepEqual(await preview('2027-03-26T00:00:00Z', '2027-03-30T00:00:00Z'), [
        '2027-03-26T07:00:00.000Z', '2027-03-27T07:00:00.000Z', '2027-03-28T06:00:00.000Z', '2027-03-29T06:00:00.000Z',
      ]);
      assert.deepEqual(await preview('2027-10-29T00:00:00Z', '2027-11-02T00:00:00Z'), [
        '2027-10-29T06:00:00.000Z', '2027-10-30T06:00:00.000Z', '2027-10-31T07:00:00.000Z', '2027-11-01T07:00:00.000Z',
      ]);
    });

    test('when requests are malformed, then every endpoint answers 4xx problem+json and nothing changes', async () => {
      const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM recurring.series')).rows[0]?.n;
      const cases: [string, { method?: string; body?: unknown }, number][] = [
        ['/series', { method: 'POST', body: { title: 'x', recurrence: `DTSTART;TZID=${BERLIN}:${start.local}\nRRULE:FREQ=DAILY;BYHOUR=25` } }, 422],
        ['/series', { method: 'POST', body: { title: 'x', recurrence: `DTSTART;TZID=${BERLIN}:${start.local}\nRRULE:FREQ=DAILY;COUNT=0` } }, 422],
        ['/series', { method: 'POST', body: { title: '', recurrence: 'nope' } }, 400],
        ['/series', { method: 'POST', body: { title: 'x', recurrence: 'DTSTART:20270101T080000\nRRULE:FREQ=DAILY', colour: 'red' } }, 400],
        ['/series/not-a-uuid', {}, 400],
        [`/series/${randomUUID()}`, {}, 404],
        [`/series/${randomUUID()}/occurrences?from=yesterday`, {}, 400],
        [`/series/${randomUUID()}`, { method: 'PATCH', body: {} }, 400],
      ];
      for (const [path, init, status] of cases) {
        const res = await call(recurringUrl(path), token, init);
        assert.equal(res.status, status, `${init.method ?? 'GET'} ${path}: ${JSON.stringify(res.body)}`);
        assert.match(res.type, /application\/problem\+json/);
      }
      const invalid = await call(recurringUrl('/series'), token, { method: 'POST', body: { title: 'x', recurrence: `DTSTART;TZID=${BERLIN}:${start.local}\nRRULE:FREQ=DAILY;BYHOUR=25` } });
      assert.match(JSON.stringify(invalid.body), /BYHOUR/);
      assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM recurring.series')).rows[0]?.n, before);
    });
  });
});
