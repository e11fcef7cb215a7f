import { currentTraceparent } from './context.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/*
 * Why plain fetch against the sidecar's HTTP API and not @dapr/dapr's DaprClient:
 * - its pubsub.publish, state.save and state.delete resolve to `{ error }` instead of rejecting,
 *   so a forgotten check silently loses an event; here every non-2xx answer throws DaprError;
 * - its state.get drops the ETag, which optimistic concurrency needs;
 * - it cannot put a traceparent on one call, so events would lose our trace;
 * - invoke turns the callee's status into an exception and hides it; callers here need the status.
 * The HTTP API is small, documented and stable (v1.0), so the wrapper stays short.
 */

export class DaprError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    /** daprd's errorCode, e.g. ERR_PUBSUB_NOT_FOUND, when it sent one. */
    readonly errorCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DaprError';
  }
}

/** A first-write save or delete lost against a newer version (ETag mismatch, or the key already exists). */
export class StateConflictError extends DaprError {
  constructor(message: string, status: number | undefined, errorCode?: string) {
    super(message, status, errorCode);
    this.name = 'StateConflictError';
  }
}

export interface DaprClientOptions {
  host: string;
  httpPort: number;
  apiToken?: string | undefined;
  pubsubName: string;
  stateStoreName: string;
  /** Per call; the sidecar's own resiliency policy retries behind it. */
  timeoutMs?: number;
  metrics?: Metrics;
  logger?: Logger;
}

export interface PublishOptions {
  /** Becomes the CloudEvent id: subscribers deduplicate on it. */
  id?: string;
  /** Becomes the CloudEvent type, e.g. task.created. */
  type?: string;
  source?: string;
  /** Defaults to the current request's or event's trace. */
  traceparent?: string;
  /** Extra publish metadata, e.g. { ttlInSeconds: '60', partitionKey: 'p-1' }. */
  metadata?: Record<string, string>;
  pubsubName?: string;
}

export interface BulkPublishEntry {
  /** Unique within the request; failures are reported by it. */
  entryId: string;
  data: unknown;
  id?: string;
  type?: string;
  source?: string;
  traceparent?: string;
}

export interface BulkPublishResult {
  /** entryId -> daprd's error, for the entries the broker did not take. */
  failed: Map<string, string>;
}

export type Consistency = 'eventual' | 'strong';
export type Concurrency = 'first-write' | 'last-write';

export interface StateEntry<T> {
  value: T;
  etag: string | undefined;
}

export interface SaveStateOptions {
  /** With an etag, the save only succeeds against that exact version. */
  etag?: string;
  /** first-write without an etag means "only if the key does not exist yet". */
  concurrency?: Concurrency;
  consistency?: Consistency;
  ttlSeconds?: number;
  metadata?: Record<string, string>;
  storeName?: string;
}

export interface DeleteStateOptions {
  etag?: string;
  concurrency?: Concurrency;
  consistency?: Consistency;
  storeName?: string;
}

export interface InvokeOptions {
  httpMethod?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface BindingResult<T = unknown> {
  /** The target's status where the binding passes it through (HTTP binding with errorIfNot2XX=false), else daprd's. */
  status: number;
  headers: Headers;
  body: T;
}

export interface InvokeResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * Escapes one path segment exactly as Go's net/url would. daprd routes with chi, which matches on the
 * raw path whenever the client's escaping differs from Go's own, and then hands the still-escaped text
 * over as the key: `a:b` sent as `a%3Ab` would be read as the key "a%3Ab", not "a:b".
 */
export function daprPathSegment(segment: string): string {
  if (segment === '' || segment === '.' || segment === '..' || segment.includes('/')) {
    throw new DaprError(`${JSON.stringify(segment)} cannot be used as a sidecar URL segment`, undefined);
  }
  let out = '';
  for (const byte of new TextEncoder().encode(segment)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~$&+,:;=@]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function withMetadata(url: URL, metadata: Record<string, string> | undefined): URL {
  for (const [k, v] of Object.entries(metadata ?? {})) url.searchParams.set(`metadata.${k}`, v);
  return url;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (/[/+]json\b/i.test(type)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export class DaprClient {
  readonly baseUrl: string;
  readonly pubsubName: string;
  readonly stateStoreName: string;
  readonly #apiToken: string | undefined;
  readonly #timeoutMs: number;
  readonly #metrics: Metrics | undefined;
  readonly #logger: Logger | undefined;

  constructor(opts: DaprClientOptions) {
    this.baseUrl = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.httpPort}`;
    this.pubsubName = opts.pubsubName;
    this.stateStoreName = opts.stateStoreName;
    this.#apiToken = opts.apiToken;
    this.#timeoutMs = opts.timeoutMs ?? 5000;
    this.#metrics = opts.metrics;
    this.#logger = opts.logger;
  }

  #url(path: string): URL {
    return new URL(path, this.baseUrl);
  }

  async #fetch(url: URL, init: { method: string; body?: string; headers?: Record<string, string>; traceparent?: string | undefined }): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.#apiToken) headers['dapr-api-token'] = this.#apiToken;
    const traceparent = init.traceparent ?? currentTraceparent();
    if (traceparent) headers['traceparent'] = traceparent;
    try {
      return await fetch(url, {
        method: init.method,
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new DaprError(`sidecar call ${init.method} ${url.pathname} failed: ${(err as Error).message}`, undefined, undefined, { cause: err });
    }
  }

  async #fail(res: Response, what: string, conflictPossible = false): Promise<never> {
    const body = await readBody(res).catch(() => undefined);
    const b = (typeof body === 'object' && body !== null ? body : {}) as { errorCode?: unknown; message?: unknown };
    const errorCode = typeof b.errorCode === 'string' ? b.errorCode : undefined;
    const detail = typeof b.message === 'string' ? b.message : typeof body === 'string' ? body : '';
    const message = `${what} failed with HTTP ${res.status}${errorCode ? ` ${errorCode}` : ''}${detail ? `: ${detail}` : ''}`;
    // daprd answers 409 for an ETag mismatch; some stores still surface it as a 500 that says so.
    if (conflictPossible && (res.status === 409 || /etag|already exists|duplicate/i.test(detail))) {
      throw new StateConflictError(message, res.status, errorCode);
    }
    throw new DaprError(message, res.status, errorCode);
  }

  /**
   * Publishes JSON data; the sidecar wraps it in a CloudEvent whose id/type/source/traceparent we set
   * through `metadata.cloudevent.*`. Resolves only once the sidecar accepted it; any failure throws.
   */
  async publish(topic: string, data: unknown, opts: PublishOptions = {}): Promise<void> {
    const pubsub = opts.pubsubName ?? this.pubsubName;
    const traceparent = opts.traceparent ?? currentTraceparent();
    const metadata: Record<string, string> = { ...opts.metadata };
    if (opts.id) metadata['cloudevent.id'] = opts.id;
    if (opts.type) metadata['cloudevent.type'] = opts.type;
    if (opts.source) metadata['cloudevent.source'] = opts.source;
    if (traceparent) metadata['cloudevent.traceparent'] = traceparent;
    const url = withMetadata(this.#url(`/v1.0/publish/${daprPathSegment(pubsub)}/${daprPathSegment(topic)}`), metadata);
    const type = opts.type ?? 'unknown';
    try {
      const res = await this.#fetch(url, {
        method: 'POST',
        body: JSON.stringify(data),
        headers: { 'content-type': 'application/json' },
        traceparent,
      });
      if (!res.ok) await this.#fail(res, `publish to ${pubsub}/${topic}`);
      await res.body?.cancel();
    } catch (err) {
      this.#metrics?.eventsFailed.inc({ topic, reason: 'publish_error' });
      this.#logger?.error({ err, topic, eventType: type, publishedEventId: opts.id }, 'publish failed');
      throw err;
    }
    this.#metrics?.eventsPublished.inc({ topic, type });
  }

  /**
   * One request for many events (daprd's bulk publish API). daprd answers which entries failed; those
   * come back so the caller retries exactly them and marks the rest as sent. A failure of the whole
   * request (sidecar down, 4xx) throws like publish does.
   */
  async publishBulk(topic: string, entries: readonly BulkPublishEntry[], opts: { pubsubName?: string } = {}): Promise<BulkPublishResult> {
    const pubsub = opts.pubsubName ?? this.pubsubName;
    if (entries.length === 0) return { failed: new Map() };
    const body = entries.map((e) => {
      const metadata: Record<string, string> = {};
      if (e.id) metadata['cloudevent.id'] = e.id;
      if (e.type) metadata['cloudevent.type'] = e.type;
      if (e.source) metadata['cloudevent.source'] = e.source;
      if (e.traceparent) metadata['cloudevent.traceparent'] = e.traceparent;
      return { entryId: e.entryId, event: e.data, contentType: 'application/json', metadata };
    });
    const url = this.#url(`/v1.0-alpha1/publish/bulk/${daprPathSegment(pubsub)}/${daprPathSegment(topic)}`);
    let failed = new Map<string, string>();
    try {
      const res = await this.#fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      if (res.status === 500) {
        // Partial (or total) failure of the broker publish: daprd lists the failed entries.
        const text = await res.text();
        const parsed = safeJson(text) as { failedEntries?: { entryId?: unknown; error?: unknown }[] } | undefined;
        if (!parsed?.failedEntries) throw new DaprError(`bulk publish to ${pubsub}/${topic} failed: 500 ${text.slice(0, 500)}`, 500);
        failed = new Map(parsed.failedEntries.map((f) => [String(f.entryId), typeof f.error === 'string' ? f.error : 'unknown error']));
      } else if (!res.ok) {
        await this.#fail(res, `bulk publish to ${pubsub}/${topic}`);
      } else {
        await res.body?.cancel();
      }
    } catch (err) {
      this.#metrics?.eventsFailed.inc({ topic, reason: 'publish_error' }, entries.length);
      this.#logger?.error({ err, topic, entries: entries.length }, 'bulk publish failed');
      throw err;
    }
    for (const e of entries) {
      if (failed.has(e.entryId)) this.#metrics?.eventsFailed.inc({ topic, reason: 'publish_error' });
      else this.#metrics?.eventsPublished.inc({ topic, type: e.type ?? 'unknown' });
    }
    if (failed.size > 0) this.#logger?.warn({ topic, failed: failed.size, of: entries.length }, 'bulk publish: some entries failed');
    return { failed };
  }

  #stateUrl(storeName: string | undefined, key?: string): URL {
    const store = daprPathSegment(storeName ?? this.stateStoreName);
    return this.#url(`/v1.0/state/${store}${key !== undefined ? `/${daprPathSegment(key)}` : ''}`);
  }

  /** undefined when the key does not exist. */
  async getState<T = unknown>(
    key: string,
    opts: { consistency?: Consistency; metadata?: Record<string, string>; storeName?: string } = {},
  ): Promise<StateEntry<T> | undefined> {
    const url = withMetadata(this.#stateUrl(opts.storeName, key), opts.metadata);
    if (opts.consistency) url.searchParams.set('consistency', opts.consistency);
    const res = await this.#fetch(url, { method: 'GET' });
    if (res.status === 204 || res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) return this.#fail(res, `get state ${key}`);
    const text = await res.text();
    if (text === '') return undefined;
    let value: T;
    try {
      value = JSON.parse(text) as T;
    } catch {
      value = text as T;
    }
    return { value, etag: res.headers.get('etag') ?? undefined };
  }

  /** Throws StateConflictError when an etag or first-write condition is not met. */
  async saveState(key: string, value: unknown, opts: SaveStateOptions = {}): Promise<void> {
    const metadata: Record<string, string> = { ...opts.metadata };
    if (opts.ttlSeconds !== undefined) metadata['ttlInSeconds'] = String(Math.max(1, Math.ceil(opts.ttlSeconds)));
    const item: Record<string, unknown> = { key, value };
    if (opts.etag !== undefined) item['etag'] = opts.etag;
    if (Object.keys(metadata).length > 0) item['metadata'] = metadata;
    if (opts.concurrency || opts.consistency) {
      item['options'] = {
        ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
        ...(opts.consistency ? { consistency: opts.consistency } : {}),
      };
    }
    const res = await this.#fetch(this.#stateUrl(opts.storeName), {
      method: 'POST',
      body: JSON.stringify([item]),
      headers: { 'content-type': 'application/json' },
    });
    if (!res.ok) await this.#fail(res, `save state ${key}`, opts.etag !== undefined || opts.concurrency === 'first-write');
    await res.body?.cancel();
  }

  async deleteState(key: string, opts: DeleteStateOptions = {}): Promise<void> {
    const url = this.#stateUrl(opts.storeName, key);
    if (opts.concurrency) url.searchParams.set('concurrency', opts.concurrency);
    if (opts.consistency) url.searchParams.set('consistency', opts.consistency);
    const headers: Record<string, string> = {};
    if (opts.etag !== undefined) headers['If-Match'] = opts.etag;
    const res = await this.#fetch(url, { method: 'DELETE', headers });
    if (!res.ok) await this.#fail(res, `delete state ${key}`, opts.etag !== undefined);
    await res.body?.cancel();
  }

  /**
   * Service invocation through the sidecar. Returns the callee's status and parsed body as they are;
   * only a failure to reach the sidecar throws, so callers can map 404/409 from the callee themselves.
   */
  async invoke<T = unknown>(appId: string, method: string, opts: InvokeOptions = {}): Promise<InvokeResult<T>> {
    const path = method.replace(/^\/+/, '');
    const url = this.#url(`/v1.0/invoke/${daprPathSegment(appId)}/method/${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = typeof opts.body === 'string' ? 'text/plain' : 'application/json';
      }
    }
    const res = await this.#fetch(url, {
      method: (opts.httpMethod ?? (body !== undefined ? 'POST' : 'GET')).toUpperCase(),
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    return { status: res.status, headers: res.headers, body: (await readBody(res)) as T };
  }

  /**
   * Calls an output binding. The target's answer comes back whatever its status, so the caller can read
   * an upstream error body (e.g. a push provider's "token unregistered"); only a failure of daprd itself
   * (its `ERR_*` error codes: unknown binding, component error) or of the call throws.
   */
  async invokeBinding<T = unknown>(name: string, operation: string, data: unknown, metadata: Record<string, string> = {}): Promise<BindingResult<T>> {
    const url = this.#url(`/v1.0/bindings/${daprPathSegment(name)}`);
    const res = await this.#fetch(url, {
      method: 'POST',
      body: JSON.stringify({ operation, data, metadata }),
      headers: { 'content-type': 'application/json' },
    });
    const body = await readBody(res);
    const errorCode = (body as { errorCode?: unknown } | undefined)?.errorCode;
    if (!res.ok && typeof errorCode === 'string' && errorCode.startsWith('ERR_')) {
      const message = (body as { message?: unknown }).message;
      throw new DaprError(`binding ${name}/${operation} failed with HTTP ${res.status} ${errorCode}${typeof message === 'string' ? `: ${message}` : ''}`, res.status, errorCode);
    }
    return { status: res.status, headers: res.headers, body: body as T };
  }

  /** True when the sidecar is up and its components are ready for outbound calls. */
  async healthy(): Promise<boolean> {
    try {
      const res = await this.#fetch(this.#url('/v1.0/healthz/outbound'), { method: 'GET' });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Polls the sidecar until it answers healthy; throws after timeoutMs. */
  async waitForSidecar(timeoutMs = 30_000, intervalMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.healthy()) return;
      if (Date.now() + intervalMs > deadline) {
        throw new DaprError(`sidecar at ${this.baseUrl} not healthy after ${timeoutMs}ms`, undefined);
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export function createDaprClient(opts: DaprClientOptions): DaprClient {
  return new DaprClient(opts);
}

/** Builds the client from the shared config so apps do not repeat the mapping. */
export function daprClientFromConfig(
  config: { DAPR_HOST: string; DAPR_HTTP_PORT: number; DAPR_API_TOKEN?: string | undefined; PUBSUB_NAME: string; STATESTORE_NAME: string },
  extra: { metrics?: Metrics; logger?: Logger; timeoutMs?: number } = {},
): DaprClient {
  return new DaprClient({
    host: config.DAPR_HOST,
    httpPort: config.DAPR_HTTP_PORT,
    apiToken: config.DAPR_API_TOKEN,
    pubsubName: config.PUBSUB_NAME,
    stateStoreName: config.STATESTORE_NAME,
    ...extra,
  });
}

/** Readiness check: the sidecar answers GET /v1.0/healthz/outbound with 2xx. */
export function sidecarReadinessCheck(client: DaprClient, timeoutMs?: number) {
  return {
    name: 'sidecar',
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    check: async () => {
      if (!(await client.healthy())) throw new Error('sidecar not healthy');
    },
  };
}
