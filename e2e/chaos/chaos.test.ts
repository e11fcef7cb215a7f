// One fault of the chaos matrix on Redis, bounded for CI: kill -9 of audit's daprd under an open-loop
// load of task creates with reminders, a new daprd, then every committed task must have exactly one
// task.created audit row, one sent email delivery and one captured mail. `npm run chaos` runs the matrix.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { describeFault, isFault } from './faults.ts';
import { bringUp, defaultOptions, runScenario, tearDown, type Chaos } from './scenario.ts';
import { formatTable, tableRow } from './table.ts';

const fault = process.env.CHAOS_FAULT ?? 'audit-sidecar';
if (!isFault(fault)) throw new Error(`CHAOS_FAULT: unknown fault ${fault}`);

describe(`chaos on redis: ${describeFault(fault)}`, { timeout: 180_000 }, () => {
  let chaos: Chaos | undefined;

  before(async () => {
    chaos = await bringUp('redis');
  });

  after(async () => {
    await tearDown(chaos);
  });

  test('when a process is killed with SIGKILL under load and started again, then no audit row, delivery or mail is lost or doubled', async () => {
    assert.ok(chaos);
    // 10 creates/s for 15 s; counting goes on 40 s after the restart, past Redis's 30 s processingTimeout,
    // so a redelivery that would double an effect lands inside the count.
    const r = await runScenario(chaos, fault, { ...defaultOptions, rate: 10, seconds: 15, faultAtS: 5, downS: 3, quietS: 40, settleS: 80 });
    console.log(formatTable([tableRow(r)]));
    // The load really ran through the fault: nearly every request committed, and work resumed after it.
    assert.ok(r.committed >= r.requests * 0.9, `only ${r.committed} of ${r.requests} creates committed`);
    assert.ok(r.recoverS !== undefined, 'no task created after the kill reached the audit trail');
    assert.deepEqual(r.audit, { lost: 0, duplicated: 0, phantom: 0 }, 'audit rows');
    assert.deepEqual(r.mail, { lost: 0, duplicated: 0, phantom: 0 }, 'reminder mails');
    assert.deepEqual(r.deliveries, { lost: 0, duplicated: 0, phantom: 0 }, 'email deliveries');
  });
});
