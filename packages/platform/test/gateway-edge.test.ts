// The gateway's edge duties with a real nginx on the local config: CORS (preflight answered for an allowed
// origin, refused for any other), the client address it passes on (X-Real-IP, never the client's own),
// the caller header it logs and strips, and one JSON access-log line per request without the token.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { PROBLEM_TYPE_BASE } from '@lifeline/kit';
import { ACCESS_LOG_FIELDS } from '../src/gateway/access-log.ts';
import { CORS_EXPOSED_HEADERS, corsFromEnv } from '../src/gateway/cors.ts';
import { renderGatewayConfig } from '../src/gateway-config.ts';
import { loadRunTemplate, type RunTemplate } from '../src/run-template.ts';
import { nginxMissing, rawRequest, startNginx, type RunningNginx } from './gateway/nginx.ts';

const ALLOWED = 'https://app.lifeline.test';
const FOREIGN = 'https://evil.example';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZQ';

describe('the gateway at the edge', { skip: nginxMissing }, () => {
  const reached: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }> = [];
  // Stands in for every app: names a caller as the kit does and records what reached it.
  const app = http.createServer((req, res) => {
    reached.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => res.setHeader('content-type', 'application/json').setHeader('x-lifeline-user', 'alice').end('{"ok":true}'));
  });
  let gateway: RunningNginx;
  const accessLog = () => readFileSync(path.join(gateway.dir, 'access.log'), 'utf8').trim().split('\n').filter((l) => l !== '');

  before(async () => {
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appPort = (app.address() as AddressInfo).port;
    const template = loadRunTemplate();
    const local: RunTemplate = { ...template, apps: template.apps.map((a) => ({ ...a, appPort })) };
    gateway = await startNginx((port, dir) => renderGatewayConfig(local, { port, prefix: dir, cors: { origins: [ALLOWED] } }));
  });
  after(async () => {
    await gateway?.stop();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  });

  const preflight = (origin: string) =>
    rawRequest(
      gateway.port,
      `OPTIONS /api/v1/tasks HTTP/1.1\r\nHost: gateway\r\nOrigin: ${origin}\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type\r\nConnection: close\r\n\r\n`,
    );

  test('when a browser on an allowed origin sends a preflight, then the gateway answers it (204) with what the page may send, and no app sees it', async () => {
    const before = reached.length;
    const res = await preflight(ALLOWED);
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(res.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
    assert.match(res.headers['access-control-allow-headers'] ?? '', /Authorization, Content-Type/);
    assert.equal(res.headers['access-control-max-age'], '600');
    assert.equal(res.headers.vary, 'Origin');
    assert.equal(res.headers['access-control-allow-credentials'], undefined, 'bearer tokens only, no cookies');
    assert.equal(reached.length, before);
  });

  test('when a preflight comes from any other origin, then it is refused: 403 cors-origin-refused, no CORS headers, no app sees it', async () => {
    const before = reached.length;
    const res = await preflight(FOREIGN);
    assert.equal(res.status, 403);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const doc = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(doc.type, `${PROBLEM_TYPE_BASE}cors-origin-refused`);
    assert.equal(doc.status, 403);
    assert.equal(reached.length, before);
  });

  test('when a page on an allowed origin calls the API, then the answer names the origin and exposes the rate-limit headers; from another origin it carries none', async () => {
    const allowed = await fetch(`http://127.0.0.1:${gateway.port}/api/v1/tasks`, { headers: { origin: ALLOWED } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED);
    assert.equal(allowed.headers.get('access-control-expose-headers'), CORS_EXPOSED_HEADERS.join(', '));
    assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /RateLimit, RateLimit-Policy/);
    const foreign = await fetch(`http://127.0.0.1:${gateway.port}/api/v1/tasks`, { headers: { origin: FOREIGN } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null, 'the browser keeps the answer from the page');
    assert.equal(foreign.headers.get('access-control-expose-headers'), null);
  });

  test('when an OPTIONS request is not a preflight, then it reaches the app as any other method', async () => {
    const before = reached.length;
    const res = await fetch(`http://127.0.0.1:${gateway.port}/api/v1/tasks`, { method: 'OPTIONS' });
    assert.equal(res.status, 200);
    assert.equal(reached.length, before + 1);
  });

  test('when a client sends its own X-Real-IP, then the app gets the peer address instead; the caller header never reaches the client', async () => {
    const res = await fetch(`http://127.0.0.1:${gateway.port}/api/v1/tasks/x`, { headers: { 'x-real-ip': '203.0.113.9' } });
    assert.equal(res.status, 200);
    assert.equal(reached.at(-1)?.headers['x-real-ip'], '127.0.0.1');
    assert.equal(res.headers.get('x-lifeline-user'), null, 'proxy_hide_header');
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  test('when requests pass, then each leaves one JSON line: request id, the user the app named, the path without its query, status, upstream time; never the token', async () => {
    const proxied = await fetch(`http://127.0.0.1:${gateway.port}/api/v1/tasks/t-1?token=link-secret-123&x=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(proxied.status, 200);
    const requestId = reached.at(-1)?.headers['x-request-id'];
    const missing = await fetch(`http://127.0.0.1:${gateway.port}/api/v1/nosuch`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const missingId = missing.headers.get('x-request-id');
    // nginx writes the line when the request ends, after the answer went out.
    let lines: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 20 && !lines.some((l) => l.requestId === missingId); i++) {
      await sleep(50);
      lines = accessLog().map((l) => JSON.parse(l) as Record<string, unknown>);
    }
    const line = lines.find((l) => l.requestId === requestId);
    assert.ok(line, `a line for ${String(requestId)}`);
    assert.deepEqual(Object.keys(line), [...ACCESS_LOG_FIELDS]);
    assert.equal(line.userId, 'alice');
    assert.equal(line.method, 'GET');
    assert.equal(line.route, '/api/v1/tasks/t-1');
    assert.equal(line.status, 200);
    assert.match(String(line.upstreamTime), /^\d+\.\d{3}$/);
    assert.equal(typeof line.requestTime, 'number');
    assert.equal(line.client, '127.0.0.1');
    const own = lines.find((l) => l.requestId === missingId);
    assert.ok(own);
    assert.equal(own.status, 404);
    assert.equal(own.userId, '', 'nobody verified the caller of a route no app serves');
    assert.equal(own.route, '/api/v1/nosuch');
    const log = accessLog().join('\n');
    assert.ok(!log.includes(TOKEN) && !log.includes('c2VjcmV0LXNpZ25hdHVyZQ'), 'no bearer token in the log');
    assert.ok(!log.includes('link-secret-123'), 'no query (signed-link tokens) in the log');
  });
});

describe('CORS configuration', () => {
  test('when GATEWAY_CORS_ORIGINS is set, then it is the list; unset gives the dev web client; empty gives none', () => {
    assert.deepEqual(corsFromEnv({ GATEWAY_CORS_ORIGINS: 'https://a.example, https://b.example:8443' }).origins, ['https://a.example', 'https://b.example:8443']);
    assert.deepEqual(corsFromEnv({}).origins, ['http://localhost:5173']);
    assert.deepEqual(corsFromEnv({ GATEWAY_CORS_ORIGINS: '' }).origins, []);
  });

  test('when an origin is not scheme://host[:port], then rendering fails instead of writing it into nginx.conf', () => {
    const template = loadRunTemplate();
    for (const bad of ['*', 'https://a.example/path', 'https://a.example"; return 200; "', 'HTTPS://A.EXAMPLE']) {
      assert.throws(() => renderGatewayConfig(template, { port: 1, prefix: '/tmp/x', cors: { origins: [bad] } }), /CORS origin/);
    }
  });
});
