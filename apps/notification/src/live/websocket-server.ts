import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { HttpProblem, PROBLEM_CONTENT_TYPE, type Auth, type Logger } from '@lifeline/kit';
import type { LiveHub } from './live-hub.ts';

/** Under the app's own name, like its other routes: the gateway maps /api/v1/notification/... here. */
export const LIVE_PATH = '/notification/ws';
// Clients only listen; anything they send is small or a mistake.
const MAX_CLIENT_FRAME = 4096;
const CLOSE_GRACE_MS = 1000;

/** The token from `Authorization: Bearer` (preferred) or `?access_token=` (browsers cannot set headers on a WebSocket). */
function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] ?? '';
  return url.searchParams.get('access_token') ?? undefined;
}

/** The token's `exp` (already verified) in epoch ms, so the socket can close when the token would no longer be accepted. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Answers the upgrade request with a plain HTTP problem+json and closes the connection. */
function refuse(socket: Duplex, problem: HttpProblem, instance: string): void {
  const body = JSON.stringify(problem.toDocument(instance));
  const headers = [
    `HTTP/1.1 ${problem.status} ${problem.title}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(problem.headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

export interface LiveSocketServer {
  /** Stops taking sockets, says goodbye to the open ones and cuts them after a short grace. */
  close(): Promise<void>;
}

/**
 * Serves `GET /notification/ws` upgrades on the app's own HTTP server (no second port): the JWT is verified with the
 * kit's auth before the handshake completes, so an unauthenticated client never holds a socket, and the
 * socket is closed (4401) when the token expires.
 */
export function attachLiveSockets(server: Server, opts: { auth: Auth; hub: LiveHub; logger: Logger }): LiveSocketServer {
  const { auth, hub, logger } = opts;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    socket.on('error', (err) => logger.debug({ err }, 'upgrade socket error'));
    if (url.pathname !== LIVE_PATH) {
      refuse(socket, new HttpProblem({ status: 404, type: 'not-found', title: 'Not Found', detail: `No WebSocket endpoint at ${url.pathname}.` }), url.pathname);
      return;
    }
    if (hub.closed) {
      refuse(socket, new HttpProblem({ status: 503, type: 'service-unavailable', title: 'Service Unavailable', detail: 'The service is shutting down.' }), LIVE_PATH);
      return;
    }
    const token = tokenOf(req, url);
    if (token === undefined || token === '') {
      const detail = token === undefined ? 'A bearer token is required (Authorization header or access_token).' : 'The Authorization header is not a bearer token.';
      refuse(socket, new HttpProblem({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail, headers: { 'WWW-Authenticate': 'Bearer realm="lifeline"' } }), LIVE_PATH);
      return;
    }
    auth.verify(token).then(
      (caller) => {
        wss.handleUpgrade(req, socket, head, (ws) => {
          logger.debug({ userId: caller.userId }, 'websocket connected');
          hub.add(caller.userId, ws, expiryOf(token));
        });
      },
      (err: unknown) => {
        if (err instanceof HttpProblem) refuse(socket, err, LIVE_PATH);
        else {
          logger.error({ err }, 'websocket authentication failed unexpectedly');
          socket.destroy();
        }
      },
    );
  };
  server.on('upgrade', onUpgrade);

  return {
    async close() {
      server.off('upgrade', onUpgrade);
      hub.close();
      // Well-behaved clients answer the close frame at once; the rest are cut after the grace period.
      const until = Date.now() + CLOSE_GRACE_MS;
      while (hub.connections > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      hub.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
