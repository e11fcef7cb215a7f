import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, expectProblem } from '@lifeline/kit/testing';
import { snapshot } from './support/database.ts';
import { startHarness, type Harness } from './support/harness.ts';
import { as } from './support/notification-app.ts';

// Issue 10's probes: each used to be a 500; now a 400 problem that changes nothing.
describe('strings and paths Postgres cannot take', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('edge_input');
  });
  after(async () => {
    await h?.close();
  });

  it('when a path does not decode, or a body or query string holds NUL or a lone surrogate, then 400 and nothing is stored', async () => {
    const rita = await as.user('rita');
    const admin = await as.admin('admin-1');
    const before = await snapshot(h.schema);
    await expectProblem(await call(h.app.url, '/notification/preferences/%FF', rita), 400, 'malformed-path');
    await expectProblem(await call(h.app.url, '/notification/preferences/rita%00', rita), 400, 'malformed-path');
    for (const email of ['rita\u0000@example.test', 'rita\ud800@example.test']) {
      await expectProblem(await call(h.app.url, '/notification/preferences/rita', rita, { method: 'PUT', body: { email } }), 400, 'validation-error');
    }
    await expectProblem(await call(h.app.url, '/notification/notifications?userId=%00x', admin), 400, 'validation-error');
    assert.deepEqual(await snapshot(h.schema), before);
  });
});
