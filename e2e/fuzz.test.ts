// Schemathesis against every app's OpenAPI document through the gateway (scripts/fuzz.sh), on the platform
// as `npm run dev -- --background` brings it up: no server error, no answer that breaks its own document.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { fromRoot } from '@lifeline/platform';

const run = promisify(execFile);
/** The documented test setting of the rate limits (README "Rate limits, CORS and the access log"). */
const FUZZ_RATE_LIMITS = { RATE_LIMIT_DEFAULT: '100000/1m', RATE_LIMIT_TOKENLESS: '100000/1m', RATE_LIMIT_EMERGENCY: '100000/1m', RATE_LIMIT_LOCATION: '100000/1s' };
// The list is the script's own, so a new API joins the suite by being added there.
const APPS = execFileSync('bash', [fromRoot('scripts/fuzz.sh'), '--list'], { encoding: 'utf8' }).trim().split('\n');

/**
 * Schemathesis' FAILURES and ERRORS sections (each case with its curl line), put last in the assertion
 * message: a CI log shows the end of a failure, and the summary alone does not say which request it was.
 */
function findings(stdout: string): string {
  const sections = [...stdout.matchAll(/^=+ (FAILURES|ERRORS) =+$([\s\S]*?)(?=^=+ [A-Z ]+ =+$)/gm)];
  return sections.map(([, name, body = '']) => `--- ${name} ---${body.slice(0, 12_000)}`).join('\n');
}

describe('API fuzzing through the gateway', { timeout: 900_000 }, () => {
  before(async () => {
    // The fuzzer is one user sending thousands of requests: the rate limits (which answer 429, documented on
    // every operation and expected by scripts/fuzz/schemathesis.toml) are raised so it reaches the routes.
    await run('bash', [fromRoot('scripts/dev.sh'), '--background'], { cwd: fromRoot(), maxBuffer: 20 * 1024 * 1024, env: { ...process.env, ...FUZZ_RATE_LIMITS } });
  });
  after(async () => {
    await run('bash', [fromRoot('scripts/dev.sh'), 'stop'], { cwd: fromRoot() });
  });

  for (const app of APPS) {
    test(`when schemathesis runs every check on the ${app} API, then no request gets a server error or an answer that breaks the document`, async () => {
      const result = await run('bash', [fromRoot('scripts/fuzz.sh'), app], { cwd: fromRoot(), maxBuffer: 50 * 1024 * 1024 }).then(
        ({ stdout }) => ({ ok: true, stdout }),
        (err: { stdout?: string; stderr?: string }) => ({ ok: false, stdout: `${err.stdout ?? ''}\n${err.stderr ?? ''}` }),
      );
      assert.ok(result.ok, `the fuzzer found problems in ${app}:\n${result.stdout.slice(-6_000)}\n${findings(result.stdout)}`);
      assert.match(result.stdout, /No issues found|passed/);
    });
  }
});
