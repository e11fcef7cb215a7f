import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createSubscriptions, finalize, startServer } from '../src/index.ts';
import { makeApp, postJson } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('when close() is called during a request, then the request finishes before the server closes', async () => {
  const { app } = makeApp();
  const events: string[] = [];
  app.get('/slow', async (_req, res) => {
    await sleep(300);
    res.once('finish', () => events.push('response sent'));
    res.json({ finished: true });
  });
  finalize(app);
  const server = await startServer(app, 0, '127.0.0.1');
  const inFlight = fetch(`${server.url}/slow`);
  await sleep(50);
  const closed = server.close(5000).then((drained) => {
    events.push('closed');
    return drained;
  });
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { finished: true });
  assert.equal(await closed, true);
  assert.deepEqual(events, ['response sent', 'closed']);
  await assert.rejects(fetch(`${server.url}/health/live`), 'server still accepts connections after close');
});

test('when close() is called while an event handler runs, then it waits for the handler to finish', async () => {
  const kit = makeApp();
  let finished = false;
  const subs = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics, appApiToken: undefined });
  subs.on({
    topic: 'task-events',
    handler: async () => {
      await sleep(300);
      finished = true;
      return 'SUCCESS';
    },
  });
  subs.mount(kit.app);
  finalize(kit.app);
  const server = await startServer(kit.app, 0, '127.0.0.1');
  const event = { id: 'e1', source: 'tasks', type: 'task.created', specversion: '1.0', data: {} };
  const delivery = postJson(`${server.url}/events/task-events`, event);
  await sleep(50);
  const closed = server.close(5000);
  assert.equal(server.lifecycle.shuttingDown, true);
  const res = await delivery;
  assert.deepEqual(await res.json(), { status: 'SUCCESS' });
  assert.equal(finished, true);
  assert.equal(await closed, true);
});

test('when a delivery arrives while shutting down, then it is answered RETRY without running the handler', async (t) => {
  const kit = makeApp();
  let calls = 0;
  const subs = createSubscriptions({ pubsubName: 'pubsub', logger: kit.logger, metrics: kit.metrics, appApiToken: undefined });
  subs.on({ topic: 'task-events', handler: async () => (calls++, 'SUCCESS') });
  subs.mount(kit.app);
  finalize(kit.app);
  const server = await startServer(kit.app, 0, '127.0.0.1');
  t.after(() => server.close(1000));
  server.lifecycle.beginShutdown();
  const event = { id: 'e1', source: 'tasks', type: 'task.created', specversion: '1.0', data: {} };
  const res = await postJson(`${server.url}/events/task-events`, event);
  assert.deepEqual(await res.json(), { status: 'RETRY' });
  assert.equal(res.headers.get('connection'), 'close');
  assert.equal(calls, 0);
});

test('when in-flight work outlasts the shutdown timeout, then close() gives up, cuts connections and reports it', async () => {
  const { app } = makeApp();
  app.get('/stuck', async (_req, res) => {
    await sleep(3000);
    res.end();
  });
  finalize(app);
  const server = await startServer(app, 0, '127.0.0.1');
  const stuck = fetch(`${server.url}/stuck`).then(
    () => 'answered',
    () => 'cut',
  );
  await sleep(50);
  const started = Date.now();
  assert.equal(await server.close(200), false);
  assert.ok(Date.now() - started < 2000);
  assert.equal(await stuck, 'cut');
});

test('when a running service process gets SIGTERM, then it drains the in-flight request, cleans up and exits 0', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/slow-service.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  let onLine: (() => void) | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      onLine?.();
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start: ${stderr}`)), 15000);
    onLine = () => {
      const l = lines.find((x) => x['msg'] === 'listening');
      if (l) {
        clearTimeout(timer);
        resolve(l);
      }
    };
  });
  const url = `http://127.0.0.1:${String(listening['port'])}`;
  const inFlight = fetch(`${url}/slow`);
  await sleep(100);
  child.kill('SIGTERM');
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { finished: true });
  const [code] = await exited;
  assert.equal(code, 0, stderr);
  const messages = lines.map((l) => l['msg']);
  assert.ok(messages.indexOf('shutting down') < messages.indexOf('pools closed'));
  assert.ok(messages.includes('shutdown complete'));
});
