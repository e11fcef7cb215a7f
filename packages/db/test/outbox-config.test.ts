import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigError, createDaprClient, createLogger, createMetrics, loadConfig } from '@lifeline/kit';
import { OUTBOX_SQL, inOutboxTransaction, outboxConfigShape, outboxRelayFromConfig } from '../src/index.ts';
import { admin } from './support/database.ts';
import { openAppDatabase, type AppDatabase } from './support/app-database.ts';

const base = { APP_ID: 'notes', JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long' };

describe('outbox settings', () => {
  it('when nothing is set, then the relay polls every 250 ms, 100 rows a batch, gathers 20 ms after a wake, and keeps published rows a week', () => {
    const config = loadConfig(outboxConfigShape, base);
    assert.deepEqual([config.OUTBOX_POLL_MS, config.OUTBOX_BATCH, config.OUTBOX_WAKE_DELAY_MS, config.OUTBOX_RETENTION_HOURS], [250, 100, 20, 168]);
  });

  it('when a setting is out of range, then the config is refused naming it', () => {
    assert.throws(
      () => loadConfig(outboxConfigShape, { ...base, OUTBOX_POLL_MS: '5', OUTBOX_BATCH: '0', OUTBOX_WAKE_DELAY_MS: '-1', OUTBOX_RETENTION_HOURS: 'a week' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.map((p) => p.split(':')[0]).join() === 'OUTBOX_POLL_MS,OUTBOX_BATCH,OUTBOX_WAKE_DELAY_MS,OUTBOX_RETENTION_HOURS',
    );
  });
});

describe('outboxRelayFromConfig', () => {
  let db: AppDatabase;
  const received: Array<{ topic: string; ids: string[] }> = [];
  const sidecar = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const topic = decodeURIComponent(req.url?.split('/').at(-1) ?? '');
      const entries = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{ metadata: Record<string, string> }>;
      received.push({ topic, ids: entries.map((e) => e.metadata['cloudevent.id'] ?? '') });
      res.writeHead(204).end();
    });
  });

  before(async () => {
    db = await openAppDatabase('outbox_cfg');
    await admin((client) => client.query(OUTBOX_SQL), db.schema);
    sidecar.listen(0, '127.0.0.1');
    await once(sidecar, 'listening');
  });
  after(async () => {
    sidecar.close();
    await db.close();
  });

  function relayWith(env: Record<string, string>) {
    const logger = createLogger({ appId: 'notes', level: 'silent' });
    const metrics = createMetrics({ appId: 'notes', defaultMetrics: false });
    const config = loadConfig(outboxConfigShape, { ...base, ...env });
    const dapr = createDaprClient({ host: '127.0.0.1', httpPort: (sidecar.address() as AddressInfo).port, pubsubName: 'pubsub', stateStoreName: 'statestore', timeoutMs: 1000, metrics, logger });
    return { metrics, relay: outboxRelayFromConfig({ prisma: db.prisma, dapr, logger, metrics, config, source: 'notes' }) };
  }

  async function publishedCount(n: number): Promise<void> {
    for (let waited = 0; received.flatMap((r) => r.ids).length < n; waited += 20) {
      assert.ok(waited < 5000, 'the relay did not publish within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('when events are committed, then the relay built from the config publishes them through the sidecar and reports its backlog', async () => {
    received.length = 0;
    const { relay, metrics } = relayWith({ OUTBOX_POLL_MS: '20' });

    const ids = [randomUUID(), randomUUID()];
    await inOutboxTransaction({ prisma: db.prisma, outboxWritten: () => relay.wake() }, async (_tx, emit) => {
      for (const id of ids) emit({ id, topic: 'note-events', type: 'note.created', payload: { id } });
    });
    assert.match(await metrics.registry.metrics(), /^outbox_pending{app="notes"} 2$/m);

    relay.start();
    try {
      await publishedCount(2);
    } finally {
      await relay.stop();
    }
    assert.deepEqual(received, [{ topic: 'note-events', ids }]);
    assert.match(await metrics.registry.metrics(), /^outbox_pending{app="notes"} 0$/m);
  });

  it('when commits wake the relay one after another within the wake delay, then they leave in one bulk publish, in commit order', async () => {
    received.length = 0;
    const { relay } = relayWith({ OUTBOX_POLL_MS: '60000', OUTBOX_WAKE_DELAY_MS: '400' });
    relay.start();
    try {
      // Let the relay's first (empty) round pass, so that it sleeps and the commits below wake it.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = randomUUID();
        ids.push(id);
        await inOutboxTransaction({ prisma: db.prisma, outboxWritten: () => relay.wake() }, async (_tx, emit) => {
          emit({ id, topic: 'note-events', type: 'note.created', payload: { id } });
        });
      }
      await publishedCount(5);
      assert.deepEqual(received, [{ topic: 'note-events', ids }]);
    } finally {
      await relay.stop();
    }
  });

  it('when the relay is stopped while it gathers commits after a wake, then it stops at once', async () => {
    const { relay } = relayWith({ OUTBOX_POLL_MS: '60000', OUTBOX_WAKE_DELAY_MS: '1000' });
    relay.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    relay.wake();
    const started = performance.now();
    await relay.stop();
    assert.ok(performance.now() - started < 500, 'stop() waited out the wake delay');
  });
});
