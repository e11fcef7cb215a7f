import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import type { AnyEvent } from '@lifeline/contracts';
import { bulkBody, bulkStatuses, deliverBulk, getJson, startAudit, type RunningAudit } from './support/audit-app.ts';
import { admin, createAuditSchema, type AuditSchema } from './support/database.ts';
import { cloudEvent, emergencyAcknowledged, taskCreated, taskState } from './support/events.ts';

/** A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF record ends. Throws on anything else. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i];
        i++;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote in an unquoted field at ${i}`);
        field += text[i];
        i++;
      }
    }
    fields.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      records.push(fields);
      fields = [];
      i += 2;
    } else {
      throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text.slice(i, i + 10))}`);
    }
  }
  if (fields.length > 0) throw new Error('last record does not end in CRLF');
  return records;
}

describe('exporting a range', () => {
  let db: AuditSchema;
  let audit: RunningAudit;
  const from = '2026-06-01T00:00:00.000Z';
  const to = '2026-06-02T00:00:00.000Z';
  const tricky = taskState({ title: 'He said "stop", then\r\nleft, quickly', notes: 'a,b;c\n"d"' });
  const inRange: AnyEvent[] = [
    taskCreated({ time: from }), // exactly at from: included
    taskCreated({ task: tricky, time: '2026-06-01T08:00:00.000Z' }),
    emergencyAcknowledged({ time: '2026-06-01T12:00:00.000Z' }),
    taskCreated({ time: '2026-06-01T23:59:59.999Z' }),
  ];
  const outside: AnyEvent[] = [taskCreated({ time: '2026-05-31T23:59:59.999Z' }), taskCreated({ time: to })]; // to is exclusive

  before(async () => {
    db = await createAuditSchema('export');
    audit = await startAudit({ DB_SCHEMA: db.schema, STREAM_BATCH_SIZE: '2' });
    for (const e of [...inRange, ...outside]) {
      const topic = e.type.startsWith('emergency') ? 'emergency-events' : 'task-events';
      const statuses = await bulkStatuses(await deliverBulk(audit.url, topic, bulkBody(topic, [{ event: cloudEvent(topic, e) }])));
      assert.deepEqual(Object.values(statuses), ['SUCCESS'], `storing ${e.type} at ${e.time}`);
    }
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  it('when exported as NDJSON, then exactly the rows of [from, to) stream out, oldest first, as GET /audit shows them', async () => {
    const res = await getJson(audit.url, `/audit/export?from=${from}&to=${to}&format=ndjson`, ['compliance']);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="audit-20260601T000000Z-20260602T000000Z\.ndjson"$/);
    const text = await res.text();
    assert.ok(text.endsWith('\n'));
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l['eventId']), inRange.map((e) => e.id));
    const listed = (await (await getJson(audit.url, `/audit?from=${from}&to=${to}`, ['compliance'])).json()) as { items: unknown[] };
    assert.deepEqual(lines, listed.items);
  });

  it('when no format is given, then NDJSON; when filters are given, then they apply', async () => {
    const res = await getJson(audit.url, `/audit/export?from=${from}&to=${to}&source=emergency`, ['admin']);
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const ids = (await res.text()).trimEnd().split('\n').map((l) => (JSON.parse(l) as { eventId: string }).eventId);
    assert.deepEqual(ids, [inRange[2]?.id]);
  });

  it('when exported as CSV, then RFC 4180 records with JSON columns as JSON text round-trip every value', async () => {
    const res = await getJson(audit.url, `/audit/export?from=${from}&to=${to}&format=csv`, ['compliance']);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    const [header, ...records] = parseCsv(await res.text());
    assert.deepEqual(header, [
      'event_id', 'occurred_at', 'recorded_at', 'source_app', 'event_type', 'action', 'entity_type', 'entity_id', 'actor_id',
      'actor_kind', 'before', 'after', 'changed_fields', 'metadata', 'trace_id', 'chain_id', 'chain_seq', 'prev_hash', 'hash',
    ]);
    assert.deepEqual(records.map((r) => r[0]), inRange.map((e) => e.id));
    const col = (name: string) => (header ?? []).indexOf(name);
    const row = records[1]!;
    const afterState = JSON.parse(row[col('after')]!) as { title: string; notes: string };
    assert.equal(afterState.title, tricky.title);
    assert.equal(afterState.notes, tricky.notes);
    assert.equal(row[col('before')], '', 'SQL null is an empty field');
    assert.deepEqual(JSON.parse(row[col('changed_fields')]!), []);
    assert.equal((JSON.parse(row[col('metadata')]!) as { topic: string }).topic, 'task-events');
    assert.match(row[col('hash')]!, /^[0-9a-f]{64}$/);
    assert.equal(row[col('occurred_at')], '2026-06-01T08:00:00.000Z');
  });

  it('when the range is empty, then NDJSON is empty and CSV is only the header', async () => {
    const ndjson = await getJson(audit.url, '/audit/export?from=2030-01-01&to=2030-01-02', ['compliance']);
    assert.equal(ndjson.status, 200);
    assert.equal(await ndjson.text(), '');
    const csv = await getJson(audit.url, '/audit/export?from=2030-01-01&to=2030-01-01&format=csv', ['compliance']);
    assert.equal(parseCsv(await csv.text()).length, 1);
  });
});

describe('exporting a large range', () => {
  const ROWS = 20_000;
  let db: AuditSchema;
  let audit: RunningAudit;

  before(async () => {
    db = await createAuditSchema('export_large');
    // Straight into the table (the chain is not what is tested here): ~3.5 KB per row, ~70 MB in all.
    await admin(
      (c) =>
        c.query(
          `INSERT INTO audit_events (event_id, occurred_at, recorded_at, source_app, event_type, action, entity_type, entity_id,
             actor_id, actor_kind, before, after, changed_fields, metadata, trace_id, chain_id, chain_seq, prev_hash, hash)
           SELECT gen_random_uuid(), '2026-01-01T00:00:00Z'::timestamptz + g * interval '1 second', now(), 'tasks', 'task.created',
             'created', 'task', 'task-' || g, 'bulk-loader', 'system', NULL, jsonb_build_object('n', g, 'notes', repeat('x', 3000)),
             '{}', '{"topic":"task-events"}', NULL, 0, g, encode(sha256(('p' || g)::bytea), 'hex'), encode(sha256(g::text::bytea), 'hex')
           FROM generate_series(1, $1::int) AS g`,
          [ROWS],
        ),
      db.schema,
    );
    audit = await startAudit({ DB_SCHEMA: db.schema, STREAM_BATCH_SIZE: '500' });
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  it('when 20k rows are exported, then they stream in batches with the heap staying far below the size of the export', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const sample = () => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    };

    const res = await getJson(audit.url, '/audit/export?from=2026-01-01&to=2027-01-01', ['compliance']);
    assert.equal(res.status, 200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let bytes = 0;
    let lines = 0;
    let nextSample = 0;
    let paused = false;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const byte of value) if (byte === 0x0a) lines++;
      if (!paused && bytes > 2_000_000) {
        // A slow client: the server must wait for it (backpressure) rather than read ahead into memory.
        paused = true;
        await sleep(500);
        sample();
      }
      if (bytes >= nextSample) {
        sample();
        nextSample = bytes + 4_000_000;
      }
    }
    sample();
    assert.equal(lines, ROWS);
    assert.ok(bytes > 60_000_000, `exported ${bytes} bytes`);
    assert.ok(peak < 30_000_000, `heap grew by ${Math.round(peak / 1e6)} MB while streaming ${Math.round(bytes / 1e6)} MB`);
  });

  it('when the client walks away mid-export, then the server stops streaming and keeps serving', async () => {
    const res = await getJson(audit.url, '/audit/export?from=2026-01-01&to=2027-01-01&format=csv', ['compliance']);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    await sleep(200);
    const next = await getJson(audit.url, '/audit?limit=1', ['compliance']);
    assert.equal(next.status, 200);
  });
});
