import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';

export interface Frame {
  type: string;
  [k: string]: unknown;
}

/** A WebSocket client that collects every frame the server writes. */
export interface LiveClient {
  socket: WebSocket;
  frames: Frame[];
  notifications(): Array<{ id: string; title: string; kind: string; data: Record<string, string> }>;
  waitForNotifications(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function wsUrl(appUrl: string, query = ''): string {
  return `${appUrl.replace(/^http/, 'ws')}/notification/ws${query}`;
}

/** Connects and waits for the server's `ready` frame, i.e. until the socket is registered for its user. */
export async function connectLive(appUrl: string, opts: { authorization?: string; query?: string; autoPong?: boolean }): Promise<LiveClient> {
  const socket = new WebSocket(wsUrl(appUrl, opts.query), { headers: opts.authorization ? { authorization: opts.authorization } : {}, autoPong: opts.autoPong ?? true });
  const frames: Frame[] = [];
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8')) as Frame));
  await once(socket, 'open');
  const deadline = Date.now() + 5000;
  while (!frames.some((f) => f.type === 'ready')) {
    if (Date.now() > deadline) throw new Error('no ready frame');
    await new Promise((r) => setTimeout(r, 10));
  }
  const notifications = () => frames.filter((f) => f.type === 'notification').map((f) => f.notification as ReturnType<LiveClient['notifications']>[number]);
  return {
    socket,
    frames,
    notifications,
    // Arrival is what is tested, not its speed: the first notification of a file, on a CPU-starved CI
    // machine, once took 5.8 s (the app, its relay and the fake sidecar all warming up at once).
    async waitForNotifications(count, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (notifications().length < count) {
        if (Date.now() > until) throw new Error(`expected ${count} notifications, got ${notifications().length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      if (socket.readyState === socket.CLOSED) return;
      socket.close();
      await once(socket, 'close');
    },
  };
}

/** Tries an upgrade that the server should refuse; resolves with its HTTP status and body. */
export async function refusedUpgrade(appUrl: string, opts: { authorization?: string; path?: string; query?: string }): Promise<{ status: number; contentType: string; body: Record<string, unknown> }> {
  const url = `${appUrl.replace(/^http/, 'ws')}${opts.path ?? '/notification/ws'}${opts.query ?? ''}`;
  const socket = new WebSocket(url, { headers: opts.authorization ? { authorization: opts.authorization } : {} });
  socket.on('error', () => undefined);
  const [, res] = (await once(socket, 'unexpected-response')) as [unknown, IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return {
    status: res.statusCode ?? 0,
    contentType: String(res.headers['content-type']),
    body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
  };
}
