// A real nginx on the gateway config the dev stack runs (packages/platform's renderGatewayConfig), in
// front of the apps the suite started: the edge as a client meets it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderGatewayConfig, type RunTemplate } from '@lifeline/platform';

export interface RunningGateway {
  url: string;
  /** Every access-log line so far, parsed (the gateway's JSON format). */
  accessLog(): Array<Record<string, unknown>>;
  accessLogText(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startGateway(template: RunTemplate, opts: { corsOrigins?: string[] } = {}): Promise<RunningGateway> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'lifeline-e2e-gateway-'));
  mkdirSync(path.join(dir, 'tmp'));
  const conf = renderGatewayConfig(template, { port, prefix: dir, ...(opts.corsOrigins ? { cors: { origins: opts.corsOrigins } } : {}) });
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const nginx: ChildProcess = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const stop = async () => {
    if (nginx.exitCode === null && nginx.signalCode === null) {
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 204, () => false)) break;
    if (i > 100 || nginx.exitCode !== null) {
      const log = readFileSync(path.join(dir, 'error.log'), 'utf8');
      await stop();
      throw new Error(`nginx did not start:\n${log}`);
    }
    await sleep(50);
  }
  const accessLogText = () => {
    try {
      return readFileSync(path.join(dir, 'access.log'), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    url: `http://127.0.0.1:${port}`,
    accessLogText,
    accessLog: () => accessLogText().split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    stop,
  };
}
