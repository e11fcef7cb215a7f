import express from 'express';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';
import { kitState } from './app-state.ts';
import { appTokenCheck } from './app-token.ts';
import { parseCloudEvent } from './cloudevent.ts';
import type { CloudEvent } from './cloudevent.ts';
import { withEventContext } from './context.ts';
import { JSON_BODY_TYPES, jsonBodyParser } from './create-app.ts';
import type { IdempotencyGuard } from './idempotency.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { EventOutcome, Metrics } from './metrics.ts';
import { toProblem } from './error-middleware.ts';
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
  /**
   * Another pub/sub component than the app's default, e.g. a fan-out component whose consumer group is
   * per replica. Its route then names the component, so one topic name may exist on both.
   */
  pubsubName?: string;
  /** Defaults to `${topic}.dead-letter`; every subscription has one. */
  deadLetterTopic?: string;
  /** Subscription metadata for the sidecar, e.g. { rawPayload: 'false' }. */
  metadata?: Record<string, string>;
  /** Deduplicates on the CloudEvent id: a redelivered event is acknowledged without running the handler. */
  idempotency?: IdempotencyGuard;
  /**
   * Let daprd deliver in batches (bulk subscribe) while the handler still sees one event at a time: one
   * request per batch instead of per event, for busy topics where most events need little work.
   * `concurrency` entries of a batch run at once (default 1: in delivery order). Not with `idempotency`.
   */
  batched?: BulkOptions & { concurrency?: number };
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

/** How daprd batches a bulk subscription: it flushes at this many messages or after this long, whichever is first. */
export interface BulkOptions {
  /** 1..10000; daprd's own default is 100. */
  maxMessagesCount?: number;
  /** 1..600000; daprd's own default is 1000. */
  maxAwaitDurationMs?: number;
}

/** One message of a bulk delivery that passed the envelope and schema checks. */
export interface BulkEntry<T> {
  /** daprd's id for this entry; the outcome map is keyed by it. */
  entryId: string;
  event: T;
  /** The envelope as delivered (id, source, type, time, traceparent, raw data). */
  cloudEvent: CloudEvent<unknown>;
  /** Per-entry broker metadata daprd forwarded. */
  metadata: Record<string, string>;
}

export interface BulkHandlerContext {
  topic: string;
  logger: Logger;
}

/**
 * Answers an outcome per entry. An entry missing from the map is answered RETRY (and logged as a bug);
 * a throw answers RETRY for every entry of the batch.
 */
export type BulkHandler<T> = (entries: Array<BulkEntry<T>>, ctx: BulkHandlerContext) => Promise<Map<string, Outcome>>;

interface BulkSubscriptionBase {
  topic: string;
  pubsubName?: string;
  deadLetterTopic?: string;
  metadata?: Record<string, string>;
  bulk?: BulkOptions;
}

export interface TypedBulkSubscription<T> extends BulkSubscriptionBase {
  /** Validates each entry's CloudEvent `data`; a failure is answered DROP for that entry only. */
  schema: EventSchema<T>;
  handler: BulkHandler<T>;
}

export interface RawBulkSubscription extends BulkSubscriptionBase {
  schema?: undefined;
  handler: BulkHandler<unknown>;
}

/** One entry of GET /dapr/subscribe (programmatic subscription, v2 routes shape). */
export interface DaprSubscription {
  pubsubname: string;
  topic: string;
  routes: { default: string };
  deadLetterTopic: string;
  metadata?: Record<string, string>;
  /** Dapr's bulk subscribe: the route then receives `{ entries: [...] }` and answers `{ statuses: [...] }`. */
  bulkSubscribe?: { enabled: true; maxMessagesCount: number; maxAwaitDurationMs: number };
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
  /** A bulk subscription: daprd delivers batches and the handler answers per entry. */
  onBulk<T>(sub: TypedBulkSubscription<T>): Subscriptions;
  onBulk(sub: RawBulkSubscription): Subscriptions;
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

export function topicRoute(topic: string, pubsubName?: string): string {
  return pubsubName === undefined ? `/events/${topic}` : `/events/${pubsubName}/${topic}`;
}

interface RegisteredBase {
  topic: string;
  pubsubName: string;
  route: string;
  deadLetterTopic: string;
  metadata: Record<string, string> | undefined;
  schema: EventSchema<unknown> | undefined;
}

interface RegisteredSingle extends RegisteredBase {
  kind: 'single';
  idempotency: IdempotencyGuard | undefined;
  handler: EventHandler<unknown>;
}

interface RegisteredBulk extends RegisteredBase {
  kind: 'bulk';
  bulk: Required<BulkOptions>;
  handler: BulkHandler<unknown>;
}

type Registered = RegisteredSingle | RegisteredBulk;

/**
 * A per-event handler over a bulk delivery: each entry runs in its own event context, a throw is that
 * entry's RETRY, and `concurrency` entries run at once, taken in delivery order.
 */
function perEntry(topic: string, handler: EventHandler<unknown>, concurrency: number): BulkHandler<unknown> {
  return async (entries, ctx) => {
    const outcomes = new Map<string, Outcome>();
    let next = 0;
    const worker = async () => {
      for (let entry = entries[next++]; entry !== undefined; entry = entries[next++]) {
        const { entryId, event, cloudEvent } = entry;
        const outcome = await withEventContext({ eventId: cloudEvent.id, traceparent: cloudEvent.traceparent }, async () => {
          const logger = ctx.logger.child({ eventType: cloudEvent.type });
          try {
            return await handler(event, { topic, cloudEvent, logger });
          } catch (err) {
            logger.error({ err }, 'event handler failed: RETRY');
            return 'RETRY' as const;
          }
        });
        outcomes.set(entryId, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
    return outcomes;
  };
}

/** daprd's own defaults, written out so /dapr/subscribe says what the sidecar will do. */
export const DEFAULT_BULK: Readonly<Required<BulkOptions>> = { maxMessagesCount: 100, maxAwaitDurationMs: 1000 };

/**
 * A batch of events is bigger than one event: bulk routes read up to this much, every other route keeps
 * the app-wide 1 MB. A batch beyond it is answered 413, which daprd retries and finally dead-letters.
 */
export const BULK_BODY_LIMIT = '16mb';

export interface BulkAnswer {
  statuses: Array<{ entryId: string; status: Outcome }>;
}

function isBulkBody(body: unknown): body is { entries: unknown[]; id?: unknown } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { entries?: unknown }).entries);
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function bulkOptions(topic: string, bulk: BulkOptions | undefined): Required<BulkOptions> {
  const merged = { ...DEFAULT_BULK, ...bulk };
  const { maxMessagesCount: count, maxAwaitDurationMs: wait } = merged;
  if (!Number.isInteger(count) || count < 1 || count > 10_000) {
    throw new Error(`onBulk(${topic}): maxMessagesCount must be an integer from 1 to 10000, got ${count}`);
  }
  if (!Number.isInteger(wait) || wait < 1 || wait > 600_000) {
    throw new Error(`onBulk(${topic}): maxAwaitDurationMs must be an integer from 1 to 600000, got ${wait}`);
  }
  return merged;
}

interface LayerLike {
  name?: string;
}

/**
 * Registers handlers for `path` ahead of the app-wide JSON parser that createServiceApp installed, so a
 * bulk route reads its body with its own (larger) limit. Express offers no way to insert middleware
 * earlier, so this moves the new layers in the router's stack; if the stack is not where Express 5 keeps
 * it, the handlers simply stay last and the app-wide limit applies (batches over 1 MB are then retried).
 */
function useBeforeBodyParser(app: Express, path: string, handlers: RequestHandler[]): void {
  const stack = (app as unknown as { router?: { stack?: unknown } }).router?.stack;
  if (!Array.isArray(stack)) {
    app.use(path, ...handlers);
    return;
  }
  const layers = stack as LayerLike[];
  const start = layers.length;
  app.use(path, ...handlers);
  const added = layers.splice(start);
  const parserAt = layers.findIndex((layer) => layer.name === 'jsonParser');
  layers.splice(parserAt === -1 ? layers.length : parserAt, 0, ...added);
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

  async function deliver(sub: RegisteredSingle, req: Request, lifecycle: Lifecycle | undefined): Promise<Outcome> {
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

  async function handleEvent(sub: RegisteredSingle, ce: CloudEvent<unknown>, log: Logger): Promise<Outcome> {
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

  /**
   * One bulk delivery: every entry is checked on its own (a bad envelope or bad data is DROP for that entry
   * only), the valid ones go to the handler together, and every entry gets exactly one status back.
   */
  async function deliverBulk(sub: RegisteredBulk, body: { entries: unknown[]; id?: unknown }, lifecycle: Lifecycle | undefined): Promise<BulkAnswer> {
    const topic = sub.topic;
    const log = logger.child({ topic, ...(typeof body.id === 'string' ? { bulkId: body.id } : {}) });
    const statuses = new Map<string, Outcome>();
    const types = new Map<string, string>();
    const valid: Array<BulkEntry<unknown>> = [];

    for (const raw of body.entries) {
      const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as { entryId?: unknown; event?: unknown; metadata?: unknown };
      const entryId = typeof entry.entryId === 'string' && entry.entryId !== '' ? entry.entryId : undefined;
      if (entryId === undefined) {
        // daprd never sends one (it refuses blank ids itself); nothing can be answered for it.
        log.warn('bulk entry without an entryId skipped');
        metrics.eventsFailed.inc({ topic, reason: 'invalid_envelope' });
        continue;
      }
      if (statuses.has(entryId)) {
        log.warn({ entryId }, 'entryId repeated within one bulk delivery: answered once');
        continue;
      }
      if (lifecycle?.shuttingDown) {
        statuses.set(entryId, 'RETRY');
        continue;
      }
      const parsed = parseCloudEvent(entry.event);
      if (!parsed.ok) {
        log.warn({ entryId, reason: parsed.reason }, 'dropping undecodable bulk entry to the dead-letter topic');
        metrics.eventsFailed.inc({ topic, reason: 'invalid_envelope' });
        statuses.set(entryId, 'DROP');
        continue;
      }
      const ce = parsed.event;
      types.set(entryId, ce.type);
      let data: unknown = ce.data;
      if (sub.schema) {
        const result = sub.schema.safeParse(ce.data);
        if (!result.success) {
          const errors = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
          log.warn({ entryId, eventId: ce.id, errors, deadLetterTopic: sub.deadLetterTopic }, 'bulk entry data failed validation: DROP to dead-letter topic');
          metrics.eventsFailed.inc({ topic, reason: 'invalid_data' });
          statuses.set(entryId, 'DROP');
          continue;
        }
        data = result.data;
      }
      // RETRY until the handler says otherwise, so an entry it forgets is redelivered, never lost.
      statuses.set(entryId, 'RETRY');
      valid.push({ entryId, event: data, cloudEvent: ce, metadata: stringRecord(entry.metadata) });
    }

    if (lifecycle?.shuttingDown) log.info({ entries: statuses.size }, 'shutting down: asking the sidecar to redeliver the batch later');
    if (valid.length > 0) {
      const end = metrics.eventHandlerDuration.startTimer({ topic });
      try {
        const answered: unknown = await sub.handler(valid, { topic, logger: log });
        if (!(answered instanceof Map)) throw new Error('the bulk handler must return a Map of entryId to SUCCESS, RETRY or DROP');
        let unanswered = 0;
        for (const { entryId } of valid) {
          const outcome: unknown = answered.get(entryId);
          if (typeof outcome === 'string' && OUTCOMES.has(outcome)) statuses.set(entryId, outcome as Outcome);
          else unanswered++;
        }
        if (unanswered > 0) log.error({ unanswered }, 'bulk handler gave no valid outcome for some entries: RETRY');
      } catch (err) {
        log.error({ err, entries: valid.length }, 'bulk handler failed: RETRY for every entry');
        metrics.eventsFailed.inc({ topic, reason: 'handler_error' }, valid.length);
      } finally {
        end();
      }
    }

    const counts: Record<Outcome, number> = { SUCCESS: 0, RETRY: 0, DROP: 0 };
    for (const [entryId, status] of statuses) {
      counts[status]++;
      metrics.eventsConsumed.inc({ topic, type: types.get(entryId) ?? 'unknown', outcome: status });
      if (status === 'DROP') metrics.deadLetter.inc({ topic });
    }
    if (counts.RETRY > 0 || counts.DROP > 0) log.warn(counts, 'bulk delivery answered');
    else log.debug(counts, 'bulk delivery answered');
    return { statuses: [...statuses].map(([entryId, status]) => ({ entryId, status })) };
  }

  /**
   * A bulk route also takes a plain CloudEvent, as daprd sends when the same route is reached through a
   * subscription without bulk (a declarative Subscription, an older sidecar): it runs as a batch of one.
   */
  async function answerBulkRoute(sub: RegisteredBulk, body: unknown, lifecycle: Lifecycle | undefined): Promise<BulkAnswer | { status: Outcome }> {
    if (isBulkBody(body)) return deliverBulk(sub, body, lifecycle);
    const ce = parseCloudEvent(body);
    const context = ce.ok ? { eventId: ce.event.id, traceparent: ce.event.traceparent } : {};
    return withEventContext(context, async () => {
      const { statuses } = await deliverBulk(sub, { entries: [{ entryId: 'single', event: body }] }, lifecycle);
      return { status: statuses[0]?.status ?? 'DROP' };
    });
  }

  /** Checks the names and the route of a new subscription; the fields every kind of subscription has. */
  function placed(what: string, sub: SubscriptionBase | BulkSubscriptionBase, schema: EventSchema<unknown> | undefined): RegisteredBase {
    assertOpen(what);
    if (!NAME.test(sub.topic)) throw new Error(`topic name ${JSON.stringify(sub.topic)} must match ${NAME}`);
    if (sub.pubsubName !== undefined && !NAME.test(sub.pubsubName)) throw new Error(`pubsub name ${JSON.stringify(sub.pubsubName)} must match ${NAME}`);
    const ownPubsub = sub.pubsubName !== undefined && sub.pubsubName !== pubsubName ? sub.pubsubName : undefined;
    const route = topicRoute(sub.topic, ownPubsub);
    if (topics.has(route)) throw new Error(`topic ${sub.topic} already has a handler`);
    const deadLetterTopic = sub.deadLetterTopic ?? `${sub.topic}.dead-letter`;
    if (!NAME.test(deadLetterTopic)) throw new Error(`dead-letter topic ${JSON.stringify(deadLetterTopic)} must match ${NAME}`);
    return { topic: sub.topic, pubsubName: ownPubsub ?? pubsubName, route, deadLetterTopic, metadata: sub.metadata, schema };
  }

  const api: Subscriptions = {
    on(sub: TypedSubscription<unknown> | RawSubscription): Subscriptions {
      const base = placed(`on(${sub.topic})`, sub, sub.schema);
      if (sub.batched !== undefined) {
        if (sub.idempotency !== undefined) throw new Error(`on(${sub.topic}): batched and idempotency cannot be combined`);
        const { concurrency = 1, ...bulk } = sub.batched;
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
          throw new Error(`on(${sub.topic}): batched.concurrency must be an integer from 1 to 1000, got ${concurrency}`);
        }
        topics.set(base.route, { ...base, kind: 'bulk', bulk: bulkOptions(sub.topic, bulk), handler: perEntry(sub.topic, sub.handler, concurrency) });
        return api;
      }
      topics.set(base.route, { ...base, kind: 'single', idempotency: sub.idempotency, handler: sub.handler });
      return api;
    },

    onBulk(sub: TypedBulkSubscription<unknown> | RawBulkSubscription): Subscriptions {
      const base = placed(`onBulk(${sub.topic})`, sub, sub.schema);
      topics.set(base.route, { ...base, kind: 'bulk', bulk: bulkOptions(sub.topic, sub.bulk), handler: sub.handler });
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
        pubsubname: s.pubsubName,
        topic: s.topic,
        routes: { default: s.route },
        deadLetterTopic: s.deadLetterTopic,
        ...(s.metadata ? { metadata: s.metadata } : {}),
        ...(s.kind === 'bulk' ? { bulkSubscribe: { enabled: true as const, ...s.bulk } } : {}),
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
      const sidecarRoute = (path: string): string => {
        state?.sidecarRoutes.add(path);
        return path;
      };

      const guard = appTokenCheck({ token, logger });
      // Harmless when the app already parsed the body; needed when it did not.
      const parse = jsonBodyParser();

      app.get(sidecarRoute('/dapr/subscribe'), guard, (_req, res) => {
        res.json(api.list());
      });

      const bulkParse = express.json({ type: JSON_BODY_TYPES, limit: BULK_BODY_LIMIT });
      for (const sub of topics.values()) {
        if (sub.kind === 'bulk') {
          // The token is checked before a byte of the (large) body is read.
          useBeforeBodyParser(app, sidecarRoute(sub.route), [guard, bulkParse]);
          app.post(sub.route, guard, parse, async (req, res) => {
            const work = () => answerBulkRoute(sub, req.body as unknown, lifecycle);
            res.status(200).json(lifecycle ? await lifecycle.track(work) : await work());
          });
          // No entry can be answered without a readable body: a non-2xx status makes daprd retry every
          // entry (and dead-letter them once its retries run out), where DROP would discard them unread.
          const onBulkError: ErrorRequestHandler = (err: unknown, req, res, next) => {
            if (req.method !== 'POST' || res.headersSent) {
              next(err);
              return;
            }
            void guard(req, res, () => {
              const problem = isBodyParserError(err) ? toProblem(err) : undefined;
              if (problem) {
                logger.warn({ topic: sub.topic, err }, 'bulk delivery body cannot be read: the sidecar will retry it');
                metrics.eventsFailed.inc({ topic: sub.topic, reason: 'invalid_envelope' });
                sendProblem(req, res, problem);
                return;
              }
              logger.error({ topic: sub.topic, err }, 'unexpected error on a bulk topic route: the sidecar will retry it');
              metrics.eventsFailed.inc({ topic: sub.topic, reason: 'handler_error' });
              sendProblem(req, res, internalError('The bulk delivery could not be handled.'));
            });
          };
          app.use(sub.route, onBulkError);
          continue;
        }
        const handler: RequestHandler = async (req, res) => {
          const outcome = lifecycle ? await lifecycle.track(() => deliver(sub, req, lifecycle)) : await deliver(sub, req, lifecycle);
          respond(res, outcome);
        };
        app.post(sidecarRoute(sub.route), guard, parse, handler);
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
        const path = sidecarRoute(`/${b.name}`);
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
        { pubsubName, topics: [...topics.values()].map((t) => (t.pubsubName === pubsubName ? t.topic : `${t.pubsubName}/${t.topic}`)), bindings: [...bindings.keys()] },
        'subscription routes mounted',
      );
    },
  };
  return api;
}
