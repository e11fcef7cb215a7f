// Issue 10: a preferences row written around the API (a zone or quiet hours the API would refuse) must not
// cost anyone else their notification, nor its owner an emergency page.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { admin } from './support/database.ts';
import { deliver, putPreferences, reminderDue } from './support/events.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { as } from './support/notification-app.ts';

describe('poison preferences rows', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('poison_prefs');
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  async function plantBrokenPreferences(userId: string): Promise<void> {
    await admin((c) =>
      c.query(
        `INSERT INTO "${h.schema}".preferences (user_id, email, timezone, quiet_start, quiet_end, disabled_channels)
         VALUES ($1, $2, 'Not/A_Zone', '2x:99', 'ab:cd', ARRAY['push', 'websocket'])`,
        [userId, `${userId}@example.test`],
      ),
    );
  }

  it('when one user\'s stored preferences are broken, then their reminder still goes out by the stored address and another user\'s is untouched', async () => {
    await plantBrokenPreferences('mallory');
    await putPreferences(h.app.url, 'rita', { email: 'rita@example.test', channels: { push: false, websocket: false } }, await as.user('rita'));
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('mallory')), 'SUCCESS');
    assert.equal(await deliver(h.app.url, 'reminders', reminderDue('rita')), 'SUCCESS');
    const to = (await h.capture.messages()).map((m) => m.to).flat().sort();
    assert.deepEqual(to, ['mallory@example.test', 'rita@example.test']);
  });
});
