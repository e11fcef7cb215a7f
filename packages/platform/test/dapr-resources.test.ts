// Every Dapr resource in components/dapr decoded strictly against daprd's own Go types
// (scripts/check-dapr-resources.sh): daprd drops a field it does not know and runs with its defaults, so a
// misnamed retry field would quietly change how deliveries are retried.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { fromRoot } from '../src/index.ts';

const run = promisify(execFile);
const CHECK = fromRoot('scripts/check-dapr-resources.sh');
// The first run builds the checker from the Go module cache daprd was built from.
const BUILD = { timeout: 900_000 };

test('when every Dapr resource of components/dapr is decoded with daprd\'s types, then none holds a field daprd would drop', BUILD, async () => {
  const { stdout } = await run('bash', [CHECK], { cwd: fromRoot(), maxBuffer: 1024 * 1024 });
  assert.match(stdout, /every field is one daprd knows/);
});

test('when a retry policy names a field Dapr 1.18 does not have (initialInterval), then the check fails and names it', BUILD, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dapr-resources-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const resiliency = readFileSync(fromRoot('components/dapr/common/resiliency.yaml'), 'utf8');
  const planted = resiliency.replace(/^(\s+)policy: exponential$/m, '$1policy: exponential\n$1initialInterval: 200ms');
  assert.notEqual(planted, resiliency, 'the fixture needs an exponential retry policy to plant the field in');
  const file = path.join(dir, 'resiliency.yaml');
  writeFileSync(file, planted);
  const failure = await run('bash', [CHECK, file]).then(
    () => undefined,
    (err: { code?: number; stdout?: string }) => err,
  );
  assert.equal(failure?.code, 1);
  assert.match(failure?.stdout ?? '', /unknown field "initialInterval"/);
});
