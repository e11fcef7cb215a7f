import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stands in for daprd's service invocation to the location app: answers the two lookups a raise makes and
 * the distances a nearest-first tier asks for, or hangs to show nothing waits on it. Everything else is 404,
 * like an app that has no such route. (e2e/emergency.test.ts runs the real location app.)
 */
export interface LocationSidecar {
  port: number;
  /** Per person: the latest position and trail points it answers; absent: 404. */
  people: Map<string, { latest: unknown; trail: unknown[] }>;
  hang: boolean;
  /** Per person: metres to each user it answers for `internal/people/{id}/distances` (absent users: null). */
  distances: Map<string, Map<string, number | null>>;
  /** Only the distances route hangs (the raise's lookups still answer). */
  hangDistances: boolean;
  calls: Array<{ path: string; authorization: string | undefined; body?: unknown }>;
  close(): Promise<void>;
}

export async function startLocationSidecar(): Promise<LocationSidecar> {
  const state: LocationSidecar = { port: 0, people: new Map(), hang: false, distances: new Map(), hangDistances: false, calls: [], close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sidecar');
    if (url.pathname === '/v1.0/healthz/outbound') {
      res.writeHead(204).end();
      return;
    }
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body = text === '' ? undefined : (JSON.parse(text) as unknown);
    state.calls.push({ path: url.pathname, authorization: req.headers.authorization, body });
    if (state.hang) return;
    const d = /^\/v1\.0\/invoke\/location\/method\/internal\/people\/([^/]+)\/distances$/.exec(url.pathname);
    if (d && req.method === 'POST') {
      if (state.hangDistances) return;
      const known = state.distances.get(decodeURIComponent(d[1] ?? '')) ?? new Map<string, number | null>();
      const userIds = (body as { userIds: string[] }).userIds;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: userIds.map((userId) => ({ userId, distanceM: known.get(userId) ?? null })) }));
      return;
    }
    const m = /^\/v1\.0\/invoke\/location\/method\/location\/people\/([^/]+)\/(latest|trail)$/.exec(url.pathname);
    const person = m ? state.people.get(decodeURIComponent(m[1] ?? '')) : undefined;
    if (!m || person === undefined) {
      res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(m[2] === 'latest' ? person.latest : { items: person.trail }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.port = (server.address() as AddressInfo).port;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
