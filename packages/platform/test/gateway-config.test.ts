// The gateway config (local: packages/platform/src/gateway-config.ts, compose: docker/gateway/render.ts)
// read as text, then run by a real nginx in front of a server that speaks the WebSocket opening handshake
// and answers like an app (its own problem documents, ETags, Cache-Control), so a dropped Upgrade header,
// a missing route or a gateway that rewrites what an app said fails here. What nginx answers on its own
// is in gateway-errors.test.ts.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { renderComposeGatewayConfig } from '../../../docker/gateway/render.ts';
import { WEBSOCKET_IDLE_TIMEOUT, renderGatewayConfig, websocketRoutes } from '../src/gateway-config.ts';
import { loadRunTemplate, type RunTemplate } from '../src/run-template.ts';
import { nginxMissing, rawRequest, startNginx, type RunningNginx } from './gateway/nginx.ts';

const template = loadRunTemplate();
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const acceptFor = (key: string) => createHash('sha1').update(key + WS_GUID).digest('base64');

/** The body of `location = <path> { ... }` in a rendered config, or undefined. */
function exactLocation(conf: string, clientPath: string): string | undefined {
  const start = conf.indexOf(`location = ${clientPath} {`);
  if (start < 0) return undefined;
  return conf.slice(start, conf.indexOf('\n    }', start));
}

const renders: [string, string][] = [
  ['the local gateway', renderGatewayConfig(template, { port: 8080, prefix: '/tmp/gateway' })],
  ['the compose gateway', renderComposeGatewayConfig(template)],
];

for (const [name, conf] of renders) {
  test(`when ${name} config is rendered, then every WebSocket path forwards the upgrade and outlives the default read timeout`, () => {
    assert.ok(websocketRoutes.some((r) => r.appId === 'notification' && r.path === '/ws'), 'the notification app\'s /ws is a WebSocket route');
    assert.match(conf, /map \$http_upgrade \$connection_upgrade \{ default upgrade; '' ''; \}/, 'Connection is "upgrade" only for a handshake');
    for (const route of websocketRoutes) {
      const block = exactLocation(conf, `/api/v1/${route.appId}${route.path}`);
      assert.ok(block, `no location for /api/v1/${route.appId}${route.path}`);
      assert.match(block, new RegExp(`proxy_pass http://${route.appId}\\$gateway_upstream_uri;`));
      assert.match(block, /proxy_set_header Upgrade \$http_upgrade;/);
      assert.match(block, /proxy_set_header Connection \$connection_upgrade;/);
      // A location that sets any header inherits none, so the forwarding headers must be repeated.
      for (const header of ['Host', 'X-Forwarded-For', 'X-Request-Id']) assert.match(block, new RegExp(`proxy_set_header ${header} `));
      assert.match(block, new RegExp(`proxy_read_timeout ${WEBSOCKET_IDLE_TIMEOUT};`));
      assert.match(block, new RegExp(`proxy_send_timeout ${WEBSOCKET_IDLE_TIMEOUT};`));
    }
  });
}

for (const [name, conf] of renders) {
  test(`when ${name} config is rendered, then nginx hides its version and lets every app answer reach the client as the app wrote it`, () => {
    assert.match(conf, /^\s*server_tokens off;$/m);
    assert.doesNotMatch(conf, /proxy_intercept_errors|fastcgi_intercept_errors/, 'error_page must replace only what nginx itself produces');
    assert.doesNotMatch(conf, /error_page [^;]*@/, 'a named error location cannot serve a request nginx failed to parse');
  });
}

test('when dapr.yaml does not list a WebSocket route\'s app, then no location names its missing upstream', () => {
  const without: RunTemplate = { ...template, apps: template.apps.filter((a) => a.appId !== 'notification') };
  const conf = renderGatewayConfig(without, { port: 8080, prefix: '/tmp/gateway' });
  assert.doesNotMatch(conf, /notification/);
});

interface Seen {
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
}

/** An app's own problem document, as the kit writes it; the gateway must hand it on untouched. */
const APP_PROBLEM = JSON.stringify({
  type: 'https://lifeline.dev/problems/task-not-found',
  title: 'Not Found',
  status: 404,
  detail: 'No task t404.',
  instance: '/tasks/t404',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
});

/** Routes of the stand-in app: what it answers at each path under its app id. */
function answerLikeAnApp(req: http.IncomingMessage, res: http.ServerResponse): void {
  const route = (req.url ?? '').replace(/^\/[a-z-]+/, '');
  res.setHeader('x-request-id', String(req.headers['x-request-id'] ?? ''));
  // With a length, as express sends JSON, so the raw client reads the body as the app wrote it.
  const send = (code: number, headers: Record<string, string>, body: string) =>
    res.writeHead(code, { ...headers, 'content-length': String(Buffer.byteLength(body)) }).end(body);
  const status = /^\/status\/(\d{3})$/.exec(route)?.[1];
  if (route === '/t404' || status) {
    // An app's own 4xx/5xx (a missing task, a sidecar that is down) looks like the gateway's own errors,
    // which is exactly why the gateway must not touch it.
    send(status ? Number(status) : 404, { 'content-type': 'application/problem+json', 'retry-after': '7' }, APP_PROBLEM);
    return;
  }
  if (route === '/cached') {
    send(200, { 'content-type': 'application/json', 'cache-control': 'private, max-age=60' }, '{"cached":true}');
    return;
  }
  send(200, { 'content-type': 'application/json', etag: '"3"' }, '{"ok":true}');
}

describe('when a real nginx runs the local gateway config', { skip: nginxMissing }, () => {
  const requests: Seen[] = [];
  const upgrades: Seen[] = [];
  // Stands in for every app: answers plain requests like an app and completes the WebSocket opening
  // handshake, then echoes whatever arrives on the upgraded connection.
  const app = http.createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers });
    answerLikeAnApp(req, res);
  });
  app.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    upgrades.push({ url: req.url, headers: req.headers });
    const key = String(req.headers['sec-websocket-key'] ?? '');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => socket.destroy());
  });
  // Upgraded sockets leave the http server's own bookkeeping; tracked here so the server can close.
  const sockets = new Set<net.Socket>();
  app.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let gateway: RunningNginx;
  let gatewayPort = 0;

  before(async () => {
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appPort = (app.address() as AddressInfo).port;
    const local: RunTemplate = { ...template, apps: template.apps.map((a) => ({ ...a, appPort })) };
    gateway = await startNginx((port, dir) => renderGatewayConfig(local, { port, prefix: dir }));
    gatewayPort = gateway.port;
  });

  after(async () => {
    await gateway?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  });

  test('then a WebSocket handshake on /api/v1/notification/ws reaches the app at /notification/ws and the connection carries data both ways', async () => {
    const key = randomBytes(16).toString('base64');
    const req = http.request({
      host: '127.0.0.1',
      port: gatewayPort,
      path: '/api/v1/notification/ws?access_token=t0k3n',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13' },
    });
    const upgraded = new Promise<{ res: http.IncomingMessage; socket: net.Socket }>((resolve, reject) => {
      req.on('upgrade', (res: http.IncomingMessage, socket: net.Socket) => resolve({ res, socket }));
      req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
      req.on('error', reject);
    });
    req.end();
    const { res, socket } = await upgraded;
    try {
      assert.equal(res.statusCode, 101);
      assert.equal(res.headers['sec-websocket-accept'], acceptFor(key));
      const seen = upgrades.at(-1);
      assert.equal(seen?.url, '/notification/ws?access_token=t0k3n', 'the app id stays in the path, the query (the token) too');
      assert.equal(seen?.headers.upgrade, 'websocket');
      assert.match(String(seen?.headers.connection), /upgrade/i);
      assert.equal(seen?.headers['sec-websocket-key'], key);
      assert.ok(seen?.headers['x-request-id'], 'the request id reaches the app');
      const echoed = new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      socket.write('hello through nginx');
      assert.equal(await echoed, 'hello through nginx');
    } finally {
      socket.destroy();
    }
  });

  test('then a plain request to the same app is proxied without upgrade headers, on a keepalive connection', async () => {
    const res = await fetch(`http://127.0.0.1:${gatewayPort}/api/v1/notification/notifications?userId=u1`);
    assert.equal(res.status, 200);
    await res.text();
    const seen = requests.at(-1);
    assert.equal(seen?.url, '/notification/notifications?userId=u1');
    assert.equal(seen?.headers.upgrade, undefined);
    assert.equal(seen?.headers.connection, undefined, 'an empty Connection header keeps the upstream connection reusable');
  });

  test('then a path reaches the app as the client encoded it, less /api/v1: an encoded slash or newline in an id is the app\'s to judge', async () => {
    for (const [sent, expected] of [
      ['/api/v1/tasks/a%2Fb?x=%2F', '/tasks/a%2Fb?x=%2F'],
      ['/api/v1/tasks/%0A', '/tasks/%0A'],
      ['/api/v1/emergencies', '/emergencies'],
      ['/api/v1/tasks/x%20y/complete', '/tasks/x%20y/complete'],
    ] as const) {
      const res = await fetch(`http://127.0.0.1:${gatewayPort}${sent}`);
      await res.text();
      assert.equal(res.status, 200, sent);
      assert.equal(requests.at(-1)?.url, expected, sent);
    }
  });

  test('then a handshake on a path that is no WebSocket route is not upgraded', async () => {
    const before = upgrades.length;
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: gatewayPort,
        path: '/api/v1/tasks/ws',
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': randomBytes(16).toString('base64'), 'sec-websocket-version': '13' },
      });
      req.on('response', resolve);
      req.on('upgrade', (r: http.IncomingMessage, socket: net.Socket) => {
        socket.destroy();
        resolve(r);
      });
      req.on('error', reject);
      req.end();
    });
    res.resume();
    assert.equal(res.statusCode, 200, 'answered as a plain request');
    assert.equal(upgrades.length, before, 'the app saw no upgrade');
  });

  const bearer = 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl\r\n';
  const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n${extra}\r\n`;

  for (const status of [404, 502, 503, 504]) {
    test(`then an app's own ${status} problem document reaches the client untouched (no gateway page, no added cache header)`, async () => {
      const target = status === 404 ? '/api/v1/tasks/t404' : `/api/v1/tasks/status/${status}`;
      const res = await rawRequest(gatewayPort, get(target));
      assert.equal(res.status, status);
      assert.equal(res.body, APP_PROBLEM);
      assert.equal(res.headers['content-type'], 'application/problem+json');
      assert.equal(res.headers['retry-after'], '7');
      assert.equal(res.headers['cache-control'], undefined, 'an anonymous answer gets no Cache-Control from the gateway');
      assert.equal(res.headers['x-request-id'], requests.at(-1)?.headers['x-request-id'], 'the id the gateway assigned, echoed by the app');
      assert.equal(res.headers.server, 'nginx');
    });
  }

  test('then an authenticated answer the app left without Cache-Control gets no-store, and its ETag passes on', async () => {
    const res = await rawRequest(gatewayPort, get('/api/v1/tasks/t1', bearer));
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers.etag, '"3"');
    assert.equal(requests.at(-1)?.headers.authorization, 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', 'the token reaches the app');
  });

  test('then an authenticated error answer of the app gets no-store too, its body unchanged', async () => {
    const res = await rawRequest(gatewayPort, get('/api/v1/tasks/t404', bearer));
    assert.equal(res.status, 404);
    assert.equal(res.body, APP_PROBLEM);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('then a Cache-Control the app set on an authenticated answer is kept as it is, once', async () => {
    const res = await rawRequest(gatewayPort, get('/api/v1/tasks/cached', bearer));
    assert.deepEqual(res.headerLines.filter(([name]) => name === 'cache-control'), [['cache-control', 'private, max-age=60']]);
  });

  test('then an answer to a request without Authorization carries no Cache-Control and no nginx version', async () => {
    const res = await rawRequest(gatewayPort, get('/api/v1/tasks/t1'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], undefined);
    assert.equal(res.headers.server, 'nginx');
  });
});
