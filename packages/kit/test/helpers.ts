import { Writable } from 'node:stream';
import type { Express } from 'express';
import {
  createLogger,
  createMetrics,
  createServiceApp,
  finalize,
  startServer,
} from '../src/index.ts';
import type { Logger, Metrics, ReadinessCheck, RunningServer } from '../src/index.ts';

export const SECRET = 'test-secret-that-is-at-least-32-characters-long';

/** A logger whose JSON lines the test can read back. */
export function captureLogger(appId = 'test'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: createLogger({ appId, level: 'debug', destination: stream }), lines };
}

export interface TestApp {
  app: Express;
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  metrics: Metrics;
}

export function makeApp(
  opts: { readiness?: ReadinessCheck[]; appApiToken?: string; shutdownTimeoutMs?: number; readinessTimeoutMs?: number; requestTimeoutMs?: number } = {},
): TestApp {
  const { logger, lines } = captureLogger();
  const metrics = createMetrics({ appId: 'test', defaultMetrics: false });
  const app = createServiceApp({
    config: {
      APP_API_TOKEN: opts.appApiToken,
      SHUTDOWN_TIMEOUT_MS: opts.shutdownTimeoutMs ?? 5000,
      ...(opts.requestTimeoutMs !== undefined ? { REQUEST_TIMEOUT_MS: opts.requestTimeoutMs } : {}),
    },
    logger,
    metrics,
    ...(opts.readiness ? { readiness: opts.readiness } : {}),
    ...(opts.readinessTimeoutMs !== undefined ? { readinessTimeoutMs: opts.readinessTimeoutMs } : {}),
  });
  return { app, logger, lines, metrics };
}

/** Finalizes, listens on port 0 on loopback, and registers cleanup with the test. */
export async function serve(t: { after(fn: () => unknown): void }, app: Express): Promise<RunningServer> {
  finalize(app);
  const running = await startServer(app, 0, '127.0.0.1');
  t.after(() => running.close(1000));
  return running;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
