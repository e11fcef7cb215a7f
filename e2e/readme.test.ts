// The README's commands are themselves tested: `npm run dev -- --background` brings the platform up
// through `dapr run -f` and the gateway, and the README's curl walkthrough runs as written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fromRoot } from '@lifeline/platform';

const run = promisify(execFile);

function readmeWalkthrough(): string {
  const readme = readFileSync(fromRoot('README.md'), 'utf8');
  const block = /<!-- readme-test:begin -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-test:end -->/.exec(readme);
  if (!block?.[1]) throw new Error('README.md has no readme-test block');
  return block[1];
}

describe('README walkthrough', { timeout: 600_000 }, () => {
  after(async () => {
    await run('bash', [fromRoot('scripts/dev.sh'), 'stop'], { cwd: fromRoot() });
  });

  test('when a newcomer runs the README commands, then the reminder is mailed, the series fills and the task reaches the audit trail', async () => {
    await run('bash', [fromRoot('scripts/dev.sh'), '--background'], { cwd: fromRoot(), maxBuffer: 20 * 1024 * 1024 });
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', readmeWalkthrough()], { cwd: fromRoot(), maxBuffer: 1024 * 1024 });
    const lines = stdout.trim().split('\n');
    const task = JSON.parse(lines[0] ?? '') as { id: string; title: string };
    assert.equal(task.title, 'Take blood pressure medication');
    const mailSubject = lines.find((l) => l === 'Reminder: Take blood pressure medication');
    assert.ok(mailSubject, `no reminder mail in:\n${stdout}`);
    assert.ok(lines.includes('Take blood pressure medication: active'), `no active series in:\n${stdout}`);
    const audit = JSON.parse(lines.at(-1) ?? '') as { items: { eventType: string; entityId: string }[] };
    assert.deepEqual(audit.items.map((i) => [i.eventType, i.entityId]), [['task.created', task.id]]);
  });
});
