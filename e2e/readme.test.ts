// The README's commands are themselves tested: `npm run dev -- --background` brings the platform up
// through `dapr run -f` and the gateway, and the README's curl walkthrough runs as written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fromRoot, loadRunTemplate } from '@lifeline/platform';

const run = promisify(execFile);

/** The shell block between `<!-- <marker>:begin -->` and `<!-- <marker>:end -->` in README.md. */
function readmeBlock(marker: string): string {
  const readme = readFileSync(fromRoot('README.md'), 'utf8');
  const block = new RegExp(`<!-- ${marker}:begin -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${marker}:end -->`).exec(readme);
  if (!block?.[1]) throw new Error(`README.md has no ${marker} block`);
  return block[1];
}

/** The command line of every running daprd, from /proc (the dev stack's sidecars are the only ones then). */
function daprdCommandLines(): string[][] {
  const lines: string[][] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // ended meanwhile
    }
    if (args[0]?.endsWith('/daprd') || args[0] === 'daprd') lines.push(args);
  }
  return lines;
}

function answers(address: string): Promise<boolean> {
  const [host = '', port = ''] = address.split(/:(?=\d+$)/);
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port), timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

describe('README walkthrough', { timeout: 600_000 }, () => {
  before(async () => {
    await run('bash', [fromRoot('scripts/dev.sh'), '--background'], { cwd: fromRoot(), maxBuffer: 20 * 1024 * 1024 });
  });
  after(async () => {
    await run('bash', [fromRoot('scripts/dev.sh'), 'stop'], { cwd: fromRoot() });
  });

  test('when a newcomer runs the README commands, then the reminder is mailed, the series fills and the task reaches the audit trail', async () => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', readmeBlock('readme-test')], { cwd: fromRoot(), maxBuffer: 1024 * 1024 });
    const lines = stdout.trim().split('\n');
    const task = JSON.parse(lines[0] ?? '') as { id: string; title: string };
    assert.equal(task.title, 'Take blood pressure medication');
    const mailSubject = lines.find((l) => l === 'Reminder: Take blood pressure medication');
    assert.ok(mailSubject, `no reminder mail in:\n${stdout}`);
    assert.ok(lines.includes('Take blood pressure medication: active'), `no active series in:\n${stdout}`);
    const audit = JSON.parse(lines.at(-1) ?? '') as { items: { eventType: string; entityId: string }[] };
    assert.deepEqual(audit.items.map((i) => [i.eventType, i.entityId]), [['task.created', task.id]]);
  });

  test('when a developer runs the README\'s dapr CLI examples, then list shows every app, invoke reaches an app and publish is accepted', async () => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', readmeBlock('readme-cli-test')], { cwd: fromRoot(), maxBuffer: 1024 * 1024 });
    for (const appId of ['tasks', 'audit', 'recurring', 'notification', 'emergency', 'location']) assert.match(stdout, new RegExp(`^\\s*${appId}\\s`, 'm'), `dapr list shows no ${appId}:\n${stdout}`);
    assert.match(stdout, /"status":\s*"ok"/, `invoke printed no readiness:\n${stdout}`);
    assert.match(stdout, /Event published successfully/, stdout);
  });

  // A sidecar told to reach a placement or scheduler service that is not there retries forever and grows
  // by megabytes a minute (issue 15): `dapr run -f` adds both addresses unless dapr.yaml switches them off.
  test('when the dev stack runs, then no sidecar is pointed at a control-plane address that nothing answers', async () => {
    const appIds = new Set(loadRunTemplate().apps.map((app) => app.appId));
    const appIdOf = (args: string[]) => args[args.indexOf('--app-id') + 1] ?? '';
    const sidecars = daprdCommandLines().filter((args) => appIds.has(appIdOf(args)));
    assert.deepEqual(new Set(sidecars.map(appIdOf)), appIds, 'a daprd per app of dapr.yaml');
    for (const args of sidecars) {
      const appId = appIdOf(args);
      for (const flag of ['--placement-host-address', '--scheduler-host-address', '--sentry-address']) {
        const at = args.indexOf(flag);
        if (at === -1) continue;
        const address = args[at + 1] ?? '';
        for (const one of address.split(',')) assert.ok(await answers(one), `daprd of ${appId} has ${flag} ${one}, where nothing answers`);
      }
    }
  });
});
