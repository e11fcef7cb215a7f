import { CaptureState } from './capture-state.ts';
import { adminRoutes } from './http/admin-routes.ts';
import { startHttpListener } from './http/http-server.ts';
import { mailRoutes } from './http/mail-routes.ts';
import { pushRoutes } from './http/push-routes.ts';
import { startSmtpListener } from './smtp/smtp-listener.ts';

export interface CaptureOptions {
  /** Loopback by default: the capture server accepts anything from anyone. */
  host?: string;
  /** 0 picks a free port; the chosen one is in the result. */
  smtpPort: number;
  httpPort: number;
  /** Newest messages kept (5000 by default); older ones are forgotten. */
  maxMessages?: number;
  /** Newest pushes kept (5000 by default). */
  maxPushes?: number;
  /** Largest mail accepted, advertised with EHLO SIZE (10 MiB by default); larger ones get 552. */
  maxMessageBytes?: number;
  /** Failures nobody else sees (unparseable mail, socket errors); stderr by default. */
  onError?: (err: unknown) => void;
}

export interface RunningCapture {
  smtpPort: number;
  httpPort: number;
  close(): Promise<void>;
}

const DEFAULTS = { host: '127.0.0.1', maxMessages: 5000, maxPushes: 5000, maxMessageBytes: 10 * 1024 * 1024 };

function logToStderr(err: unknown): void {
  process.stderr.write(`capture: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}

/** The SMTP listener and the HTTP API over one shared in-memory state. */
export async function startCapture(options: CaptureOptions): Promise<RunningCapture> {
  const host = options.host ?? DEFAULTS.host;
  const onError = options.onError ?? logToStderr;
  const state = new CaptureState({
    maxMessages: options.maxMessages ?? DEFAULTS.maxMessages,
    maxPushes: options.maxPushes ?? DEFAULTS.maxPushes,
  });

  const smtp = await startSmtpListener(state, {
    host,
    port: options.smtpPort,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
    onError,
  });
  const routes = [...adminRoutes(state, smtp.port), ...mailRoutes(state), ...pushRoutes(state)];
  let http;
  try {
    http = await startHttpListener(routes, { host, port: options.httpPort, onError });
  } catch (err) {
    await smtp.close();
    throw err;
  }

  return {
    smtpPort: smtp.port,
    httpPort: http.port,
    close: async () => {
      await Promise.all([smtp.close(), http.close()]);
    },
  };
}
