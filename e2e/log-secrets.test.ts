// After the e2e run (scripts/test.sh runs this last): no log that our processes wrote (apps, sidecars, the
// gateway, in e2e and through `dapr run -f`) holds a token, a password or a connection string with its
// credentials. The scanner is first shown to find each kind, so a clean result means something.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { knownDevSecrets, runLogFiles, scanText } from './harness/secret-scan.ts';

test('when a line carries a token, a password or a credentialed URL, then the scanner finds it; ordinary lines pass', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSIsInJvbGVzIjpbInVzZXIiXX0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
  const leaks = [
    `{"level":30,"msg":"request","headers":{"authorization":"Bearer ${jwt}"}}`,
    `token ${jwt} refused`,
    'connecting to postgres://tasks_app:tasks-dev-password@127.0.0.1:25432/lifeline',
    'amqp://guest:guest-password@rabbit:5672 unreachable',
    '{"password":"hunter2hunter2"}',
    'DAPR_API_TOKEN=3f9a0c1d2e3f4a5b',
    '127.0.0.1 - - "GET /api/v1/emergencies/e-1/acknowledge?token=abcdef123456 HTTP/1.1" 200',
  ];
  for (const line of leaks) assert.equal(scanText('planted.log', line).length > 0, true, `missed: ${line}`);
  assert.equal(scanText('planted.log', 'the db answered', ['tasks-dev-password']).length, 0);
  assert.equal(scanText('planted.log', 'auth with tasks-dev-password failed', ['tasks-dev-password']).length, 1);

  const innocent = [
    '{"level":40,"path":"/dapr/subscribe","tokenPresent":false,"msg":"rejected sidecar call with a missing or wrong app API token"}',
    'APP_API_TOKEN is not set: sidecar calls into this app are not authenticated',
    'JWT_SECRET: must be at least 32 characters (value hidden)',
    'redis://127.0.0.1:26379/2 connected',
    'postgres://127.0.0.1:25432/lifeline ready',
    '{"msg":"request","method":"GET","path":"/tasks","status":401}',
    'time="2026-12-04T19:00:00Z" level=info msg="component loaded. name: statestore, type: state.redis/v1"',
  ];
  for (const line of innocent) assert.deepEqual(scanText('ok.log', line), [], `false alarm: ${line}`);
});

test('when the e2e run has written its logs, then none of them holds a secret', () => {
  const files = runLogFiles();
  assert.ok(files.some((f) => f.includes('/.run/logs/e2e/')), 'no e2e logs to scan: run the e2e suites first');
  const known = knownDevSecrets();
  const hits = files.flatMap((file) => scanText(file, readFileSync(file, 'utf8'), known));
  assert.deepEqual(hits.slice(0, 20), [], `${hits.length} secret(s) in ${new Set(hits.map((h) => h.file)).size} log(s) of ${files.length}`);
});
