import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stands in for daprd's service invocation to the location app (issue 12, not built yet): answers the two
 * lookups a raise makes, or hangs to show the raise does not wait. Everything else is 404, like an app that
 * has no such route.
 */
export interface LocationSidecar {
  port: number;
  /** Per person: the latest position and trail points it answers; absent: 404. */
  people: Map<string, { latest: unknown; trail: unknown[] }>;
  hang: boolean;
  calls: Array<{ path: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

export async function startLocationSidecar(): Promise<LocationSidecar> {
  const state: LocationSidecar = { port: 0, people: new Map(), hang: false, calls: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sidecar');
    if (url.pathname === '/v1.0/healthz/outbound') {
      res.writeHead(204).end();
      return;
    }
    state.calls.push({ path: url.pathname, authorization: req.headers.authorization });
    if (state.hang) return;
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
