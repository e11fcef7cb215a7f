import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestHandler } from 'express';

export type EventOutcome = 'SUCCESS' | 'RETRY' | 'DROP';

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  eventsPublished: Counter<'topic' | 'type'>;
  eventsConsumed: Counter<'topic' | 'type' | 'outcome'>;
  eventsFailed: Counter<'topic' | 'reason'>;
  eventHandlerDuration: Histogram<'topic'>;
  deadLetter: Counter<'topic'>;
}

export interface MetricsOptions {
  /** Added as the `app` label on every series. */
  appId?: string;
  /** Process metrics (cpu, memory, event loop); tests that build many registries may turn them off. */
  defaultMetrics?: boolean;
}

/** One registry per app instance, never prom-client's global one, so a test process can build many apps. */
export function createMetrics({ appId, defaultMetrics = true }: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (appId) registry.setDefaultLabels({ app: appId });
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, matched route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    eventsPublished: new Counter({
      name: 'events_published_total',
      help: 'Events accepted by the sidecar for publishing',
      labelNames: ['topic', 'type'],
      registers,
    }),
    eventsConsumed: new Counter({
      name: 'events_consumed_total',
      help: 'Events delivered to this app, by the outcome returned to the sidecar',
      labelNames: ['topic', 'type', 'outcome'],
      registers,
    }),
    eventsFailed: new Counter({
      name: 'events_failed_total',
      help: 'Event publish or handling failures by reason',
      labelNames: ['topic', 'reason'],
      registers,
    }),
    eventHandlerDuration: new Histogram({
      name: 'event_handler_duration_seconds',
      help: 'Time spent handling one delivered event',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    deadLetter: new Counter({
      name: 'dead_letter_total',
      help: 'Events answered with DROP, which the sidecar forwards to the dead-letter topic',
      labelNames: ['topic'],
      registers,
    }),
  };
}

/**
 * Times every request. The route label is the matched pattern (/tasks/:id), never the raw URL,
 * so the number of series stays bounded; requests no route matched share one label.
 */
export function httpMetricsMiddleware(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    let done = false;
    const record = () => {
      if (done) return;
      done = true;
      const routePath: unknown = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : '(unmatched)';
      end({ method: req.method, route, status: String(res.statusCode) });
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}

export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  };
}
