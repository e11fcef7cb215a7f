import express from 'express';
import type { Express } from 'express';
import { kitState, setKitState } from './app-state.ts';
import type { BaseConfig } from './config.ts';
import { contextMiddleware } from './context.ts';
import { errorMiddleware, notFoundHandler } from './error-middleware.ts';
import { healthRouter } from './health.ts';
import type { ReadinessCheck } from './health.ts';
import { Lifecycle, inFlightMiddleware } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import { httpMetricsMiddleware, metricsHandler } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { storableInputGuard } from './storable-input.ts';

export const JSON_BODY_TYPES = ['application/json', 'application/*+json'];
export const JSON_BODY_LIMIT = '1mb';

/** JSON parser for both plain JSON and CloudEvents (application/cloudevents+json). */
export function jsonBodyParser() {
  return express.json({ type: JSON_BODY_TYPES, limit: JSON_BODY_LIMIT });
}

export interface ServiceAppOptions {
  config: Pick<BaseConfig, 'APP_API_TOKEN' | 'SHUTDOWN_TIMEOUT_MS'> & Partial<Pick<BaseConfig, 'REQUEST_TIMEOUT_MS'>>;
  logger: Logger;
  metrics: Metrics;
  readiness?: ReadinessCheck[];
  readinessTimeoutMs?: number;
  /** Access log at info for every request except probes and scrapes (those log at debug). */
  accessLog?: boolean;
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * An express 5 app with everything every service needs before its own routes.
 * Add routes, then call finalize(app). Safe to call many times per process (tests on port 0).
 */
export function createServiceApp(opts: ServiceAppOptions): Express {
  const { logger, metrics } = opts;
  const lifecycle = new Lifecycle();
  const app = express();
  app.disable('x-powered-by');
  app.use(contextMiddleware());
  app.use(inFlightMiddleware(lifecycle));
  app.use(httpMetricsMiddleware(metrics));
  if (opts.accessLog !== false) {
    app.use((req, res, next) => {
      const started = performance.now();
      res.once('finish', () => {
        const line = {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        };
        if (QUIET_PATHS.has(req.path)) logger.debug(line, 'request');
        else logger.info(line, 'request');
      });
      next();
    });
  }
  app.use(jsonBodyParser());
  const sidecarRoutes = new Set<string>();
  app.use(storableInputGuard((path) => sidecarRoutes.has(path)));
  app.use(
    healthRouter({
      checks: opts.readiness ?? [],
      lifecycle,
      logger,
      ...(opts.readinessTimeoutMs !== undefined ? { defaultTimeoutMs: opts.readinessTimeoutMs } : {}),
    }),
  );
  app.get('/metrics', metricsHandler(metrics));
  setKitState(app, { config: opts.config, logger, metrics, lifecycle, finalized: false, sidecarRoutes });
  return app;
}

/** Adds the 404 and error handlers; call after the app's own routes. */
export function finalize(app: Express, logger?: Logger): Express {
  const state = kitState(app);
  const log = logger ?? state?.logger;
  if (!log) throw new Error('finalize(app) needs a logger for an app not made by createServiceApp');
  if (state) {
    if (state.finalized) throw new Error('finalize(app) called twice');
    state.finalized = true;
  }
  app.use(notFoundHandler());
  app.use(errorMiddleware(log));
  return app;
}

/** The app's lifecycle (shutdown flag, in-flight work), for code that runs work outside a request. */
export function getLifecycle(app: Express): Lifecycle | undefined {
  return kitState(app)?.lifecycle;
}
