import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { finalize, startServer } from '../src/index.ts';
import { makeApp } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a raw connection, writes `head`, then trickles one body byte every `everyMs`; resolves with what came back and when. */
async function trickle(port: number, head: string, everyMs: number, giveUpMs: number): Promise<{ answer: string; closedAfterMs: number | undefined }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const t0 = Date.now();
  let answer = '';
  let closedAfterMs: number | undefined;
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
  socket.on('close', () => (closedAfterMs = Date.now() - t0));
  socket.on('error', () => undefined);
  socket.write(head);
  while (closedAfterMs === undefined && Date.now() - t0 < giveUpMs) {
    if (head.includes('\r\n\r\n')) socket.write('a');
    await sleep(everyMs);
  }
  socket.destroy();
  return { answer, closedAfterMs };
}

test('when a client trickles its body slower than REQUEST_TIMEOUT_MS allows, then it gets 408 and the connection is closed, and the handler never runs', async () => {
  const { app } = makeApp({ requestTimeoutMs: 1_500 });
  let handled = 0;
  app.post('/things', (_req, res) => {
    handled += 1;
    res.status(201).json({ ok: true });
  });
  finalize(app);
  const server = await startServer(app, 0, '127.0.0.1');
  try {
    const slow = await trickle(server.port, 'POST /things HTTP/1.1\r\nHost: app\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', 200, 10_000);
    assert.ok(slow.closedAfterMs !== undefined && slow.closedAfterMs < 4_000, `the slow body held the connection ${slow.closedAfterMs ?? '> 10000'} ms`);
    assert.match(slow.answer, /^HTTP\/1\.1 408 /);
    assert.equal(handled, 0);
  } finally {
    await server.close(1000);
  }
});

test('when a client never finishes its headers, then the connection is closed within the request timeout', async () => {
  const { app } = makeApp({ requestTimeoutMs: 1_500 });
  finalize(app);
  const server = await startServer(app, 0, '127.0.0.1');
  try {
    const slow = await trickle(server.port, 'GET /health/live HTTP/1.1\r\nHost: app\r\nX-Slow: ', 200, 10_000);
    assert.ok(slow.closedAfterMs !== undefined && slow.closedAfterMs < 4_000, `the unfinished headers held the connection ${slow.closedAfterMs ?? '> 10000'} ms`);
  } finally {
    await server.close(1000);
  }
});

test('when no request timeout is configured, then the kit applies 30 s, not Node\'s 300 s', async () => {
  const { app } = makeApp();
  finalize(app);
  const server = await startServer(app, 0, '127.0.0.1');
  try {
    assert.equal(server.server.requestTimeout, 30_000);
    assert.ok(server.server.headersTimeout <= server.server.requestTimeout);
  } finally {
    await server.close(1000);
  }
});
