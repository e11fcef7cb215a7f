import type { AppDefinition, RunTemplate } from '@lifeline/platform';
import { httpOk, startProcess, waitUntil, type ManagedProcess } from './processes.ts';
import type { Tokens } from './sidecar.ts';

/** Starts the app exactly as dapr.yaml's command does, with the env the CLI would give it. */
export async function startApp(app: AppDefinition, template: RunTemplate, tokens: Tokens, env: Record<string, string>, replica = 0): Promise<ManagedProcess> {
  const [cmd, ...args] = app.command;
  if (!cmd) throw new Error(`${app.appId}: empty command in dapr.yaml`);
  const proc = startProcess(replica === 0 ? app.appId : `${app.appId}-${replica}`, cmd, args, {
    cwd: app.appDir,
    env: {
      ...process.env,
      ...template.commonEnv,
      ...app.env,
      APP_ID: app.appId,
      APP_PORT: String(app.appPort),
      DAPR_HTTP_PORT: String(app.daprHttpPort),
      DAPR_GRPC_PORT: String(app.daprGrpcPort),
      DAPR_API_TOKEN: tokens.daprApiToken,
      APP_API_TOKEN: tokens.appApiToken,
      ...env,
    },
  });
  await Promise.race([
    waitUntil(`${app.appId} app`, () => httpOk(`http://127.0.0.1:${app.appPort}/health/live`), 60_000),
    proc.exited.then((code) => {
      throw new Error(`${app.appId} exited with ${code}; see ${proc.logFile}`);
    }),
  ]);
  return proc;
}
