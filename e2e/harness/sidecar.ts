import { homedir } from 'node:os';
import path from 'node:path';
import { fromRoot, type AppDefinition, type RunTemplate } from '@lifeline/platform';
import { httpOk, startProcess, waitUntil, type ManagedProcess } from './processes.ts';

export const daprdPath = process.env.DAPRD_PATH ?? path.join(process.env.LIFELINE_CACHE ?? path.join(homedir(), '.cache/lifeline'), 'bin/daprd');

export interface Tokens {
  daprApiToken: string;
  appApiToken: string;
}

/** The same daprd flags `dapr run -f dapr.yaml` passes, with the component folders given explicitly. */
export function daprdArgs(app: AppDefinition, template: RunTemplate, resources: string[]): string[] {
  return [
    '--app-id', app.appId,
    '--app-port', String(app.appPort),
    '--app-protocol', 'http',
    '--app-channel-address', '127.0.0.1',
    '--dapr-listen-addresses', '127.0.0.1',
    '--dapr-http-port', String(app.daprHttpPort),
    '--dapr-grpc-port', String(app.daprGrpcPort),
    '--metrics-port', String(app.metricsPort),
    '--config', template.configFile,
    ...resources.flatMap((dir) => ['--resources-path', dir]),
    '--log-level', 'info',
    '--enable-app-health-check',
    '--app-health-check-path', '/health/live',
  ];
}

/** A real daprd beside the app; ready once its components are loaded (outbound health). */
export async function startSidecar(app: AppDefinition, template: RunTemplate, resources: string[], tokens: Tokens, replica = 0): Promise<ManagedProcess> {
  const proc = startProcess(replica === 0 ? `daprd-${app.appId}` : `daprd-${app.appId}-${replica}`, daprdPath, daprdArgs(app, template, resources), {
    cwd: fromRoot(),
    env: { ...process.env, DAPR_API_TOKEN: tokens.daprApiToken, APP_API_TOKEN: tokens.appApiToken },
  });
  await Promise.race([
    waitUntil(`daprd of ${app.appId}`, () => httpOk(`http://127.0.0.1:${app.daprHttpPort}/v1.0/healthz/outbound`), 60_000),
    proc.exited.then((code) => {
      throw new Error(`daprd of ${app.appId} exited with ${code}; see ${proc.logFile}`);
    }),
  ]);
  return proc;
}
