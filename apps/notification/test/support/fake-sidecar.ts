import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stands in for daprd where component tests have none: answers the health probe, records every publish
 * (single and bulk, one record per event) and, like the per-replica fan-out component, delivers each
 * publish on the fan-out pub/sub to every registered app instance as a CloudEvent. The real sidecar and
 * brokers are covered by the e2e suites.
 */
export interface Published {
  pubsub: string;
  topic: string;
  metadata: Record<string, string>;
  body: unknown;
}

export interface FakeSidecar {
  port: number;
  published: Published[];
  /** Events published on `pubsub` (the outbox relay's), parsed as contract events. */
  events(type?: string): Array<{ id: string; type: string; data: Record<string, unknown> }>;
  /** Where fan-out publishes go: each instance's URL and the topic route it serves. */
  addFanoutTarget(appUrl: string): void;
  /** Fails the next `times` single publishes to this topic with a 500. */
  failPublishes(topic: string, times: number): void;
  /** Resolves once `count` events of the type were published (or fails after timeoutMs). */
  waitForEvents(type: string, count: number, timeoutMs?: number): Promise<Array<{ id: string; type: string; data: Record<string, unknown> }>>;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export async function startFakeSidecar(opts: { fanoutPubsub: string; appToken?: string }): Promise<FakeSidecar> {
  const published: Published[] = [];
  const targets: string[] = [];
  const failures = new Map<string, number>();
  const events = (type?: string) =>
    published
      .filter((p) => p.pubsub === 'pubsub')
      .map((p) => p.body as { id: string; type: string; data: Record<string, unknown> })
      .filter((e) => type === undefined || e.type === type);

  const fanOut = (topic: string, metadata: Record<string, string>, body: unknown) => {
    const cloudEvent = {
      specversion: '1.0',
      id: metadata['cloudevent.id'] ?? randomUUID(),
      source: 'notification',
      type: metadata['cloudevent.type'] ?? 'com.dapr.event.sent',
      datacontenttype: 'application/json',
      topic,
      pubsubname: opts.fanoutPubsub,
      data: body,
    };
    for (const url of targets) {
      void fetch(`${url}/events/${opts.fanoutPubsub}/${topic}`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', ...(opts.appToken ? { 'dapr-api-token': opts.appToken } : {}) },
        body: JSON.stringify(cloudEvent),
      }).then((res) => res.body?.cancel(), () => undefined);
    }
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sidecar');
      if (req.method === 'GET' && url.pathname === '/v1.0/healthz/outbound') {
        res.writeHead(204).end();
        return;
      }
      const bulk = /^\/v1\.0-alpha1\/publish\/bulk\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && bulk) {
        const entries = (await readJson(req)) as Array<{ event: unknown; metadata?: Record<string, string> }>;
        for (const entry of entries) published.push({ pubsub: bulk[1] ?? '', topic: bulk[2] ?? '', metadata: entry.metadata ?? {}, body: entry.event });
        res.writeHead(204).end();
        return;
      }
      const single = /^\/v1\.0\/publish\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method !== 'POST' || !single) {
        res.writeHead(404).end();
        return;
      }
      const [pubsub = '', topic = ''] = [single[1], single[2]];
      const metadata: Record<string, string> = {};
      for (const [k, v] of url.searchParams) if (k.startsWith('metadata.')) metadata[k.slice('metadata.'.length)] = v;
      const body = await readJson(req);
      const failing = failures.get(topic) ?? 0;
      if (failing > 0) {
        failures.set(topic, failing - 1);
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE', message: 'broker unavailable' }));
        return;
      }
      published.push({ pubsub, topic, metadata, body });
      res.writeHead(204).end();
      if (pubsub === opts.fanoutPubsub) fanOut(topic, metadata, body);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    published,
    events,
    addFanoutTarget(appUrl) {
      targets.push(appUrl);
    },
    failPublishes(topic, times) {
      failures.set(topic, times);
    },
    async waitForEvents(type, count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (events(type).length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} ${type} events, got ${events(type).length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return events(type);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
