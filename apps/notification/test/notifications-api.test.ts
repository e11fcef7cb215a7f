import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, expectJson, expectProblem } from '@lifeline/kit/testing';
import { deliver, reminderDue } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { as } from './support/notification-app.ts';

interface Page {
  items: Array<{ id: string; userId: string; channel: string; status: string; reason: string | null; createdAt: string; content: { title: string } }>;
  nextCursor: string | null;
}

describe('GET /notifications', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('list');
    // Defaults: no address, no device, so each reminder makes email + push suppressed (no-address) and websocket sent.
    for (let i = 1; i <= 4; i++) await deliver(h.app.url, 'reminders', reminderDue('rita', { title: `Rita ${i}` }));
    await deliver(h.app.url, 'reminders', reminderDue('otto', { title: 'Otto 1' }));
  });
  after(async () => {
    await h?.close();
  });

  const list = async (query: string, authorization: string) => expectJson<Page>(await call(h.app.url, `/notification/notifications${query}`, authorization));

  it('when a person lists without filters, then they see only their own deliveries, newest first', async () => {
    const page = await list('', await as.user('rita'));
    assert.equal(page.items.length, 12);
    assert.ok(page.items.every((d) => d.userId === 'rita'));
    const times = page.items.map((d) => d.createdAt);
    assert.deepEqual(times, [...times].sort().reverse());
    assert.equal(page.items[0]?.content.title, 'Reminder: Rita 4');
    assert.equal(page.nextCursor, null);
  });

  it('when filtered by status and channel, then only matching deliveries come back', async () => {
    const sent = await list('?status=sent', await as.user('rita'));
    assert.deepEqual([...new Set(sent.items.map((d) => d.channel))], ['websocket']);
    assert.equal(sent.items.length, 4);
    const email = await list('?userId=rita&channel=email&status=suppressed', await as.user('rita'));
    assert.equal(email.items.length, 4);
    assert.ok(email.items.every((d) => d.reason === 'no-address'));
  });

  it('when paging with limit and cursor, then every delivery comes exactly once, in order', async () => {
    const auth = await as.user('rita');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(`?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, auth);
      assert.ok(page.items.length <= 5);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const all = await list('?limit=200', auth);
    assert.deepEqual(seen, all.items.map((d) => d.id));
  });

  it('when a caregiver lists a person in their care, then they may; an admin sees everyone without userId', async () => {
    const cared = await list('?userId=otto', await as.caregiver('carla', ['otto']));
    assert.equal(cared.items.length, 3);
    const all = await list('?limit=200', await as.admin());
    assert.deepEqual([...new Set(all.items.map((d) => d.userId))].sort(), ['otto', 'rita']);
  });

  it('when someone lists another person, then 403; without a token 401', async () => {
    await expectProblem(await call(h.app.url, '/notification/notifications?userId=rita', await as.user('otto')), 403, 'forbidden');
    await expectProblem(await call(h.app.url, '/notification/notifications?userId=rita', await as.caregiver('carla', ['otto'])), 403, 'forbidden');
    await expectProblem(await call(h.app.url, '/notification/notifications', undefined), 401);
  });

  const badQueries = [
    '?status=lost',
    '?channel=sms',
    '?limit=0',
    '?limit=201',
    '?limit=ten',
    '?colour=red',
    '?status=sent&status=failed',
    '?cursor=garbage',
    '?cursor=eyJ0IjoiMjAyNi0wMS0wMVQwMDowMDowMC4wMDBaIn0.AAAAAAAAAAAAAAAAAAAAAA',
  ];
  for (const query of badQueries) {
    it(`when the query is ${query}, then 400 validation-error`, async () => {
      await expectProblem(await call(h.app.url, `/notification/notifications${query}`, await as.user('rita')), 400, 'validation-error');
    });
  }

  it('when a cursor is reused with other filters, then 400', async () => {
    const auth = await as.user('rita');
    const first = await list('?limit=2', auth);
    assert.ok(first.nextCursor);
    await expectProblem(await call(h.app.url, `/notification/notifications?limit=2&status=sent&cursor=${encodeURIComponent(first.nextCursor)}`, auth), 400, 'validation-error');
  });
});
