// The gateway config (local: packages/platform/src/gateway-config.ts, compose: docker/gateway/render.ts)
// for WebSocket routes: read as text, then run by a real nginx in front of a server that speaks the
// WebSocket opening handshake, so a dropped Upgrade header or a missing route fails here.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderComposeGatewayConfig } from '../../../docker/gateway/render.ts';
import { WEBSOCKET_IDLE_TIMEOUT, renderGatewayConfig, websocketRoutes } from '../src/gateway-config.ts';
import { loadRunTemplate, type RunTemplate } from '../src/run-template.ts';

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
      assert.match(block, new RegExp(`proxy_pass http://${route.appId};`));
      assert.match(block, /proxy_set_header Upgrade \$http_upgrade;/);
      assert.match(block, /proxy_set_header Connection \$connection_upgrade;/);
      // A location that sets any header inherits none, so the forwarding headers must be repeated.
      for (const header of ['Host', 'X-Forwarded-For', 'X-Request-Id']) assert.match(block, new RegExp(`proxy_set_header ${header} `));
      assert.match(block, new RegExp(`proxy_read_timeout ${WEBSOCKET_IDLE_TIMEOUT};`));
      assert.match(block, new RegExp(`proxy_send_timeout ${WEBSOCKET_IDLE_TIMEOUT};`));
    }
  });
}

test('when dapr.yaml does not list a WebSocket route\'s app, then no location names its missing upstream', () => {
  const without: RunTemplate = { ...template, apps: template.apps.filter((a) => a.appId !== 'notification') };
  const conf = renderGatewayConfig(without, { port: 8080, prefix: '/tmp/gateway' });
  assert.doesNotMatch(conf, /notification/);
});

/** A free loopback port: bound and released, so nginx can take it a moment later. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Seen {
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
}

describe('when a real nginx runs the local gateway config', { skip: spawnSync('nginx', ['-v']).error ? 'nginx is not installed (scripts/install/system.sh installs it)' : false }, () => {
  const requests: Seen[] = [];
  const upgrades: Seen[] = [];
  // Stands in for every app: answers plain requests with 200 and completes the WebSocket opening
  // handshake, then echoes whatever arrives on the upgraded connection.
  const app = http.createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers });
    res.setHeader('content-type', 'application/json').end('{"ok":true}');
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
  let dir = '';
  let gatewayPort = 0;
  let nginx: ChildProcess | undefined;

  before(async () => {
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appPort = (app.address() as AddressInfo).port;
    gatewayPort = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), 'lifeline-gateway-ws-'));
    mkdirSync(path.join(dir, 'tmp'));
    const local: RunTemplate = { ...template, apps: template.apps.map((a) => ({ ...a, appPort })) };
    writeFileSync(path.join(dir, 'nginx.conf'), renderGatewayConfig(local, { port: gatewayPort, prefix: dir }));
    nginx = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
    for (let i = 0; ; i++) {
      const up = await fetch(`http://127.0.0.1:${gatewayPort}/healthz`).then((r) => r.status === 204, () => false);
      if (up) break;
      if (i > 100 || nginx.exitCode !== null) assert.fail(`nginx did not start:\n${readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
      await sleep(50);
    }
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => app.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
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
});
