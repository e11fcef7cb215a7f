import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../src/index.ts';
import { SECRET } from './helpers.ts';

const minimal = { APP_ID: 'tasks', JWT_SECRET: SECRET };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected loadConfig to throw');
}

test('when only the required variables are set, then every default is applied', () => {
  const config = loadConfig({}, minimal);
  assert.equal(config.APP_ID, 'tasks');
  assert.equal(config.APP_PORT, 3000);
  assert.equal(config.DAPR_HOST, '127.0.0.1');
  assert.equal(config.DAPR_HTTP_PORT, 3500);
  assert.equal(config.DAPR_API_TOKEN, undefined);
  assert.equal(config.APP_API_TOKEN, undefined);
  assert.equal(config.PUBSUB_NAME, 'pubsub');
  assert.equal(config.STATESTORE_NAME, 'statestore');
  assert.equal(config.JWT_ISSUER, 'lifeline');
  assert.equal(config.JWT_AUDIENCE, 'lifeline-api');
  assert.equal(config.LOG_LEVEL, 'info');
  assert.equal(config.SHUTDOWN_TIMEOUT_MS, 10000);
});

test('when numbers are given as strings, then they are parsed to integers', () => {
  const config = loadConfig({}, { ...minimal, APP_PORT: '8080', DAPR_HTTP_PORT: '3601', SHUTDOWN_TIMEOUT_MS: '2500' });
  assert.equal(config.APP_PORT, 8080);
  assert.equal(config.DAPR_HTTP_PORT, 3601);
  assert.equal(config.SHUTDOWN_TIMEOUT_MS, 2500);
});

test('when several variables are bad, then the error names each one with its reason', () => {
  const err = configError(() =>
    loadConfig({}, { JWT_SECRET: SECRET, APP_PORT: 'abc', DAPR_HTTP_PORT: '70000', LOG_LEVEL: 'loud' }),
  );
  assert.match(err.message, /APP_ID: required/);
  assert.match(err.message, /APP_PORT: expected an integer 1-65535, got "abc"/);
  assert.match(err.message, /DAPR_HTTP_PORT: expected an integer 1-65535, got "70000"/);
  assert.match(err.message, /LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
  assert.equal(err.problems.length, 4);
});

test('when a secret is invalid, then the error names it but never echoes its value', () => {
  const shortSecret = 'too-short-secret-value';
  const err = configError(() => loadConfig({}, { APP_ID: 'tasks', JWT_SECRET: shortSecret }));
  assert.match(err.message, /JWT_SECRET: must be at least 32 characters/);
  assert.ok(!err.message.includes(shortSecret), 'secret value leaked into the message');
});

test('when an app adds its own variables, then they are validated and typed with the shared ones', () => {
  const extra = { DATABASE_URL: z.string().url(), FEATURE_X: z.enum(['on', 'off']).default('off') };
  const config = loadConfig(extra, { ...minimal, DATABASE_URL: 'postgres://u:p@localhost/db' });
  assert.equal(config.DATABASE_URL, 'postgres://u:p@localhost/db');
  assert.equal(config.FEATURE_X, 'off');
  assert.equal(config.APP_ID, 'tasks');
  const port: number = config.APP_PORT;
  const mode: 'on' | 'off' = config.FEATURE_X;
  // @ts-expect-error only declared variables exist on the config
  assert.equal(config.NOT_DECLARED, undefined);
  assert.equal(typeof port, 'number');
  assert.equal(mode, 'off');

  const err = configError(() => loadConfig(extra, { ...minimal, DATABASE_URL: 'not a url with password hunter2' }));
  assert.match(err.message, /DATABASE_URL: /);
  assert.ok(!err.message.includes('hunter2'));
});

test('when a variable is set to the empty string, then it counts as unset', () => {
  const config = loadConfig({}, { ...minimal, APP_API_TOKEN: '', APP_PORT: '' });
  assert.equal(config.APP_API_TOKEN, undefined);
  assert.equal(config.APP_PORT, 3000);
});

async function runConfigExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fixture = fileURLToPath(new URL('./fixtures/config-exit.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

test('when main.ts loads a valid environment through configOrExit, then it gets the typed config', async () => {
  const run = await runConfigExit({ APP_ID: 'demo', JWT_SECRET: SECRET, BATCH: '7' });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { appId: 'demo', batch: 7 });
});

test('when the environment is invalid, then configOrExit exits 1 naming every bad variable, without a stack trace or the secret', async () => {
  const run = await runConfigExit({ JWT_SECRET: 'short-secret-value', BATCH: '70' });
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^demo: invalid configuration:/);
  assert.match(run.stderr, /APP_ID: required/);
  assert.match(run.stderr, /BATCH: expected an integer 1-10, got "70"/);
  assert.match(run.stderr, /JWT_SECRET: .*\(value hidden\)/);
  assert.doesNotMatch(run.stderr, /short-secret-value|    at /);
});
