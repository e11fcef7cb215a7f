// Audit ingestion through the sidecar, beside the same rows inserted straight into Postgres (the ceiling).
//   npm run bench:audit -- [redis|kafka|rabbitmq ...]   (default: redis)
// Prints: direct-insert rows/s, sustained events/s published through daprd -> broker -> daprd -> audit,
// and publish-to-stored latency p50/p99 at a fixed 500 events/s (open loop).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { CloudEvent } from '@lifeline/kit';
import { createPrismaClient, disconnect } from '@lifeline/db';
import { appDatabases, appDatabaseUrl, brokers, type Broker } from '@lifeline/platform';
// The audit app's own write path, imported as the in-process ceiling of the pipeline under test.
import { toAuditRecord, type AuditRecord } from '../../apps/audit/src/domain/audit-record.ts';
import { recordEvents } from '../../apps/audit/src/domain/record-events.ts';
import { PrismaClient } from '../../apps/audit/src/generated/prisma/client.ts';
import { Platform, waitUntil } from '@lifeline/e2e/harness';
import { benchTaskCreated } from './bench-events.ts';
import { runOpenLoop } from './open-loop.ts';
import { ms, printTable, summarize } from './stats.ts';

const SUSTAINED_EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const LATENCY_RATE = 500;
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const BULK = 100;

async function storedCount(db: pg.Client, actor: string): Promise<number> {
  const r = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit.audit_events WHERE actor_id = $1', [actor]);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Ceiling: the same events through the audit app's own write path (chained, batched, one transaction per
 * batch, concurrent batches like concurrent deliveries), straight into Postgres without Dapr or a broker.
 */
async function directInsertRate(platform: Platform, n: number): Promise<number> {
  const db = appDatabases().find((d) => d.app === 'audit');
  if (!db) throw new Error('no audit database');
  const prisma = createPrismaClient(PrismaClient, { connectionString: appDatabaseUrl(platform.adminUrl, db), schema: 'audit', poolMax: 4 });
  try {
    const actor = `bench-direct-${randomUUID()}`;
    const batches: AuditRecord[][] = [];
    for (let i = 0; i < n; i += BULK) {
      batches.push(
        Array.from({ length: Math.min(BULK, n - i) }, () => {
          const event = benchTaskCreated(actor);
          const cloudEvent = { id: event.id, source: 'tasks', type: event.type, specversion: '1.0', data: event } as unknown as CloudEvent<unknown>;
          return toAuditRecord(event, { topic: 'task-events', cloudEvent });
        }),
      );
    }
    const started = performance.now();
    for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map((b) => recordEvents(prisma, b)));
    return n / ((performance.now() - started) / 1000);
  } finally {
    await disconnect(prisma);
  }
}

function publisher(platform: Platform) {
  const headers = { 'content-type': 'application/json', 'dapr-api-token': platform.tokens.daprApiToken };
  return {
    async one(event: ReturnType<typeof benchTaskCreated>): Promise<boolean> {
      const url = platform.sidecarUrl('tasks', `/v1.0/publish/pubsub/task-events?metadata.cloudevent.id=${event.id}&metadata.cloudevent.type=${event.type}&metadata.cloudevent.source=tasks`);
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(event) });
      return res.status === 204;
    },
    async bulk(events: ReturnType<typeof benchTaskCreated>[]): Promise<void> {
      const body = events.map((event) => ({ entryId: event.id, event, contentType: 'application/json', metadata: { 'cloudevent.id': event.id, 'cloudevent.type': event.type } }));
      const res = await fetch(platform.sidecarUrl('tasks', '/v1.0-alpha1/publish/bulk/pubsub/task-events'), { method: 'POST', headers, body: JSON.stringify(body) });
      if (res.status !== 204) throw new Error(`bulk publish: ${res.status} ${await res.text()}`);
    },
  };
}

async function benchBroker(broker: Broker): Promise<Record<string, string | number>> {
  const platform = await Platform.prepare(broker);
  const db = new pg.Client({ connectionString: platform.adminUrl });
  await db.connect();
  try {
    await platform.start('audit');
    await platform.start('tasks'); // its sidecar is the publisher
    const pub = publisher(platform);

    const ceiling = await directInsertRate(platform, SUSTAINED_EVENTS);

    // Sustained: publish everything as fast as the sidecar takes it, then wait for the last row.
    const actor = `bench-sustained-${randomUUID()}`;
    const started = performance.now();
    const events = Array.from({ length: SUSTAINED_EVENTS }, () => benchTaskCreated(actor));
    for (let i = 0; i < events.length; i += BULK * 4) {
      await Promise.all([0, 1, 2, 3].map((k) => pub.bulk(events.slice(i + k * BULK, i + (k + 1) * BULK))));
    }
    await waitUntil('every sustained event stored', async () => ((await storedCount(db, actor)) >= SUSTAINED_EVENTS ? true : undefined), 600_000, 250);
    const sustained = SUSTAINED_EVENTS / ((performance.now() - started) / 1000);

    // Latency at a fixed rate: stored-at (database clock) minus the event's own time (set just before publish).
    const latencyActor = `bench-latency-${randomUUID()}`;
    const load = await runOpenLoop({ rate: LATENCY_RATE, durationS: LATENCY_SECONDS, fire: () => pub.one(benchTaskCreated(latencyActor)) });
    const expected = load.sent - load.errors;
    await waitUntil('every latency event stored', async () => ((await storedCount(db, latencyActor)) >= expected ? true : undefined), 300_000, 250);
    const lat = await db.query<{ ms: number }>(
      'SELECT EXTRACT(EPOCH FROM (recorded_at - occurred_at)) * 1000 AS ms FROM audit.audit_events WHERE actor_id = $1',
      [latencyActor],
    );
    const s = summarize(lat.rows.map((r) => Number(r.ms)));
    return {
      broker,
      'audit write path without Dapr (ceiling) rows/s': Math.round(ceiling),
      'through sidecar events/s': Math.round(sustained),
      [`p50 @${LATENCY_RATE}/s`]: ms(s.p50),
      [`p99 @${LATENCY_RATE}/s`]: ms(s.p99),
      'publish errors': load.errors,
    };
  } finally {
    await db.end();
    await platform.stopAll();
  }
}

const selected = (process.argv.slice(2).length ? process.argv.slice(2) : ['redis']) as Broker[];
for (const b of selected) if (!brokers.includes(b)) throw new Error(`unknown broker ${b}`);
const rows: Record<string, string | number>[] = [];
for (const broker of selected) rows.push(await benchBroker(broker));
printTable(`audit ingestion (${SUSTAINED_EVENTS} events sustained; ${LATENCY_RATE}/s for ${LATENCY_SECONDS}s latency)`, rows);
