import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { bulkBody, bulkStatuses, deliverBulk, getJson, startAudit } from './support/audit-app.ts';
import { admin, appUrl, createAuditSchema, tamper, withClient } from './support/database.ts';
import { cloudEvent, taskCreated, taskUpdated, taskState } from './support/events.ts';
import { recordHash } from '../src/domain/hash-chain.ts';
import { toStoredEvent } from '../src/data/audit-event-repository.ts';

interface BrokenLink {
  chainId: number;
  seq: number | null;
  eventId: string | null;
  expectedHash: string | null;
  actualHash: string | null;
  reason: string;
}
interface Report {
  ok: boolean;
  checked: number;
  chains: number;
  firstBroken: BrokenLink | null;
}

interface Row {
  event_id: string;
  chain_id: number;
  chain_seq: string;
  hash: string;
  prev_hash: string;
}

/** A fresh trail per scenario: tampering is permanent. */
async function trailWith(label: string, batches: number, perBatch: number, env: Record<string, string> = {}) {
  const db = await createAuditSchema(label);
  const audit = await startAudit({ DB_SCHEMA: db.schema, STREAM_BATCH_SIZE: '10', ...env });
  const events = [];
  for (let b = 0; b < batches; b++) {
    const batch = Array.from({ length: perBatch }, (_, i) =>
      i % 3 === 2 ? taskUpdated({ time: new Date(Date.UTC(2026, 4, 1 + b, 10, i)).toISOString() }) : taskCreated({ time: new Date(Date.UTC(2026, 4, 1 + b, 10, i)).toISOString() }),
    );
    events.push(...batch);
    const res = await deliverBulk(audit.url, 'task-events', bulkBody('task-events', batch.map((e) => ({ event: cloudEvent('task-events', e) }))));
    assert.ok(Object.values(await bulkStatuses(res)).every((s) => s === 'SUCCESS'));
  }
  const rows = await admin(
    async (c) => (await c.query<Row>('SELECT event_id::text, chain_id, chain_seq, hash, prev_hash FROM audit_events ORDER BY chain_id, chain_seq')).rows,
    db.schema,
  );
  return {
    db,
    audit,
    events,
    rows,
    async verify(query = ''): Promise<Report> {
      const res = await getJson(audit.url, `/audit/verify${query}`, ['compliance']);
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Report;
    },
    async close() {
      await audit.close();
      await db.drop();
    },
  };
}

type Trail = Awaited<ReturnType<typeof trailWith>>;

describe('verifying the hash chain', () => {
  const trails: Trail[] = [];
  const trail = async (...args: Parameters<typeof trailWith>) => {
    const t = await trailWith(...args);
    trails.push(t);
    return t;
  };
  after(async () => {
    for (const t of trails) await t.close();
  });

  it('when nothing was touched, then verify walks every row (in batches) and reports ok', async () => {
    const t = await trail('verify_ok', 3, 12);
    const report = await t.verify();
    assert.deepEqual(report, { ok: true, checked: 36, chains: 32, legacyRows: 0, firstBroken: null, from: null, to: null });
  });

  it('when a superuser rewrites a row with the trigger disabled, then verify reports that row as the first broken link', async () => {
    const t = await trail('verify_edit', 2, 8);
    const victim = t.rows[5]!;
    const changed = await tamper(t.db.schema, `UPDATE audit_events SET actor_id = 'someone-else' WHERE event_id = $1`, [victim.event_id]);
    assert.equal(changed, 1, 'the tampering really happened');

    const report = await t.verify();
    assert.equal(report.ok, false);
    const recomputed = recordHash(toStoredEvent(prismaShape(await rawRow(t.db.schema, victim.event_id))));
    assert.deepEqual(report.firstBroken, {
      chainId: victim.chain_id,
      seq: Number(victim.chain_seq),
      eventId: victim.event_id,
      expectedHash: recomputed,
      actualHash: victim.hash,
      reason: 'hash-mismatch',
    });
    assert.notEqual(recomputed, victim.hash);
  });

  it('when the tamperer also re-hashes the row, then the next row no longer links to it', async () => {
    const t = await trail('verify_rehash', 1, 6);
    const victim = t.rows[2]!;
    const next = t.rows[3]!;
    await tamper(t.db.schema, `UPDATE audit_events SET after = jsonb_set(after, '{title}', '"forged"') WHERE event_id = $1`, [victim.event_id]);
    const forgedHash = recordHash(toStoredEvent(prismaShape(await rawRow(t.db.schema, victim.event_id))));
    await tamper(t.db.schema, 'UPDATE audit_events SET hash = $2 WHERE event_id = $1', [victim.event_id, forgedHash]);

    const report = await t.verify();
    assert.deepEqual(report.firstBroken, {
      chainId: next.chain_id,
      seq: Number(next.chain_seq),
      eventId: next.event_id,
      expectedHash: forgedHash,
      actualHash: victim.hash,
      reason: 'prev-hash-mismatch',
    });
  });

  it('when a row is deleted, then the row after it reports a missing predecessor', async () => {
    const t = await trail('verify_delete', 1, 6);
    const victim = t.rows[3]!;
    await tamper(t.db.schema, 'DELETE FROM audit_events WHERE event_id = $1', [victim.event_id]);
    const report = await t.verify();
    assert.equal(report.firstBroken?.reason, 'missing-predecessor');
    assert.equal(report.firstBroken?.seq, Number(victim.chain_seq) + 1);
    assert.equal(report.firstBroken?.eventId, t.rows[4]?.event_id);
  });

  it('when the newest row of a chain is deleted, then the chain head gives it away', async () => {
    const t = await trail('verify_tail', 1, 4);
    const last = t.rows.at(-1)!;
    await tamper(t.db.schema, 'DELETE FROM audit_events WHERE event_id = $1', [last.event_id]);
    const report = await t.verify();
    assert.deepEqual(report.firstBroken, {
      chainId: last.chain_id,
      seq: Number(last.chain_seq),
      eventId: null,
      expectedHash: last.hash,
      actualHash: null,
      reason: 'missing-head-row',
    });
  });

  it('when a forged row is slipped into the middle of a chain, then the duplicate position is reported', async () => {
    const t = await trail('verify_insert', 1, 5);
    const copy = t.rows[2]!;
    await admin(
      (c) =>
        c.query(
          `INSERT INTO audit_events SELECT gen_random_uuid(), occurred_at, recorded_at, source_app, event_type, action, entity_type, entity_id,
             'intruder', actor_kind, before, after, changed_fields, metadata, trace_id, chain_id, chain_seq, prev_hash, hash
           FROM audit_events WHERE event_id = $1`,
          [copy.event_id],
        ),
      t.db.schema,
    );
    const report = await t.verify();
    assert.equal(report.ok, false);
    assert.ok(['duplicate-seq', 'hash-mismatch'].includes(report.firstBroken?.reason ?? ''), JSON.stringify(report.firstBroken));
    assert.equal(report.firstBroken?.seq, Number(copy.chain_seq));
  });

  it('when a forged row sits past a chain\'s tip or on a chain that does not exist, then verify names it', async () => {
    const t = await trail('verify_forged', 1, 3);
    const model = t.rows[0]!;
    const forge = (chainId: number, seq: number) =>
      admin(
        (c) =>
          c.query(
            `INSERT INTO audit_events SELECT gen_random_uuid(), occurred_at, recorded_at - interval '1 hour', source_app, event_type, action,
               entity_type, entity_id, actor_id, actor_kind, before, after, changed_fields, metadata, trace_id, $2, $3, prev_hash, hash
             FROM audit_events WHERE event_id = $1`,
            [model.event_id, chainId, seq],
          ),
        t.db.schema,
      );
    await forge(model.chain_id, 99);
    const beyond = await t.verify();
    assert.deepEqual([beyond.firstBroken?.reason, beyond.firstBroken?.chainId, beyond.firstBroken?.seq], ['beyond-head', model.chain_id, 99]);
    await forge(500, 1);
    assert.deepEqual((await t.verify()).firstBroken, { chainId: 500, seq: null, eventId: null, expectedHash: null, actualHash: null, reason: 'unknown-chain' });
  });

  it('when a range is given, then only rows that occurred in it are checked, still against the rows before them', async () => {
    const t = await trail('verify_range', 3, 10);
    // Batch b happened on 2026-05-0(1+b); the range covers the second day only.
    const report = await t.verify('?from=2026-05-02T00:00:00Z&to=2026-05-03T00:00:00Z');
    assert.deepEqual({ ok: report.ok, checked: report.checked }, { ok: true, checked: 10 });

    // Tampering outside the range is out of scope for a ranged check, and found by a full one.
    const outside = t.rows.find((r) => t.events.findIndex((e) => e.id === r.event_id) === 25)!;
    await tamper(t.db.schema, `UPDATE audit_events SET entity_id = 'elsewhere' WHERE event_id = $1`, [outside.event_id]);
    assert.equal((await t.verify('?from=2026-05-02T00:00:00Z&to=2026-05-03T00:00:00Z')).ok, true);
    assert.equal((await t.verify()).firstBroken?.eventId, outside.event_id);
  });

  it('when retention dropped an old partition, then its receipts keep the chain verifiable and a deletion is still caught', async () => {
    const t = await trail('verify_retention', 0, 0);
    // Native partitions need January 2000 made; a hypertable makes its (7-day) chunks as the rows arrive.
    if (t.db.engine === 'native') {
      await admin(
        (c) => c.query(`CREATE TABLE audit_events_p200001 PARTITION OF audit_events FOR VALUES FROM ('2000-01-01Z') TO ('2000-02-01Z')`),
        t.db.schema,
      );
    }
    // Old and new events interleaved on the same chains, so the drop leaves holes in the middle of them.
    const mixed = Array.from({ length: 12 }, (_, i) => taskCreated({ task: taskState(), time: i % 2 === 0 ? `2000-01-1${i % 10}T00:00:00.000Z` : new Date().toISOString() }));
    for (let i = 0; i < mixed.length; i += 4) {
      const body = bulkBody('task-events', mixed.slice(i, i + 4).map((e) => ({ event: cloudEvent('task-events', e) })));
      await bulkStatuses(await deliverBulk(t.audit.url, 'task-events', body));
    }
    assert.equal((await t.verify()).checked, 12);

    const dropped = await withClient(appUrl(), async (c) => (await c.query<{ n: number }>('SELECT drop_expired_audit_partitions(2555) AS n')).rows[0]?.n, t.db.schema);
    if (t.db.engine === 'native') assert.equal(dropped, 1);
    else assert.ok((dropped ?? 0) >= 2, `the chunks of 2000-01-10..18, got ${dropped}`);
    const receipts = await admin(async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_retention_receipts')).rows[0]?.n, t.db.schema);
    assert.ok((receipts ?? 0) >= 1);
    const after = await t.verify();
    assert.deepEqual({ ok: after.ok, checked: after.checked }, { ok: true, checked: 6 });

    const survivor = await admin(async (c) => (await c.query<Row>(`SELECT event_id::text, chain_id, chain_seq FROM audit_events ORDER BY chain_seq LIMIT 1`)).rows[0]!, t.db.schema);
    await tamper(t.db.schema, 'DELETE FROM audit_events WHERE event_id = $1', [survivor.event_id]);
    const report = await t.verify();
    assert.equal(report.ok, false);
    assert.ok(['missing-predecessor', 'missing-head-row'].includes(report.firstBroken?.reason ?? ''));
  });

  it('when the parameters are bad or the caller may not verify, then 4xx problem+json', async () => {
    const t = await trail('verify_params', 0, 0);
    for (const query of ['?from=yesterday', '?to=2026-02-30', '?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z', '?chain=1', '?from=2026-05-01T10:00:00']) {
      const res = await getJson(t.audit.url, `/audit/verify${query}`, ['admin']);
      assert.equal(res.status, 400, query);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
    assert.equal((await getJson(t.audit.url, '/audit/verify', ['user'])).status, 403);
    assert.equal((await getJson(t.audit.url, '/audit/verify', null)).status, 401);
  });
});

async function rawRow(schema: string, eventId: string): Promise<Record<string, unknown>> {
  const rows = await admin(async (c) => (await c.query<Record<string, unknown>>('SELECT * FROM audit_events WHERE event_id = $1', [eventId])).rows, schema);
  assert.equal(rows.length, 1);
  return rows[0] ?? {};
}

/** A raw pg row in the shape Prisma returns it, so the app's own mapping and hash apply. */
function prismaShape(row: Record<string, unknown>) {
  return {
    eventId: row['event_id'] as string,
    occurredAt: row['occurred_at'] as Date,
    recordedAt: row['recorded_at'] as Date,
    sourceApp: row['source_app'] as string,
    eventType: row['event_type'] as string,
    action: row['action'] as string,
    entityType: row['entity_type'] as string,
    entityId: row['entity_id'] as string,
    actorId: row['actor_id'] as string,
    actorKind: row['actor_kind'] as string,
    before: row['before'] as never,
    after: row['after'] as never,
    changedFields: row['changed_fields'] as string[],
    metadata: row['metadata'] as never,
    traceId: row['trace_id'] as string | null,
    chainId: row['chain_id'] as number,
    chainSeq: BigInt(row['chain_seq'] as string),
    prevHash: row['prev_hash'] as string,
    hash: row['hash'] as string,
  };
}
