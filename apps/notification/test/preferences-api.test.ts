import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { snapshot } from './support/database.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { as } from './support/notification-app.ts';

const DEFAULTS = {
  userId: 'rita',
  email: null,
  pushTokens: [],
  timezone: 'UTC',
  quietHours: null,
  channels: { email: true, websocket: true, push: true },
  categories: { reminders: true, tasks: true, emergency: true, geofence: true },
  updatedAt: null,
};

describe('GET/PUT /preferences/{userId}', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('prefs');
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  const put = async (body: unknown, user = 'rita', authorization?: string) =>
    call(h.app.url, `/notification/preferences/${user}`, authorization ?? (await as.user(user)), { method: 'PUT', body });

  it('when nothing was stored, then GET answers the defaults', async () => {
    assert.deepEqual(await expectJson(await call(h.app.url, '/notification/preferences/rita', await as.user('rita'))), DEFAULTS);
  });

  it('when a full document is PUT, then it is stored and read back as sent', async () => {
    const body = {
      email: 'rita@example.test',
      pushTokens: ['tok-1', 'tok-2'],
      timezone: 'Europe/Berlin',
      quietHours: { start: '22:00', end: '07:00' },
      channels: { email: true, websocket: false, push: true },
      categories: { reminders: true, tasks: false, emergency: true, geofence: false },
    };
    const saved = await expectJson<Record<string, unknown>>(await put(body));
    assert.deepEqual({ ...saved, updatedAt: null }, { userId: 'rita', ...body, updatedAt: null });
    assert.match(String(saved.updatedAt), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(await expectJson(await call(h.app.url, '/notification/preferences/rita', await as.user('rita'))), saved);
  });

  it('when a PUT leaves fields out, then they take their defaults (the document is replaced)', async () => {
    await expectJson(await put({ email: 'rita@example.test', channels: { email: false } }));
    const saved = await expectJson<Record<string, unknown>>(await put({ timezone: 'Asia/Tokyo' }));
    assert.deepEqual({ ...saved, updatedAt: null }, { ...DEFAULTS, timezone: 'Asia/Tokyo' });
  });

  it('when a caregiver or an admin acts for the person, then they may; anyone else gets 403 and a missing token 401', async () => {
    await expectJson(await put({ email: 'rita@example.test' }, 'rita', await as.caregiver('carla', ['rita'])));
    await expectJson(await call(h.app.url, '/notification/preferences/rita', await as.admin()));
    await expectProblem(await call(h.app.url, '/notification/preferences/rita', await as.user('otto')), 403, 'forbidden');
    await expectProblem(await put({ email: 'x@example.test' }, 'rita', await as.caregiver('carla', ['someone-else'])), 403, 'forbidden');
    await expectProblem(await call(h.app.url, '/notification/preferences/rita', await as.compliance()), 403, 'forbidden');
    await expectProblem(await call(h.app.url, '/notification/preferences/rita', undefined), 401, 'unauthorized');
    await expectProblem(await call(h.app.url, '/notification/preferences/rita', 'Bearer not-a-token'), 401, 'unauthorized');
  });

  const badBodies: Array<[string, unknown, string?]> = [
    ['with an unknown field', { email: 'rita@example.test', sms: true }],
    ['with an unknown channel', { channels: { pigeon: true } }],
    ['with an unknown category', { categories: { gossip: false } }],
    ['with a bad email', { email: 'not-an-address' }],
    ['with an unknown time zone', { timezone: 'Mars/Olympus' }],
    ['with quiet hours that are not clock times', { quietHours: { start: '25:00', end: '07:00' } }],
    ['with quiet hours starting where they end', { quietHours: { start: '07:00', end: '07:00' } }],
    ['with quiet hours without an end', { quietHours: { start: '22:00' } }],
    ['with a switch that is not a boolean', { channels: { email: 'yes' } }],
    ['with eleven push tokens', { pushTokens: Array.from({ length: 11 }, (_, i) => `t${i}`) }],
    ['with a repeated push token', { pushTokens: ['a', 'a'] }],
    ['with a push token with spaces', { pushTokens: ['a b'] }],
    ['an array', [{ email: 'rita@example.test' }]],
    // The JSON parser itself takes only objects and arrays at the top.
    ['null', null, 'malformed-json'],
  ];
  for (const [what, body, slug = 'validation-error'] of badBodies) {
    it(`when the body is ${what}, then PUT answers 400 ${slug} and nothing changes`, async () => {
      await expectJson(await put({ email: 'rita@example.test' }));
      const before = await snapshot(h.schema);
      await expectProblem(await put(body), 400, slug);
      assert.deepEqual(await snapshot(h.schema), before);
    });
  }

  it('when the body is not JSON, then 415 or 400 malformed-json, and nothing changes', async () => {
    const before = await snapshot(h.schema);
    await expectProblem(await call(h.app.url, '/notification/preferences/rita', await as.user('rita'), { method: 'PUT', body: 'email=x', headers: { 'content-type': 'text/plain' } }), 415);
    await expectProblem(await call(h.app.url, '/notification/preferences/rita', await as.user('rita'), { method: 'PUT', body: '{"email":', headers: { 'content-type': 'application/json' } }), 400, 'malformed-json');
    await expectProblem(await call(h.app.url, '/notification/preferences/rita', await as.user('rita'), { method: 'PUT' }), 415);
    assert.deepEqual(await snapshot(h.schema), before);
  });

  it('when the user id is too long, then 400', async () => {
    const long = 'x'.repeat(129);
    await expectProblem(await call(h.app.url, `/notification/preferences/${long}`, await as.admin()), 400, 'validation-error');
  });
});
