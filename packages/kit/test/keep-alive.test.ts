import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { finalize, startServer } from '../src/index.ts';
import { makeApp } from './helpers.ts';

const REQUEST = 'POST /things HTTP/1.1\r\nHost: app\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}';

test('when a proxy leaves a kept-alive connection idle past Node’s default keep-alive timeout (5 s), then the app still answers on it', async () => {
  const { app } = makeApp();
  app.post('/things', (_req, res) => {
    res.status(201).json({ ok: true });
  });
  finalize(app);
  const server = await startServer(app, 0, '127.0.0.1');
  // Raw HTTP/1.1 on one socket, as nginx's upstream keepalive pool reuses it (nginx ignores Keep-Alive hints).
  const socket = net.connect(server.port, '127.0.0.1');
  let received = '';
  let closedByApp = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
  socket.on('close', () => (closedByApp = true));
  const answers = () => received.match(/HTTP\/1\.1 201/g)?.length ?? 0;
  const until = async (n: number) => {
    for (let waited = 0; answers() < n; waited += 20) {
      assert.ok(waited < 2000 && !closedByApp, `no answer ${n} on the kept-alive connection`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await once(socket, 'connect');
    socket.write(REQUEST);
    await until(1);
    await new Promise((r) => setTimeout(r, 7_000));
    assert.equal(closedByApp, false, 'the app closed the idle connection; a proxy reusing it would answer 502');
    socket.write(REQUEST);
    await until(2);
  } finally {
    socket.destroy();
    await server.close(1000);
  }
});
