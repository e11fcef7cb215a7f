// The platform's own gateway (nginx, the config scripts/dev.sh renders from dapr.yaml) on a port of its own, so
// a benchmark measures requests through the gateway without touching a `npm run dev` gateway on 8080.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromRoot, renderGatewayConfig, type RunTemplate } from '@lifeline/platform';
import { waitUntil } from '@lifeline/e2e/harness';

export interface BenchGateway {
  /** e.g. http://127.0.0.1:28180/api/v1 */
  apiUrl: string;
  /** The nginx master's pid; its single worker is its child. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts nginx in the foreground on `port` with the gateway config of `template`. Pass a template whose app
 * ports were changed to put the same gateway in front of something else (a trivial handler for a ceiling).
 */
export async function startBenchGateway(name: string, template: RunTemplate, port: number): Promise<BenchGateway> {
  const prefix = fromRoot(`.run/bench/${name}`);
  mkdirSync(path.join(prefix, 'tmp'), { recursive: true });
  const conf = path.join(prefix, 'nginx.conf');
  writeFileSync(conf, renderGatewayConfig(template, { port, prefix }));
  // Access logging is part of the real gateway's cost, so it stays on.
  const child = spawn('nginx', ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const apiUrl = `http://127.0.0.1:${port}/api/v1`;
  await Promise.race([
    waitUntil(`bench gateway ${name} on ${port}`, async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 204 ? true : undefined), 10_000, 100),
    exited.then(() => {
      throw new Error(`nginx (${name}) exited at start; see ${prefix}/error.log`);
    }),
  ]);
  if (child.pid === undefined) throw new Error('nginx has no pid');
  return {
    apiUrl,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The template with one app's port pointed elsewhere: the gateway config then routes that app's prefix there. */
export function withAppPort(template: RunTemplate, appId: string, appPort: number): RunTemplate {
  return { ...template, apps: template.apps.map((a) => (a.appId === appId ? { ...a, appPort } : a)) };
}
