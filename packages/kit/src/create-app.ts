import express from 'express';
import type { Express } from 'express';
import { kitState, setKitState } from './app-state.ts';
import type { BaseConfig } from './config.ts';
import { contextMiddleware } from './context.ts';
import { errorMiddleware, notFoundHandler } from './error-middleware.ts';
import { healthRouter } from './health.ts';
import { invocationAccess } from './invocation-access.ts';
import type { ReadinessCheck } from './health.ts';
import { Lifecycle, inFlightMiddleware } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import { httpMetricsMiddleware, metricsHandler } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { storableInputGuard } from './storable-input.ts';
import { createAuth, type AuthContext, type AuthSettings } from './auth.ts';
import { trustedProxies } from './rate-limit/client-address.ts';
import { createRateLimits, type RateLimits } from './rate-limit/limiter.ts';
import { callerMiddleware } from './rate-limit/middleware.ts';
import { policiesFrom, type RateLimitSettings } from './rate-limit/policy.ts';

export const JSON_BODY_TYPES = ['application/json', 'application/*+json'];
export const JSON_BODY_LIMIT = '1mb';

/** JSON parser for both plain JSON and CloudEvents (application/cloudevents+json). */
export function jsonBodyParser() {
  return express.json({ type: JSON_BODY_TYPES, limit: JSON_BODY_LIMIT });
}

export interface ServiceAppOptions {
  config: Pick<BaseConfig, 'APP_API_TOKEN' | 'SHUTDOWN_TIMEOUT_MS'> &
    Partial<Pick<BaseConfig, 'REQUEST_TIMEOUT_MS' | 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'APP_ID'>> &
    RateLimitSettings;
  logger: Logger;
  metrics: Metrics;
  readiness?: ReadinessCheck[];
  readinessTimeoutMs?: number;
  /**
   * The rate limits (packages/kit/src/rate-limit): by default built from RATE_LIMIT_* in config, off
   * without RATE_LIMIT_REDIS_URL. Tests pass their own (two apps on one set of counters) or `false`.
   */
  rateLimits?: RateLimits | false;
  /** How the caller middleware verifies a bearer token; createAuth(config).verify by default. */
  verifyToken?: (token: string) => Promise<AuthContext>;
  /** Access log at info for every request except probes and scrapes (those log at debug). */
  accessLog?: boolean;
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);
/** Paths the gateway never routes: the sidecar's, service invocation's and the probes'. Never rate-limited. */
const INTERNAL_PATH = /^\/(dapr|internal|health)(\/|$)|^\/metrics$/;

function rateLimitsFromConfig(opts: ServiceAppOptions): RateLimits | undefined {
  const { config, logger } = opts;
  if (opts.rateLimits === false) return undefined;
  if (opts.rateLimits) return opts.rateLimits;
  if (!config.RATE_LIMIT_REDIS_URL) {
    logger.warn('RATE_LIMIT_REDIS_URL is not set: requests are not rate-limited');
    return undefined;
  }
  return createRateLimits({
    redis: config.RATE_LIMIT_REDIS_URL,
    policies: policiesFrom(config),
    keyPrefix: config.RATE_LIMIT_KEY_PREFIX ?? 'ratelimit:',
    logger,
    registry: opts.metrics.registry,
    ...(config.RATE_LIMIT_REDIS_TIMEOUT_MS === undefined ? {} : { timeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS }),
  });
}

function tokenVerifier(opts: ServiceAppOptions): ((token: string) => Promise<AuthContext>) | undefined {
  if (opts.verifyToken) return opts.verifyToken;
  const { JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE } = opts.config;
  if (!JWT_SECRET) return undefined;
  // The app builds its own Auth for its routes; both remember verified tokens, so a token is checked once per process each.
  const settings: AuthSettings = { ...opts.config, JWT_SECRET, JWT_ISSUER: JWT_ISSUER ?? 'lifeline', JWT_AUDIENCE: JWT_AUDIENCE ?? 'lifeline-api' };
  const auth = createAuth(settings);
  return (token) => auth.verify(token);
}

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
  // Service invocation allow-list (invocation-access.ts); an app without an id (kit tests) is nobody's callee.
  if (opts.config.APP_ID) app.use(invocationAccess({ appId: opts.config.APP_ID, appApiToken: opts.config.APP_API_TOKEN, logger }));
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
  // After the probes, before every route: the caller is named (for the gateway's access log) and their
  // budget spent. The rate limits' Redis connection is the app's; startServer closes it last.
  const verify = tokenVerifier(opts);
  const limits = rateLimitsFromConfig(opts);
  const owned = limits !== undefined && opts.rateLimits === undefined;
  if (verify) {
    app.use(
      callerMiddleware({
        verify,
        limits,
        proxies: trustedProxies(opts.config.RATE_LIMIT_TRUSTED_PROXIES ?? ['127.0.0.1/8', '::1/128']),
        appApiToken: opts.config.APP_API_TOKEN,
        isInternal: (req) => INTERNAL_PATH.test(req.path) || sidecarRoutes.has(req.path),
      }),
    );
  }
  setKitState(app, {
    config: opts.config,
    logger,
    metrics,
    lifecycle,
    finalized: false,
    sidecarRoutes,
    ...(owned ? { onClose: () => limits.close() } : {}),
  });
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
