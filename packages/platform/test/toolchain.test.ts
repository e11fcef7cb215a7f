// The toolchain scripts/install builds: `dapr --version` from the cached bin folder must name both the
// CLI and the runtime we pinned, which also proves the CLI finds our daprd without ~/.dapr.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { fromRoot } from '../src/index.ts';

const run = promisify(execFile);

function pinned(name: string): string {
  const m = new RegExp(`^${name}=(.+)$`, 'm').exec(readFileSync(fromRoot('scripts/lib/dapr-versions.sh'), 'utf8'));
  if (!m?.[1]) throw new Error(`${name} not found in dapr-versions.sh`);
  return m[1];
}

test('when dapr --version runs from the cached bin folder, then it reports the pinned CLI and runtime', async () => {
  const bin = path.join(process.env.LIFELINE_CACHE ?? path.join(homedir(), '.cache/lifeline'), 'bin/dapr');
  const env = { ...process.env };
  delete env.DAPR_RUNTIME_PATH;
  const { stdout } = await run(bin, ['--version'], { env });
  assert.match(stdout, new RegExp(`CLI version: ${pinned('DAPR_CLI_VERSION').replaceAll('.', '\\.')}`));
  assert.match(stdout, new RegExp(`Runtime version: ${pinned('DAPRD_VERSION').replaceAll('.', '\\.')}`));
});
