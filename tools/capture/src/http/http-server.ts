import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaptureProblem, notFoundProblem, type Reply } from './reply.ts';
import { readJsonBody } from './request-body.ts';
import { resolve, type Route } from './router.ts';

export interface HttpListenerOptions {
  host: string;
  port: number;
  onError: (err: unknown) => void;
}

export interface HttpListener {
  port: number;
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 2000;

async function answer(routes: readonly Route[], req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://capture.invalid');
  let resolution;
  try {
    resolution = resolve(routes, req.method ?? 'GET', url.pathname);
  } catch (err) {
    if (!(err instanceof URIError)) throw err;
    throw new CaptureProblem(400, 'bad-request', 'Bad Request', `The path ${url.pathname} is not validly percent-encoded.`);
  }
  switch (resolution.kind) {
    case 'not-found':
      throw notFoundProblem(`No route for ${req.method} ${url.pathname}.`, 'route-not-found');
    case 'wrong-method':
      throw new CaptureProblem(405, 'method-not-allowed', 'Method Not Allowed', `${url.pathname} does not answer ${req.method}.`, undefined, {
        allow: resolution.allowed.join(', '),
      });
    case 'found':
      return resolution.handler({ params: resolution.params, query: url.searchParams, json: () => readJsonBody(req) });
  }
}

function write(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  headers['content-type'] = reply.contentType ?? 'application/json';
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers).end(payload);
}

export async function startHttpListener(routes: readonly Route[], options: HttpListenerOptions): Promise<HttpListener> {
  const server = createServer((req, res) => {
    answer(routes, req)
      .catch((err: unknown) => {
        if (err instanceof CaptureProblem) return err.toReply();
        options.onError(err);
        return new CaptureProblem(500, 'internal-error', 'Internal Server Error', 'The capture server failed; see its log.').toReply();
      })
      .then((reply) => write(res, reply))
      .catch(options.onError);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        // Keep-alive sockets of clients (fetch pools them) would hold close() open until they time out.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }),
  };
}
