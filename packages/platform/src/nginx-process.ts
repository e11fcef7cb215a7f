// A real nginx on loopback, on a config rendered for it: what the gateway tests and the e2e harness run
// in front of the apps (the dev stack starts its own through scripts/dev.sh).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free loopback port: bound and released, so nginx (or a test's dead upstream) can take it a moment later. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningNginx {
  port: number;
  /** The prefix directory: nginx.conf, error.log and tmp/ (the request-body temp files under tmp/body). */
  dir: string;
  stop(): Promise<void>;
}

/** Writes the config render(port, dir) returns and runs nginx on it until /healthz answers 204. */
export async function startNginx(render: (port: number, dir: string) => string): Promise<RunningNginx> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'lifeline-gateway-'));
  mkdirSync(path.join(dir, 'tmp'));
  writeFileSync(path.join(dir, 'nginx.conf'), render(port, dir));
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
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 204, () => false);
    if (up) break;
    if (i > 100 || nginx.exitCode !== null) {
      const log = readFileSync(path.join(dir, 'error.log'), 'utf8');
      await stop();
      throw new Error(`nginx did not start:\n${log}`);
    }
    await sleep(50);
  }
  return { port, dir, stop };
}
