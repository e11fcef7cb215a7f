// A real nginx on the gateway config the dev stack runs (packages/platform's renderGatewayConfig), in
// front of the apps the suite started: the edge as a client meets it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderGatewayConfig, startNginx, type RunTemplate } from '@lifeline/platform';

export interface RunningGateway {
  url: string;
  /** Every access-log line so far, parsed (the gateway's JSON format). */
  accessLog(): Array<Record<string, unknown>>;
  accessLogText(): string;
  stop(): Promise<void>;
}

export async function startGateway(template: RunTemplate, opts: { corsOrigins?: string[] } = {}): Promise<RunningGateway> {
  const cors = opts.corsOrigins ? { cors: { origins: opts.corsOrigins } } : {};
  const nginx = await startNginx((port, prefix) => renderGatewayConfig(template, { port, prefix, ...cors }));
  const accessLogText = () => {
    try {
      return readFileSync(path.join(nginx.dir, 'access.log'), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    url: `http://127.0.0.1:${nginx.port}`,
    accessLogText,
    accessLog: () => accessLogText().split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    stop: () => nginx.stop(),
  };
}
