import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stands in for daprd at unit level: answers the outbound health probe and records publish calls, one
 * per event whether it came alone or in a bulk publish.
 * The real sidecar is covered by the e2e suites.
 */
export interface PublishCall {
  pubsub: string;
  topic: string;
  metadata: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The status this recorder answered with. */
  status: number;
}

export interface SidecarRecorder {
  port: number;
  calls: PublishCall[];
  /** Calls the recorder answered 2xx: what the sidecar would actually have accepted. */
  accepted(): PublishCall[];
  /** Decides the answer to each publish (may take its time, like a slow broker); default 204. */
  respondWith(status: (call: Omit<PublishCall, 'status'>) => number | Promise<number>): void;
  /** Resolves once `count` publishes were accepted. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<PublishCall[]>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export async function startSidecarRecorder(port = 0): Promise<SidecarRecorder> {
  const calls: PublishCall[] = [];
  let decide: (call: Omit<PublishCall, 'status'>) => number | Promise<number> = () => 204;
  const waiters: Array<() => void> = [];
  const accepted = () => calls.filter((c) => c.status >= 200 && c.status < 300);

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://sidecar');
      if (req.method === 'GET' && url.pathname === '/v1.0/healthz/outbound') {
        res.writeHead(204).end();
        return;
      }
      const bulk = /^\/v1\.0-alpha1\/publish\/bulk\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'POST' && bulk) {
        // daprd's bulk publish: one answer per entry; failed entries are listed in a 500.
        const entries = (await readBody(req)) as { entryId: string; event: unknown; metadata?: Record<string, string> }[];
        const failed: { entryId: string; error: string }[] = [];
        for (const entry of entries) {
          const call = { pubsub: decodeURIComponent(bulk[1] ?? ''), topic: decodeURIComponent(bulk[2] ?? ''), metadata: entry.metadata ?? {}, headers: req.headers, body: entry.event };
          const status = await decide(call);
          calls.push({ ...call, status });
          if (status >= 400) failed.push({ entryId: entry.entryId, error: 'broker unavailable' });
        }
        if (failed.length > 0) {
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ failedEntries: failed, errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' }));
        } else {
          res.writeHead(204).end();
        }
        for (const w of waiters.splice(0)) w();
        return;
      }
      const m = /^\/v1\.0\/publish\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) {
        res.writeHead(404).end();
        return;
      }
      const metadata: Record<string, string> = {};
      for (const [k, v] of url.searchParams) if (k.startsWith('metadata.')) metadata[k.slice('metadata.'.length)] = v;
      const call = { pubsub: decodeURIComponent(m[1] ?? ''), topic: decodeURIComponent(m[2] ?? ''), metadata, headers: req.headers, body: await readBody(req) };
      const status = await decide(call);
      calls.push({ ...call, status });
      if (status >= 400) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE', message: 'broker unavailable' }));
      } else {
        res.writeHead(status).end();
      }
      for (const w of waiters.splice(0)) w();
    })();
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');

  return {
    port: (server.address() as AddressInfo).port,
    calls,
    accepted,
    respondWith(fn) {
      decide = fn;
    },
    async waitForAccepted(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (accepted().length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} accepted publishes, got ${accepted().length} (of ${calls.length} calls)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 100));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return accepted();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on: the sidecar is "down". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
