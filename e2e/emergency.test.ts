// The emergency app end to end, on the broker named by E2E_BROKER: a raise escalates tier by tier through
// the cron tick, the outbox, the real broker and the notification app to real mail in the SMTP capture;
// an acknowledgement stops it; a resolve sends the all-clear; a nearest-first tier pages the nearer contact
// first (real location app); an exhausted escalation mails the admins. Real daprd sidecars, real Postgres.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { CaptureClient } from '@lifeline/capture/client';
import { topicsConsumedBy } from '@lifeline/contracts';
import { brokers, loadStackEnv, type Broker } from '@lifeline/platform';
import { Platform, forgetConsumer, waitUntil } from './harness/index.ts';

const broker = (process.env.E2E_BROKER ?? 'redis') as Broker;
if (!brokers.includes(broker)) throw new Error(`E2E_BROKER must be one of ${brokers.join(', ')}`);

interface Emergency {
  id: string;
  status: string;
  timeline?: Array<{ kind: string; data: Record<string, unknown> }>;
}

describe(`emergency escalation on ${broker}`, { timeout: 600_000 }, () => {
  let platform: Platform;
  const capture = new CaptureClient(`http://127.0.0.1:${loadStackEnv().LIFELINE_CAPTURE_PORT}`);
  const run = randomUUID().slice(0, 8);
  const person = (name: string) => `${name}-${run}`;
  const mailOf = (name: string) => `${name}@example.test`;
  // Told when an escalation is exhausted (ADMIN_USER_IDS of the emergency app).
  const rootAdmin = person('root');

  async function call(url: string, token: string | undefined, init: { method?: string; body?: unknown } = {}) {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  const emergencyUrl = (path: string) => platform.appUrl('emergency', `/emergencies${path}`);

  async function ok<T>(res: Promise<{ status: number; body: unknown }>, status = 200): Promise<T> {
    const r = await res;
    assert.equal(r.status, status, JSON.stringify(r.body));
    return r.body as T;
  }

  async function mailOnly(userId: string): Promise<void> {
    await ok(call(platform.appUrl('notification', `/notification/preferences/${userId}`), await platform.token(userId, ['user']), {
      method: 'PUT',
      body: { email: mailOf(userId), channels: { email: true, websocket: false, push: false } },
    }));
  }

  before(async () => {
    platform = await Platform.prepare(broker);
    // Earlier runs' events must not reach the fresh consumers (they would mail old test users).
    await forgetConsumer(broker, 'notification', topicsConsumedBy('notification'));
    await forgetConsumer(broker, 'emergency', topicsConsumedBy('emergency'));
    await forgetConsumer(broker, 'location', topicsConsumedBy('location'));
    // Policy "minutes" last a second here, so a two-tier escalation runs in seconds.
    process.env.ESCALATION_TIME_UNIT = 'seconds';
    process.env.ADMIN_USER_IDS = rootAdmin;
    await platform.start('audit');
    await platform.start('notification');
    await platform.start('emergency');
  });

  after(async () => {
    await platform?.stopAll();
  });

  test('when nobody answers tier 1, then tier 2 is paged; an acknowledgement stops the escalation at once, and the resolve sends the all-clear', async () => {
    const ann = person('ann');
    const bob = person('bob');
    const nadia = person('nadia');
    const annToken = await platform.token(ann, ['user']);
    await mailOnly(ann);
    await mailOnly(bob);

    const bobContact = await ok<{ id: string }>(call(emergencyUrl('/contacts'), annToken, { method: 'POST', body: { userId: bob } }), 201);
    const nadiaContact = await ok<{ id: string }>(call(emergencyUrl('/contacts'), annToken, { method: 'POST', body: { name: 'Nadia Neighbour', email: mailOf(nadia) } }), 201);
    // Tier 2 would be paged twice more, three seconds apart, if nothing stopped it.
    await ok(call(emergencyUrl('/policy'), annToken, { method: 'PUT', body: { tiers: [{ contactIds: [bobContact.id], waitMinutes: 4 }, { contactIds: [nadiaContact.id], waitMinutes: 3, repeat: 2 }] } }));

    const raisedAt = Date.now();
    const emergency = await ok<Emergency>(call(emergencyUrl(''), annToken, { method: 'POST', body: { type: 'fall', message: 'I fell in the hall' } }), 201);

    // Tier 1: bob, at once.
    const [bobPage] = await capture.waitForMessages({ to: mailOf(bob), subject: 'needs help' }, 1, 60_000);
    assert.equal(bobPage?.subject, `EMERGENCY: ${ann} needs help`);
    assert.match(bobPage?.text ?? '', /I fell in the hall/);
    assert.equal((await capture.messages({ to: mailOf(nadia) })).length, 0, 'tier 2 waits for tier 1');

    // No answer: tier 2, nadia, with her acknowledgement link, after tier 1's wait.
    const [nadiaPage] = await capture.waitForMessages({ to: mailOf(nadia), subject: 'needs help' }, 1, 60_000);
    assert.ok(Date.parse(nadiaPage!.receivedAt) - raisedAt >= 4000, 'tier 2 only after tier 1 waited');
    const link = /I am responding: (\S+)/.exec(nadiaPage?.text ?? '')?.[1];
    assert.ok(link, nadiaPage?.text ?? '');
    const token = new URL(link).searchParams.get('token') ?? '';

    // Nadia acknowledges through her link (no Lifeline account, no bearer token).
    const acked = await ok<Emergency>(call(emergencyUrl(`/${emergency.id}/acknowledge`), undefined, { method: 'POST', body: { token } }));
    assert.equal(acked.status, 'acknowledged');
    // The link acknowledges once: a second use is the no-op answer (the audit trail below has one acknowledgement).
    const again = await ok<Emergency>(call(emergencyUrl(`/${emergency.id}/acknowledge`), undefined, { method: 'POST', body: { token } }));
    assert.equal(again.status, 'acknowledged');

    // "Nadia is responding" reaches everyone paged before, and the person.
    await capture.waitForMessages({ to: mailOf(bob), subject: 'Nadia Neighbour is responding' }, 1, 60_000);
    await capture.waitForMessages({ to: mailOf(ann), subject: 'Nadia Neighbour is responding' }, 1, 60_000);

    // Tier 2's repeats were due 3 s and 6 s after its first page: none goes out.
    await sleep(8000);
    assert.equal((await capture.messages({ to: mailOf(nadia), subject: 'needs help' })).length, 1, 'no page after the acknowledgement');
    assert.equal((await capture.messages({ to: mailOf(bob), subject: 'needs help' })).length, 1, 'tier 1 was paged once');

    // Bob resolves: the all-clear to ann and nadia.
    const resolved = await ok<Emergency>(call(emergencyUrl(`/${emergency.id}/resolve`), await platform.token(bob, ['user']), { method: 'POST', body: { note: 'She is fine, only bruised' } }));
    assert.equal(resolved.status, 'resolved');
    const [allClear] = await capture.waitForMessages({ to: mailOf(nadia), subject: 'All clear' }, 1, 60_000);
    assert.match(allClear?.text ?? '', /She is fine, only bruised/);
    await capture.waitForMessages({ to: mailOf(ann), subject: 'Your emergency was resolved' }, 1, 60_000);

    const detail = await ok<Emergency>(call(emergencyUrl(`/${emergency.id}`), annToken));
    assert.deepEqual(detail.timeline?.filter((t) => t.kind !== 'location' && t.kind !== 'delivery').map((t) => t.kind), ['raised', 'paged', 'paged', 'acknowledged', 'resolved']);
    // No location app runs yet (or it knows no position of ann): the raise went through anyway, and the
    // timeline says nothing was attached.
    const location = detail.timeline?.find((t) => t.kind === 'location');
    assert.equal(location?.data.attached, false, JSON.stringify(detail.timeline));

    // notification-events fed back: how each page went, per recipient and channel.
    const outcomes = await waitUntil('delivery outcomes on the timeline', async () => {
      const d = await ok<Emergency>(call(emergencyUrl(`/${emergency.id}`), annToken));
      const items = d.timeline?.filter((t) => t.kind === 'delivery') ?? [];
      return items.some((t) => t.data.recipient === bob && t.data.outcome === 'sent') && items.some((t) => t.data.recipient === `contact:${nadiaContact.id}` && t.data.outcome === 'sent') ? items : undefined;
    }, 60_000, 500);
    assert.ok(outcomes.every((t) => t.data.page === 'escalated'));

    // The audit trail has every step.
    const officer = await platform.token('officer-1', ['compliance']);
    const audited = await waitUntil('the emergency in the audit trail', async () => {
      const res = await call(platform.appUrl('audit', `/audit?entity_type=emergency&entity_id=${emergency.id}`), officer);
      const items = (res.body as { items?: Array<{ eventType: string }> }).items ?? [];
      return items.length >= 5 ? items : undefined;
    }, 60_000, 500);
    assert.deepEqual(audited.map((i) => i.eventType).sort(), ['emergency.acknowledged', 'emergency.created', 'emergency.escalated', 'emergency.escalated', 'emergency.resolved']);
    // Notification signed nadia's link when it mailed her: no event, so no audit row, holds a working one.
    assert.match(JSON.stringify(audited), new RegExp(nadiaContact.id), 'the audit rows name nadia (the page to her is there)');
    assert.doesNotMatch(JSON.stringify(audited), /token=|acknowledgeUrl/);
  });

  test('when a tier is nearest first, then the contact nearer the person (real location app) is paged first and the other only after the head start', async () => {
    await platform.start('location');
    const pia = person('pia');
    const [far, near] = [person('far'), person('near')];
    for (const who of [far, near]) await mailOnly(who);
    const at = async (who: string, lat: number, lon: number) =>
      ok(call(platform.appUrl('location', '/location/positions'), await platform.token(who, ['user']), { method: 'POST', body: { lat, lon, accuracyM: 5, recordedAt: new Date(Date.now() - 1000).toISOString() } }));
    await at(pia, 48.8566, 2.3522);
    await at(far, 48.95, 2.3522); // ~10 km away
    await at(near, 48.857, 2.3522); // ~45 m away
    const piaToken = await platform.token(pia, ['user']);
    // The list puts the far one first: only the distances can put the near one first.
    const ids: string[] = [];
    for (const who of [far, near]) ids.push((await ok<{ id: string }>(call(emergencyUrl('/contacts'), piaToken, { method: 'POST', body: { userId: who } }), 201)).id);
    await ok(call(emergencyUrl('/policy'), piaToken, { method: 'PUT', body: { tiers: [{ contactIds: ids, waitMinutes: 60, order: 'nearest_first', headStartMinutes: 5 }] } }));

    const e = await ok<Emergency>(call(emergencyUrl(''), piaToken, { method: 'POST', body: { type: 'sos' } }), 201);
    const [nearPage] = await capture.waitForMessages({ to: mailOf(near), subject: 'needs help' }, 1, 60_000);
    assert.match(nearPage?.text ?? '', /You are the nearest of their contacts/);
    assert.equal((await capture.messages({ to: mailOf(far), subject: 'needs help' })).length, 0, 'the farther one waits for the head start');
    const [farPage] = await capture.waitForMessages({ to: mailOf(far), subject: 'needs help' }, 1, 60_000);
    assert.ok(Date.parse(farPage!.receivedAt) - Date.parse(nearPage!.receivedAt) >= 3000, `far ${farPage!.receivedAt}, near ${nearPage!.receivedAt}`);

    const detail = await ok<Emergency>(call(emergencyUrl(`/${e.id}`), piaToken));
    const lead = detail.timeline?.find((t) => t.kind === 'paged');
    assert.deepEqual((lead?.data.ordering as { basis: string; order: string[] }).order, [`user:${near}`, `user:${far}`], JSON.stringify(lead));
    await ok(call(emergencyUrl(`/${e.id}/cancel`), piaToken, { method: 'POST', body: { reason: 'test over' } }));
  });

  test('when nobody acknowledges before the last tier ran out, then the admins are mailed too', async () => {
    const quinn = person('quinn');
    const rae = person('rae');
    await mailOnly(rae);
    await mailOnly(rootAdmin);
    const quinnToken = await platform.token(quinn, ['user']);
    const contact = await ok<{ id: string }>(call(emergencyUrl('/contacts'), quinnToken, { method: 'POST', body: { userId: rae } }), 201);
    await ok(call(emergencyUrl('/policy'), quinnToken, { method: 'PUT', body: { tiers: [{ contactIds: [contact.id], waitMinutes: 2 }] } }));
    const e = await ok<Emergency>(call(emergencyUrl(''), quinnToken, { method: 'POST', body: { type: 'medical' } }), 201);
    const [notice] = await capture.waitForMessages({ to: mailOf(rootAdmin), subject: `still nobody has answered ${quinn}` }, 1, 60_000);
    assert.match(notice?.text ?? '', /nobody has acknowledged/);
    await capture.waitForMessages({ to: mailOf(rae), subject: `still nobody has answered ${quinn}` }, 1, 60_000);
    // The admin was told, so the admin may answer it and hears the all-clear.
    await ok(call(emergencyUrl(`/${e.id}/resolve`), await platform.token(rootAdmin, ['user']), { method: 'POST', body: { note: 'reached by phone' } }));
    await capture.waitForMessages({ to: mailOf(rae), subject: 'All clear' }, 1, 60_000);
  });

  test('when a panicking person presses SOS ten times, then one emergency escalates and each contact is paged once', async () => {
    const cleo = person('cleo');
    const dan = person('dan');
    const cleoToken = await platform.token(cleo, ['user']);
    await mailOnly(dan);
    const contact = await ok<{ id: string }>(call(emergencyUrl('/contacts'), cleoToken, { method: 'POST', body: { userId: dan } }), 201);
    await ok(call(emergencyUrl('/policy'), cleoToken, { method: 'PUT', body: { tiers: [{ contactIds: [contact.id], waitMinutes: 60 }] } }));

    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => call(emergencyUrl(''), cleoToken, { method: 'POST', body: { type: 'sos', message: `press ${i + 1}` } })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    assert.equal(new Set(answers.map((a) => (a.body as Emergency).id)).size, 1);

    await capture.waitForMessages({ to: mailOf(dan), subject: 'needs help' }, 1, 60_000);
    await sleep(3000);
    assert.equal((await capture.messages({ to: mailOf(dan), subject: 'needs help' })).length, 1);
    const id = (answers[0]!.body as Emergency).id;
    await ok(call(emergencyUrl(`/${id}/cancel`), cleoToken, { method: 'POST', body: { reason: 'pressed by mistake' } }));
    await capture.waitForMessages({ to: mailOf(dan), subject: 'All clear' }, 1, 60_000);
  });

  test('when a check-in is not completed in time, then an emergency of kind missed_check_in is raised and pages the contacts', async () => {
    const eve = person('eve');
    const fred = person('fred');
    const eveToken = await platform.token(eve, ['user']);
    await mailOnly(fred);
    await ok(call(emergencyUrl('/contacts'), eveToken, { method: 'POST', body: { userId: fred } }), 201);
    // Due in 2 "minutes" (seconds here), missed after the 5 of grace.
    const checkIn = await ok<{ id: string }>(call(emergencyUrl('/check-ins'), eveToken, { method: 'POST', body: { inMinutes: 2, note: 'Walking home through the park' } }), 201);
    const [page] = await capture.waitForMessages({ to: mailOf(fred), subject: 'needs help' }, 1, 60_000);
    assert.match(page?.text ?? '', /Walking home through the park/);
    const missed = await ok<{ status: string; emergencyId: string }>(call(emergencyUrl(`/check-ins/${checkIn.id}`), eveToken));
    assert.equal(missed.status, 'missed');
    const e = await ok<Emergency & { type: string }>(call(emergencyUrl(`/${missed.emergencyId}`), eveToken));
    assert.equal(e.type, 'missed_check_in');
    // A completed check-in raises nothing.
    const done = await ok<{ id: string }>(call(emergencyUrl('/check-ins'), eveToken, { method: 'POST', body: { inMinutes: 1 } }), 201);
    await ok(call(emergencyUrl(`/check-ins/${done.id}/complete`), eveToken, { method: 'POST' }));
    await ok(call(emergencyUrl(`/${missed.emergencyId}/resolve`), eveToken, { method: 'POST', body: { note: 'home, phone was dead' } }));
    await sleep(8000);
    assert.equal((await capture.messages({ to: mailOf(fred), subject: 'needs help' })).length, 1);
  });

  test('when two replicas escalate and the one that raised is killed with SIGKILL mid-escalation, then every step pages exactly once', async () => {
    await platform.start('emergency', { replica: 1 });
    const gus = person('gus');
    const gusToken = await platform.token(gus, ['user']);
    const tiers = ['hal', 'ida', 'jon'].map(person);
    for (const t of tiers) await mailOnly(t);
    const ids: string[] = [];
    for (const t of tiers) ids.push((await ok<{ id: string }>(call(emergencyUrl('/contacts'), gusToken, { method: 'POST', body: { userId: t } }), 201)).id);
    await ok(call(emergencyUrl('/policy'), gusToken, { method: 'PUT', body: { tiers: ids.map((id) => ({ contactIds: [id], waitMinutes: 2, repeat: 1 })) } }));
    await ok(call(emergencyUrl(''), gusToken, { method: 'POST', body: { type: 'medical' } }), 201);

    // The first page is out; the next steps are due every two seconds. Kill the replica that raised it.
    await capture.waitForMessages({ to: mailOf(tiers[0]!), subject: 'needs help' }, 1, 60_000);
    const port = platform.app('emergency').appPort;
    const listening = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const pid = Number(/pid=(\d+)/.exec(listening)?.[1]);
    assert.ok(pid > 0, listening);
    process.kill(pid, 'SIGKILL');

    // Replica 1 carries on: two rounds of each tier, then the exhaustion to everyone.
    for (const t of tiers) await capture.waitForMessages({ to: mailOf(t), subject: 'needs help' }, 2, 60_000);
    for (const t of tiers) await capture.waitForMessages({ to: mailOf(t), subject: 'still nobody has answered' }, 1, 60_000);
    await sleep(4000);
    for (const t of tiers) {
      assert.equal((await capture.messages({ to: mailOf(t), subject: `EMERGENCY: ${gus} needs help` })).length, 2, `${t}: one page per round`);
      assert.equal((await capture.messages({ to: mailOf(t), subject: 'still nobody has answered' })).length, 1, `${t}: one exhaustion notice`);
    }
  });
});
