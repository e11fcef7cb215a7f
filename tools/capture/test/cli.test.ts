import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CliConfigError, loadCliConfig } from '../src/cli-config.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('capture CLI', () => {
  it('when ports come from the environment, then they are used on loopback', () => {
    assert.deepEqual(loadCliConfig([], { LIFELINE_SMTP_PORT: '22525', LIFELINE_CAPTURE_PORT: '28025' }), {
      host: '127.0.0.1',
      smtpPort: 22525,
      httpPort: 28025,
    });
  });

  it('when flags and environment both give a port, then the flags win', () => {
    const config = loadCliConfig(['--smtp-port', '2525', '--http-port=0', '--host', '0.0.0.0'], {
      LIFELINE_SMTP_PORT: '22525',
      LIFELINE_CAPTURE_PORT: '28025',
    });
    assert.deepEqual(config, { host: '0.0.0.0', smtpPort: 2525, httpPort: 0 });
  });

  it('when a port is missing, not a number or out of range, then a CliConfigError names every problem', () => {
    assert.throws(() => loadCliConfig([], {}), (err: Error) => err instanceof CliConfigError && /no SMTP port/.test(err.message) && /no HTTP port/.test(err.message));
    assert.throws(() => loadCliConfig([], { LIFELINE_SMTP_PORT: 'smtp', LIFELINE_CAPTURE_PORT: '70000' }), (err: Error) => {
      assert.match(err.message, /LIFELINE_SMTP_PORT must be a port number \(got 'smtp'\)/);
      assert.match(err.message, /LIFELINE_CAPTURE_PORT must be between 0 and 65535 \(got '70000'\)/);
      return true;
    });
    assert.throws(() => loadCliConfig(['--smtp-port', '25.5', '--http-port', '1'], {}), /--smtp-port must be a whole number/);
  });

  it('when an unknown flag is given, then a CliConfigError shows the usage', () => {
    assert.throws(() => loadCliConfig(['--smtp', '25'], {}), (err: Error) => err instanceof CliConfigError && /usage: capture/.test(err.message));
  });

  it('when started, then it prints one line with its ports and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--smtp-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 15_000;
      while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const match = /^capture: SMTP on 127\.0\.0\.1:(\d+), HTTP API on http:\/\/127\.0\.0\.1:(\d+)\n$/.exec(out);
      assert.ok(match, `first line: ${JSON.stringify(out)}`);
      const health = (await (await fetch(`http://127.0.0.1:${match[2]}/health`)).json()) as { smtpPort: number };
      assert.equal(health.smtpPort, Number(match[1]));
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
    assert.match(out, /capture: stopped \(SIGTERM\)\n$/);
  });

  it('when the configuration is bad, then it exits 2 with the message on stderr', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LIFELINE_SMTP_PORT: '', LIFELINE_CAPTURE_PORT: 'x' } });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(err, /capture: no SMTP port.*LIFELINE_CAPTURE_PORT must be a port number/);
  });
});
