import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Stands in for daprd (and the broker behind it) in component tests, for several apps at once:
 * - publish and bulk publish are recorded and delivered, asynchronously and in order per topic and
 *   subscriber, to each subscriber's topic route as a CloudEvent; RETRY (or an error) is redelivered after a
 *   short pause, DROP goes to the dead letters, like a resiliency policy with a dead-letter topic;
 * - service invocation is forwarded to the target app's real HTTP server (the real tasks app), and answers
 *   like daprd (500 ERR_DIRECT_INVOKE) while the target is made unreachable.
 * The real sidecar and brokers are covered by the e2e suites.
 */

export interface PublishedEvent {
  topic: string;
  id: string;
  type: string;
  source: string;
  data: unknown;
}

export interface Invocation {
  appId: string;
  method: string;
  path: string;
  status: number;
}

type Outcome = 'SUCCESS' | 'RETRY' | 'DROP';

export interface FakeSidecar {
  port: number;
  published: PublishedEvent[];
  invocations: Invocation[];
  deadLetters: PublishedEvent[];
  /** Service invocation of `appId` goes to this base URL. */
  route(appId: string, url: string): void;
  /** Events on `topic` are delivered to `${appUrl}/events/${topic}`. */
  subscribe(topic: string, appUrl: string): void;
  /** While false, invoking `appId` fails the way daprd fails when the app is down. */
  setReachable(appId: string, reachable: boolean): void;
  /** Delivers an event once more to every subscriber of its topic, as a broker redelivery would; answers their outcomes. */
  redeliver(event: PublishedEvent): Promise<Outcome[]>;
  /** Resolves once nothing was published, delivered or invoked for `quietMs` and no delivery is waiting. */
  idle(quietMs?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const RETRY_PAUSE_MS = 100;
const MAX_ATTEMPTS = 100;

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function metadataOf(params: URLSearchParams): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [k, v] of params) if (k.startsWith('metadata.')) metadata[k.slice('metadata.'.length)] = v;
  return metadata;
}

function eventOf(topic: string, data: unknown, metadata: Record<string, string>): PublishedEvent {
  return {
    topic,
    id: metadata['cloudevent.id'] ?? crypto.randomUUID(),
    type: metadata['cloudevent.type'] ?? 'com.dapr.event.sent',
    source: metadata['cloudevent.source'] ?? 'unknown',
    data,
  };
}

export async function startFakeSidecar(): Promise<FakeSidecar> {
  const published: PublishedEvent[] = [];
  const invocations: Invocation[] = [];
  const deadLetters: PublishedEvent[] = [];
  const apps = new Map<string, string>();
  const unreachable = new Set<string>();
  const subscribers = new Map<string, string[]>();
  // One chain per (topic, subscriber): deliveries stay in publish order, as on a partition or a stream.
  const chains = new Map<string, Promise<void>>();
  let pending = 0;
  let lastActivity = Date.now();
  let closed = false;

  const touch = () => {
    lastActivity = Date.now();
  };

  async function deliverOnce(event: PublishedEvent, appUrl: string): Promise<Outcome> {
    const envelope = { specversion: '1.0', id: event.id, source: event.source, type: event.type, datacontenttype: 'application/json', topic: event.topic, pubsubname: 'pubsub', data: event.data };
    try {
      const res = await fetch(`${appUrl}/events/${event.topic}`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(envelope),
      });
      const body = (await res.json().catch(() => ({}))) as { status?: Outcome };
      return res.ok ? (body.status ?? 'SUCCESS') : 'RETRY';
    } catch {
      return 'RETRY';
    } finally {
      touch();
    }
  }

  async function deliver(event: PublishedEvent, appUrl: string): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && !closed; attempt++) {
      const outcome = await deliverOnce(event, appUrl);
      if (outcome === 'SUCCESS') return;
      if (outcome === 'DROP') break;
      await sleep(RETRY_PAUSE_MS);
    }
    deadLetters.push(event);
  }

  function enqueue(event: PublishedEvent): void {
    published.push(event);
    touch();
    for (const appUrl of subscribers.get(event.topic) ?? []) {
      const key = `${event.topic} ${appUrl}`;
      pending++;
      const next = (chains.get(key) ?? Promise.resolve()).then(() => deliver(event, appUrl)).finally(() => {
        pending--;
        touch();
      });
      chains.set(key, next);
    }
  }

  async function forward(req: IncomingMessage, res: ServerResponse, appId: string, rest: string, search: string): Promise<void> {
    const target = apps.get(appId);
    const method = req.method ?? 'GET';
    const body = await readText(req);
    if (target === undefined || unreachable.has(appId)) {
      invocations.push({ appId, method, path: `/${rest}`, status: 500 });
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: 'ERR_DIRECT_INVOKE', message: `app ${appId} is not reachable` }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization', 'idempotency-key', 'if-match', 'traceparent']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await fetch(`${target}/${rest}${search}`, { method, headers, ...(body !== '' ? { body } : {}) });
    const text = await answer.text();
    invocations.push({ appId, method, path: `/${rest}`, status: answer.status });
    const out: Record<string, string> = {};
    for (const name of ['content-type', 'etag', 'location', 'idempotent-replayed']) {
      const value = answer.headers.get(name);
      if (value !== null) out[name] = value;
    }
    res.writeHead(answer.status, out).end(text);
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      touch();
      const url = new URL(req.url ?? '/', 'http://sidecar');
      if (req.method === 'GET' && url.pathname === '/v1.0/healthz/outbound') {
        res.writeHead(204).end();
        return;
      }
      const invoke = /^\/v1\.0\/invoke\/([^/]+)\/method\/(.*)$/.exec(url.pathname);
      if (invoke) {
        await forward(req, res, decodeURIComponent(invoke[1] ?? ''), invoke[2] ?? '', url.search);
        return;
      }
      const bulk = /^\/v1\.0-alpha1\/publish\/bulk\/[^/]+\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && bulk) {
        const entries = JSON.parse(await readText(req)) as Array<{ event: unknown; metadata?: Record<string, string> }>;
        for (const entry of entries) enqueue(eventOf(decodeURIComponent(bulk[1] ?? ''), entry.event, entry.metadata ?? {}));
        res.writeHead(204).end();
        return;
      }
      const single = /^\/v1\.0\/publish\/[^/]+\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && single) {
        enqueue(eventOf(decodeURIComponent(single[1] ?? ''), JSON.parse(await readText(req)) as unknown, metadataOf(url.searchParams)));
        res.writeHead(204).end();
        return;
      }
      res.writeHead(404).end();
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: 'ERR_FAKE_SIDECAR', message: String(err) }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    published,
    invocations,
    deadLetters,
    route(appId, url) {
      apps.set(appId, url);
    },
    subscribe(topic, appUrl) {
      subscribers.set(topic, [...(subscribers.get(topic) ?? []), appUrl]);
    },
    setReachable(appId, reachable) {
      if (reachable) unreachable.delete(appId);
      else unreachable.add(appId);
    },
    async redeliver(event) {
      return Promise.all((subscribers.get(event.topic) ?? []).map((appUrl) => deliverOnce(event, appUrl)));
    },
    async idle(quietMs = 400, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (pending > 0 || Date.now() - lastActivity < quietMs) {
        if (Date.now() > deadline) throw new Error(`fake sidecar not idle after ${timeoutMs}ms (${pending} deliveries pending)`);
        await sleep(25);
      }
    },
    async close() {
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
