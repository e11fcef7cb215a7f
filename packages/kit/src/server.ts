import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { kitState } from './app-state.ts';
import { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';

export interface RunningServer {
  server: Server;
  port: number;
  /** http://127.0.0.1:<port>, handy in tests. */
  url: string;
  lifecycle: Lifecycle;
  /**
   * Graceful stop: readiness turns 503, no new connections, in-flight requests and event
   * handlers finish (up to timeoutMs), then whatever is left is cut. Resolves true when
   * everything drained in time.
   */
  close(timeoutMs?: number): Promise<boolean>;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/**
 * Longer than the gateway keeps idle upstream connections (nginx: 60 s): the proxy must always be the side
 * that closes an idle connection. With Node's default of 5 s, nginx now and then sends a request down a
 * connection the app is closing that very moment, and a POST that meets the reset is answered 502.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * A client has this long to send its request line and headers (Node measures it per request, so a kept-alive
 * connection may idle longer: KEEP_ALIVE_TIMEOUT_MS).
 */
export const HEADERS_TIMEOUT_MS = 10_000;
/** Node's default of 300 s let a client trickling a body hold a connection and its handler for minutes. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export async function startServer(app: Express, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const state = kitState(app);
  const lifecycle = state?.lifecycle ?? new Lifecycle();
  const logger = state?.logger;
  const defaultTimeout = state?.config.SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const requestTimeout = state?.config.REQUEST_TIMEOUT_MS ?? DEFAULT_REQUEST_TIMEOUT_MS;

  // A request not fully received in time is answered 408 and its connection closed. Node checks the
  // timeouts on an interval (30 s by default, which would let a slow client overstay by that much).
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1_000, requestTimeout),
    },
    app,
  ).listen(port, host);
  await once(server, 'listening');
  const actualPort = (server.address() as AddressInfo).port;
  logger?.info({ port: actualPort }, 'listening');

  let closing: Promise<boolean> | undefined;
  async function drainAndClose(timeoutMs: number): Promise<boolean> {
    lifecycle.beginShutdown();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const drained = await lifecycle.waitIdle(timeoutMs);
    if (drained) {
      server.closeIdleConnections();
    } else {
      logger?.warn({ inFlight: lifecycle.inFlight, timeoutMs }, 'shutdown timeout: cutting remaining connections');
      server.closeAllConnections();
    }
    // A request that raced in after draining gets a moment, then its connection is cut too.
    const late = setTimeout(() => server.closeAllConnections(), 1000);
    await closed;
    clearTimeout(late);
    await state?.onClose?.();
    logger?.info({ drained }, 'server closed');
    return drained;
  }

  return {
    server,
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    lifecycle,
    close(timeoutMs = defaultTimeout) {
      closing ??= drainAndClose(timeoutMs);
      return closing;
    },
  };
}

export interface RunServiceOptions {
  logger: Logger;
  /** Builds the clients and the app, starts listening. */
  start: () => Promise<Pick<RunningServer, 'close'>>;
  /** Runs after the server drained: close pools and clients. */
  stop?: () => Promise<void>;
  shutdownTimeoutMs?: number;
  /** Injected by tests; defaults to process.exit. */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/**
 * Process-level wiring for a service's main.ts: starts it, drains on SIGTERM/SIGINT and exits 0,
 * and turns a crash (unhandled rejection, uncaught exception, failed start) into a fatal log and exit 1.
 */
export async function runService(opts: RunServiceOptions): Promise<void> {
  const { logger } = opts;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = opts.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;

  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    exit(1);
  });
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    exit(1);
  });

  let running: Pick<RunningServer, 'close'>;
  try {
    running = await opts.start();
  } catch (err) {
    logger.fatal({ err }, 'service failed to start');
    exit(1);
    return;
  }

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    // The cleanup itself is bounded too: a hung pool close must not keep a pod terminating forever.
    const hardStop = setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      exit(1);
    }, timeoutMs + 5000);
    hardStop.unref();
    try {
      await running.close(timeoutMs);
      await opts.stop?.();
      clearTimeout(hardStop);
      logger.info('shutdown complete');
      exit(0);
    } catch (err) {
      clearTimeout(hardStop);
      logger.fatal({ err }, 'shutdown failed');
      exit(1);
    }
  };
  for (const signal of opts.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    process.on(signal, (s: NodeJS.Signals) => void shutdown(s));
  }
}
