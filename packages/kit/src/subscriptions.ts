import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';
import { kitState } from './app-state.ts';
import { appTokenCheck } from './app-token.ts';
import { parseCloudEvent } from './cloudevent.ts';
import type { CloudEvent } from './cloudevent.ts';
import { withEventContext } from './context.ts';
import { jsonBodyParser } from './create-app.ts';
import type { IdempotencyGuard } from './idempotency.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { EventOutcome, Metrics } from './metrics.ts';
import { internalError, sendProblem } from './problem.ts';

/*
 * Why the kit serves the app side of the Dapr protocol itself instead of the SDK's DaprServer:
 * DaprServer brings its own express 4 app and acknowledges a handler that throws as SUCCESS,
 * which silently loses the message. Here a thrown error is always RETRY, a schema failure is
 * DROP (the sidecar forwards it to the dead-letter topic), and the routes live on our express 5
 * app behind the app-token check, with our logging, metrics and graceful drain.
 */

export type Outcome = EventOutcome;
const OUTCOMES: ReadonlySet<string> = new Set<Outcome>(['SUCCESS', 'RETRY', 'DROP']);

/** Anything with zod's safeParse shape, so schemas from any zod copy (or a hand-written one) fit. */
export interface EventSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

export interface EventHandlerContext {
  topic: string;
  /** The envelope as delivered (id, source, type, time, traceparent, raw data). */
  cloudEvent: CloudEvent<unknown>;
  logger: Logger;
}

export type EventHandler<T> = (event: T, ctx: EventHandlerContext) => Promise<Outcome>;

interface SubscriptionBase {
  topic: string;
  /** Defaults to `${topic}.dead-letter`; every subscription has one. */
  deadLetterTopic?: string;
  /** Subscription metadata for the sidecar, e.g. { rawPayload: 'false' }. */
  metadata?: Record<string, string>;
  /** Deduplicates on the CloudEvent id: a redelivered event is acknowledged without running the handler. */
  idempotency?: IdempotencyGuard;
}

export interface TypedSubscription<T> extends SubscriptionBase {
  /** Validates the CloudEvent's `data`; a failure is answered DROP. */
  schema: EventSchema<T>;
  handler: EventHandler<T>;
}

/** No schema: the handler gets `data` as delivered (e.g. a dead-letter recorder). */
export interface RawSubscription extends SubscriptionBase {
  schema?: undefined;
  handler: EventHandler<unknown>;
}

export interface BindingHandlerContext {
  name: string;
  /** Binding metadata arrives as request headers. */
  headers: Record<string, string | string[] | undefined>;
  logger: Logger;
}

export interface InputBinding {
  /** The Dapr component name; daprd calls POST /<name>. */
  name: string;
  /** A throw answers 500 so daprd logs it and, where the binding supports it, retries. */
  handler: (body: unknown, ctx: BindingHandlerContext) => Promise<void>;
}

/** One entry of GET /dapr/subscribe (programmatic subscription, v2 routes shape). */
export interface DaprSubscription {
  pubsubname: string;
  topic: string;
  routes: { default: string };
  deadLetterTopic: string;
  metadata?: Record<string, string>;
}

export interface SubscriptionsOptions {
  pubsubName: string;
  logger: Logger;
  metrics: Metrics;
  /**
   * The token the sidecar must present. Omit to use APP_API_TOKEN from the app made by
   * createServiceApp; pass undefined explicitly to run unauthenticated (development).
   */
  appApiToken?: string | undefined;
}

export interface Subscriptions {
  on<T>(sub: TypedSubscription<T>): Subscriptions;
  on(sub: RawSubscription): Subscriptions;
  binding(binding: InputBinding): Subscriptions;
  /** The GET /dapr/subscribe answer. */
  list(): DaprSubscription[];
  /** Registers /dapr/subscribe, topic and binding routes; call once, before finalize(app). */
  mount(app: Express): void;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isBodyParserError(err: unknown): boolean {
  const e = err as { type?: unknown; status?: unknown } | null;
  return typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}

export function topicRoute(topic: string): string {
  return `/events/${topic}`;
}

interface Registered {
  topic: string;
  route: string;
  deadLetterTopic: string;
  metadata: Record<string, string> | undefined;
  schema: EventSchema<unknown> | undefined;
  idempotency: IdempotencyGuard | undefined;
  handler: EventHandler<unknown>;
}

/** Thrown inside an idempotent run so a RETRY/DROP outcome does not mark the event as processed. */
class NotDone extends Error {
  constructor(readonly outcome: Outcome) {
    super(`handler answered ${outcome}`);
  }
}

export function createSubscriptions(opts: SubscriptionsOptions): Subscriptions {
  const { pubsubName, logger, metrics } = opts;
  const topics = new Map<string, Registered>();
  const bindings = new Map<string, InputBinding>();
  let mounted = false;

  function assertOpen(what: string) {
    if (mounted) throw new Error(`${what} after mount(): the sidecar reads subscriptions once, at start`);
  }

  function respond(res: Response, outcome: Outcome) {
    res.status(200).json({ status: outcome });
  }

  async function deliver(sub: Registered, req: Request, lifecycle: Lifecycle | undefined): Promise<Outcome> {
    const topic = sub.topic;
    if (lifecycle?.shuttingDown) {
      logger.info({ topic }, 'shutting down: asking the sidecar to redeliver later');
      return 'RETRY';
    }
    const parsed = parseCloudEvent(req.body);
    if (!parsed.ok) {
      logger.warn({ topic, reason: parsed.reason }, 'dropping undecodable delivery to the dead-letter topic');
      metrics.eventsFailed.inc({ topic, reason: 'invalid_envelope' });
      metrics.deadLetter.inc({ topic });
      metrics.eventsConsumed.inc({ topic, type: 'unknown', outcome: 'DROP' });
      return 'DROP';
    }
    const ce = parsed.event;
    return withEventContext({ eventId: ce.id, traceparent: ce.traceparent }, async () => {
      const log = logger.child({ topic, eventType: ce.type });
      const end = metrics.eventHandlerDuration.startTimer({ topic });
      const outcome = await handleEvent(sub, ce, log);
      end();
      metrics.eventsConsumed.inc({ topic, type: ce.type, outcome });
      if (outcome === 'DROP') metrics.deadLetter.inc({ topic });
      return outcome;
    });
  }

  async function handleEvent(sub: Registered, ce: CloudEvent<unknown>, log: Logger): Promise<Outcome> {
    const topic = sub.topic;
    let data: unknown = ce.data;
    if (sub.schema) {
      const result = sub.schema.safeParse(ce.data);
      if (!result.success) {
        const errors = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
        log.warn({ errors, deadLetterTopic: sub.deadLetterTopic }, 'event data failed validation: DROP to dead-letter topic');
        metrics.eventsFailed.inc({ topic, reason: 'invalid_data' });
        return 'DROP';
      }
      data = result.data;
    }
    const ctx: EventHandlerContext = { topic, cloudEvent: ce, logger: log };
    const run = async (): Promise<Outcome> => {
      const outcome: unknown = await sub.handler(data, ctx);
      if (typeof outcome !== 'string' || !OUTCOMES.has(outcome)) {
        throw new Error(`handler returned ${JSON.stringify(outcome)}; expected SUCCESS, RETRY or DROP`);
      }
      return outcome as Outcome;
    };
    try {
      if (!sub.idempotency) {
        const outcome = await run();
        logOutcome(log, outcome);
        return outcome;
      }
      const { duplicate } = await sub.idempotency.runOnce(ce.id, async () => {
        const outcome = await run();
        if (outcome !== 'SUCCESS') throw new NotDone(outcome);
        return outcome;
      });
      if (duplicate) log.info('duplicate delivery acknowledged without handling');
      else logOutcome(log, 'SUCCESS');
      return 'SUCCESS';
    } catch (err) {
      if (err instanceof NotDone) {
        logOutcome(log, err.outcome);
        return err.outcome;
      }
      log.error({ err }, 'event handler failed: RETRY');
      metrics.eventsFailed.inc({ topic, reason: 'handler_error' });
      return 'RETRY';
    }
  }

  function logOutcome(log: Logger, outcome: Outcome) {
    if (outcome === 'SUCCESS') log.debug({ outcome }, 'event handled');
    else log.warn({ outcome }, `event handler answered ${outcome}`);
  }

  const api: Subscriptions = {
    on(sub: TypedSubscription<unknown> | RawSubscription): Subscriptions {
      assertOpen(`on(${sub.topic})`);
      if (!NAME.test(sub.topic)) throw new Error(`topic name ${JSON.stringify(sub.topic)} must match ${NAME}`);
      if (topics.has(sub.topic)) throw new Error(`topic ${sub.topic} already has a handler`);
      const deadLetterTopic = sub.deadLetterTopic ?? `${sub.topic}.dead-letter`;
      if (!NAME.test(deadLetterTopic)) throw new Error(`dead-letter topic ${JSON.stringify(deadLetterTopic)} must match ${NAME}`);
      topics.set(sub.topic, {
        topic: sub.topic,
        route: topicRoute(sub.topic),
        deadLetterTopic,
        metadata: sub.metadata,
        schema: sub.schema,
        idempotency: sub.idempotency,
        handler: sub.handler,
      });
      return api;
    },

    binding(binding: InputBinding): Subscriptions {
      assertOpen(`binding(${binding.name})`);
      if (!NAME.test(binding.name)) throw new Error(`binding name ${JSON.stringify(binding.name)} must match ${NAME}`);
      if (bindings.has(binding.name)) throw new Error(`binding ${binding.name} already has a handler`);
      bindings.set(binding.name, binding);
      return api;
    },

    list(): DaprSubscription[] {
      return [...topics.values()].map((s) => ({
        pubsubname: pubsubName,
        topic: s.topic,
        routes: { default: s.route },
        deadLetterTopic: s.deadLetterTopic,
        ...(s.metadata ? { metadata: s.metadata } : {}),
      }));
    },

    mount(app: Express): void {
      if (mounted) throw new Error('mount() called twice');
      const state = kitState(app);
      if (!('appApiToken' in opts) && !state) {
        throw new Error('mount(app): pass appApiToken (or undefined for development) for an app not made by createServiceApp');
      }
      const token = 'appApiToken' in opts ? opts.appApiToken : state?.config.APP_API_TOKEN;
      const lifecycle = state?.lifecycle;
      if (state?.finalized) throw new Error('mount(app) must come before finalize(app)');
      mounted = true;

      const guard = appTokenCheck({ token, logger });
      // Harmless when the app already parsed the body; needed when it did not.
      const parse = jsonBodyParser();

      app.get('/dapr/subscribe', guard, (_req, res) => {
        res.json(api.list());
      });

      for (const sub of topics.values()) {
        const handler: RequestHandler = async (req, res) => {
          const outcome = lifecycle ? await lifecycle.track(() => deliver(sub, req, lifecycle)) : await deliver(sub, req, lifecycle);
          respond(res, outcome);
        };
        app.post(sub.route, guard, parse, handler);
        // A body the parser refuses (malformed, too large) will never parse on redelivery either: poison.
        // Anything else that escaped is our fault, so the event is kept (RETRY).
        const onError: ErrorRequestHandler = (err: unknown, req, res, next) => {
          if (req.method !== 'POST' || res.headersSent) {
            next(err);
            return;
          }
          const unreadable = isBodyParserError(err);
          // Only the sidecar may cause a DROP; anyone else still gets the 401.
          void guard(req, res, () => {
            if (!unreadable) {
              logger.error({ topic: sub.topic, err }, 'unexpected error on a topic route: RETRY');
              metrics.eventsFailed.inc({ topic: sub.topic, reason: 'handler_error' });
              respond(res, 'RETRY');
              return;
            }
            logger.warn({ topic: sub.topic, err }, 'dropping a delivery whose body cannot be read');
            metrics.eventsFailed.inc({ topic: sub.topic, reason: 'invalid_envelope' });
            metrics.deadLetter.inc({ topic: sub.topic });
            metrics.eventsConsumed.inc({ topic: sub.topic, type: 'unknown', outcome: 'DROP' });
            respond(res, 'DROP');
          });
        };
        app.use(sub.route, onError);
      }

      for (const b of bindings.values()) {
        const path = `/${b.name}`;
        // daprd probes OPTIONS /<name> at start to learn whether the app listens for this binding.
        app.options(path, (_req, res) => {
          res.sendStatus(200);
        });
        app.post(path, guard, parse, async (req, res) => {
          const log = logger.child({ binding: b.name });
          const work = async () => {
            const end = metrics.eventHandlerDuration.startTimer({ topic: b.name });
            try {
              await b.handler(req.body as unknown, { name: b.name, headers: req.headers, logger: log });
              return true;
            } catch (err) {
              log.error({ err }, 'binding handler failed');
              metrics.eventsFailed.inc({ topic: b.name, reason: 'binding_error' });
              return false;
            } finally {
              end();
            }
          };
          const ok = lifecycle ? await lifecycle.track(work) : await work();
          if (ok) res.status(200).json({});
          else sendProblem(req, res, internalError('The binding handler failed.'));
        });
      }

      logger.info(
        { pubsubName, topics: [...topics.keys()], bindings: [...bindings.keys()] },
        'subscription routes mounted',
      );
    },
  };
  return api;
}
