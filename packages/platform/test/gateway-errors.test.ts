// What nginx answers on its own, through the local gateway config run by a real nginx: every status it
// produces is an RFC 9457 problem document shaped like the apps' (packages/kit/src/problem.ts), with the
// gateway's request id, no version in Server, no-store, and Allow on 405. Each case is a real request that
// makes nginx produce that status: a dead upstream, a slow one, a body over the limit, a broken request line.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROBLEM_TYPE_BASE } from '@lifeline/kit';
import { renderGatewayConfig } from '../src/gateway-config.ts';
import { ALLOWED_METHODS } from '../src/gateway/methods.ts';
import { loadRunTemplate, type RunTemplate } from '../src/run-template.ts';
import { freePort, nginxMissing, rawRequest, startNginx, type RawResponse, type RunningNginx } from './gateway/nginx.ts';

const template = loadRunTemplate();

interface Expected {
  status: number;
  slug: string;
  /** The request URI the document names, or undefined where nginx could not read one. */
  instance: string | undefined;
}

/** The checks every answer nginx makes itself must pass. */
function assertGatewayProblem(res: RawResponse, expected: Expected): Record<string, unknown> {
  assert.equal(res.status, expected.status, `status; body: ${res.body}`);
  assert.equal(res.headers['content-type'], 'application/problem+json');
  assert.equal(res.headers.server, 'nginx', 'no version in Server');
  assert.equal(res.headers['cache-control'], 'no-store');
  const doc = JSON.parse(res.body) as Record<string, unknown>;
  const { type, title, status, detail, instance, requestId, ...rest } = doc;
  assert.deepEqual(rest, {}, 'no members beyond the apps\' shape');
  assert.equal(type, `${PROBLEM_TYPE_BASE}${expected.slug}`);
  assert.equal(status, expected.status);
  assert.equal(typeof title, 'string');
  assert.ok(typeof detail === 'string' && detail.length > 10, 'a detail a person can read');
  assert.equal(instance, expected.instance);
  assert.match(String(requestId), /^[0-9a-f]{32}$/);
  assert.equal(res.headers['x-request-id'], requestId, 'the header and the document name the same request');
  return doc;
}

const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n${extra}\r\n`;

describe('when nginx answers a request itself', { skip: nginxMissing }, () => {
  const reached: string[] = [];
  // Stands in for every app: answers 200 and records what reached it.
  const app = http.createServer((req, res) => {
    reached.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.setHeader('content-type', 'application/json').end('{"ok":true}'));
  });
  // Accepts and never answers: the gateway's read timeout runs out.
  const slow = http.createServer(() => {});
  const held = new Set<net.Socket>();
  slow.on('connection', (socket: net.Socket) => held.add(socket));
  let gateway: RunningNginx;

  before(async () => {
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const appPort = (app.address() as AddressInfo).port;
    const slowPort = (slow.address() as AddressInfo).port;
    const deadPort = await freePort();
    const base = template.apps[0]!;
    const local: RunTemplate = {
      ...template,
      apps: [
        ...template.apps.map((a) => ({ ...a, appPort })),
        { ...base, appId: 'deadapp', appPort: deadPort },
        { ...base, appId: 'slowapp', appPort: slowPort },
      ],
    };
    gateway = await startNginx((port, dir) => {
      const conf = renderGatewayConfig(local, { port, prefix: dir, timeouts: { upstreamRead: '1s' } });
      // Nothing in the config limits rates or answers 503 by itself today (issue 13 brings limits): a
      // limit and a maintenance switch like the ones an operator would add show those answers are wired.
      const anchor = '    location = /healthz';
      assert.ok(conf.includes(anchor) && conf.includes('\n  server {'));
      return conf
        .replace('\n  server {', '\n  limit_req_zone $binary_remote_addr zone=test_limit:1m rate=1r/m;\n  server {')
        .replace(anchor, `    location = /api/v1/limited { limit_req zone=test_limit; proxy_pass http://tasks; }
    location = /api/v1/maintenance { return 503; }
${anchor}`);
    });
  });

  after(async () => {
    await gateway?.stop();
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => app.close(() => resolve()));
    await new Promise<void>((resolve) => slow.close(() => resolve()));
  });

  for (const target of ['/api/v1/nosuchapp/things', '/api/v1/', '/api/v1/taskszzz', '/elsewhere?x=1', '/index.html']) {
    test(`when ${target} is asked for, then no service is routed there: 404 route-not-found`, async () => {
      assertGatewayProblem(await rawRequest(gateway.port, get(target)), { status: 404, slug: 'route-not-found', instance: target });
    });
  }

  test('when a client asks for an error page location itself, then it gets the 404 and not the page it named', async () => {
    assertGatewayProblem(await rawRequest(gateway.port, get('/_gateway/problem/502')), { status: 404, slug: 'route-not-found', instance: '/_gateway/problem/502' });
  });

  test('when the URI holds a quote, a backslash or raw UTF-8, then the document is still valid JSON and leaves instance out', async () => {
    for (const target of ['/api/v1/nope/"x"', '/api/v1/nope/a\\b']) {
      assertGatewayProblem(await rawRequest(gateway.port, get(target)), { status: 404, slug: 'route-not-found', instance: undefined });
    }
    const utf8 = Buffer.concat([Buffer.from('GET /api/v1/nope/'), Buffer.from('é', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n')]);
    assertGatewayProblem(await rawRequest(gateway.port, utf8), { status: 404, slug: 'route-not-found', instance: undefined });
  });

  test('when the service is not running, then 502 bad-gateway', async () => {
    assertGatewayProblem(await rawRequest(gateway.port, get('/api/v1/deadapp/tasks?x=1')), { status: 502, slug: 'bad-gateway', instance: '/api/v1/deadapp/tasks?x=1' });
  });

  test('when the service does not answer within the read timeout, then 504 gateway-timeout naming the timeout', async () => {
    const doc = assertGatewayProblem(await rawRequest(gateway.port, get('/api/v1/slowapp/tasks')), { status: 504, slug: 'gateway-timeout', instance: '/api/v1/slowapp/tasks' });
    assert.match(String(doc.detail), /within 1 s\b/);
  });

  test('when the body is over 1 MB, then 413 payload-too-large before the service sees it', async () => {
    const before = reached.length;
    const res = await rawRequest(gateway.port, `POST /api/v1/tasks HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{"title":"`);
    const doc = assertGatewayProblem(res, { status: 413, slug: 'payload-too-large', instance: '/api/v1/tasks' });
    assert.match(String(doc.detail), /1 MB/);
    assert.equal(reached.length, before);
  });

  test('when the request line is over 8 KB, then 414 uri-too-long', async () => {
    const doc = assertGatewayProblem(await rawRequest(gateway.port, get(`/api/v1/tasks?tag=${'a'.repeat(9000)}`)), { status: 414, slug: 'uri-too-long', instance: undefined });
    assert.match(String(doc.detail), /8 KB/);
  });

  test('when one header is over 8 KB, then 431 request-header-fields-too-large (nginx\'s own code would be a 400)', async () => {
    const res = await rawRequest(gateway.port, get('/api/v1/tasks', `Cookie: ${'c'.repeat(9000)}\r\n`));
    assertGatewayProblem(res, { status: 431, slug: 'request-header-fields-too-large', instance: '/api/v1/tasks' });
  });

  const badRequests: [string, string, string | undefined][] = [
    ['a lowercase method', 'get /api/v1/tasks HTTP/1.1\r\nHost: gateway\r\n\r\n', undefined],
    ['no Host header in HTTP/1.1', 'GET /api/v1/tasks HTTP/1.1\r\nConnection: close\r\n\r\n', '/api/v1/tasks'],
    ['a percent-encoded NUL in the path', get('/api/v1/tasks/%00'), undefined],
    ['a Content-Length that is no number', 'POST /api/v1/tasks HTTP/1.1\r\nHost: gateway\r\nContent-Length: ten\r\n\r\n', '/api/v1/tasks'],
    ['both Content-Length and chunked', 'POST /api/v1/tasks HTTP/1.1\r\nHost: gateway\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', '/api/v1/tasks'],
  ];
  for (const [what, request, instance] of badRequests) {
    test(`when the request has ${what}, then 400 bad-request`, async () => {
      assertGatewayProblem(await rawRequest(gateway.port, request), { status: 400, slug: 'bad-request', instance });
    });
  }

  test('when the request line says HTTP/2.0, then 505 http-version-not-supported', async () => {
    assertGatewayProblem(await rawRequest(gateway.port, 'GET /api/v1/tasks HTTP/2.0\r\nHost: gateway\r\n\r\n'), { status: 505, slug: 'http-version-not-supported', instance: undefined });
  });

  test('when the body comes in a Transfer-Encoding nginx does not implement, then 501 not-implemented', async () => {
    const res = await rawRequest(gateway.port, 'POST /api/v1/tasks HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: gzip\r\n\r\n');
    assertGatewayProblem(res, { status: 501, slug: 'not-implemented', instance: '/api/v1/tasks' });
  });

  for (const method of ['TRACE', 'PROPFIND', 'FOO']) {
    test(`when the method is ${method}, then 405 method-not-allowed with Allow, and the service never sees it`, async () => {
      const before = reached.length;
      const res = await rawRequest(gateway.port, `${method} /api/v1/tasks HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n`);
      assertGatewayProblem(res, { status: 405, slug: 'method-not-allowed', instance: '/api/v1/tasks' });
      assert.equal(res.headers.allow, ALLOWED_METHODS.join(', '));
      assert.equal(reached.length, before);
    });
  }

  test('when the method is one of Allow, then it reaches the service', async () => {
    for (const method of ALLOWED_METHODS) {
      const res = await rawRequest(gateway.port, `${method} /api/v1/tasks/t1 HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      assert.equal(res.status, 200, method);
      assert.equal(reached.at(-1), `${method} /tasks/t1`);
    }
  });

  test('when a HEAD request meets an nginx error, then the status and problem headers come without a body', async () => {
    const res = await rawRequest(gateway.port, 'HEAD /api/v1/nosuchapp HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-type'], 'application/problem+json');
    assert.equal(res.body, '');
  });

  test('when a client goes over an nginx rate limit, then 429 too-many-requests', async () => {
    assert.equal((await rawRequest(gateway.port, get('/api/v1/limited'))).status, 200, 'the first request is within the limit');
    assertGatewayProblem(await rawRequest(gateway.port, get('/api/v1/limited')), { status: 429, slug: 'too-many-requests', instance: '/api/v1/limited' });
  });

  test('when a location answers 503 itself, then 503 service-unavailable', async () => {
    assertGatewayProblem(await rawRequest(gateway.port, get('/api/v1/maintenance')), { status: 503, slug: 'service-unavailable', instance: '/api/v1/maintenance' });
  });

  test('when nginx cannot buffer a request body (its temp directory is gone), then 500 internal', async () => {
    const bodyDir = path.join(gateway.dir, 'tmp', 'body');
    rmSync(bodyDir, { recursive: true, force: true });
    try {
      // Over the in-memory client_body_buffer_size, so nginx writes the body to a temp file.
      const body = JSON.stringify({ title: 'x'.repeat(64 * 1024) });
      const res = await rawRequest(gateway.port, `POST /api/v1/tasks HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      assertGatewayProblem(res, { status: 500, slug: 'internal', instance: '/api/v1/tasks' });
    } finally {
      mkdirSync(bodyDir, { recursive: true });
    }
  });
});
