import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bulkBody, bulkStatuses, deliverBulk, getJson, startAudit, type RunningAudit } from './support/audit-app.ts';
import { admin, chainHeads, countRows, createAuditSchema, type AuditSchema } from './support/database.ts';
import { cloudEvent, taskCreated, taskState, taskUpdated } from './support/events.ts';

interface VerifyBody {
  ok: boolean;
  checked: number;
  firstBroken: unknown;
}

describe('bulk ingestion from the sidecar', () => {
  let db: AuditSchema;
  let audit: RunningAudit;

  before(async () => {
    db = await createAuditSchema('bulk');
    audit = await startAudit({ DB_SCHEMA: db.schema });
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  const rowsOf = (eventIds: string[]) =>
    admin(
      async (c) =>
        (
          await c.query<{ event_id: string; chain_id: number; chain_seq: string; prev_hash: string; hash: string }>(
            'SELECT event_id::text, chain_id, chain_seq, prev_hash, hash FROM audit_events WHERE event_id = ANY($1::uuid[]) ORDER BY chain_id, chain_seq',
            [eventIds],
          )
        ).rows,
      db.schema,
    );

  const verify = async (): Promise<VerifyBody> => {
    const res = await getJson(audit.url, '/audit/verify', ['compliance']);
    assert.equal(res.status, 200);
    return (await res.json()) as VerifyBody;
  };

  it('when daprd delivers a batch, then every entry is SUCCESS and the batch is chained in entry order on one chain', async () => {
    const task = taskState();
    const events = [taskCreated({ task }), taskUpdated({ task }), taskCreated(), taskCreated()];
    const body = bulkBody('task-events', events.map((e) => ({ event: cloudEvent('task-events', e) })));
    const statuses = await bulkStatuses(await deliverBulk(audit.url, 'task-events', body));
    assert.deepEqual(Object.values(statuses), ['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    assert.deepEqual(Object.keys(statuses), body.entries.map((e) => e.entryId));

    const rows = await rowsOf(events.map((e) => e.id));
    assert.equal(rows.length, 4);
    assert.equal(new Set(rows.map((r) => r.chain_id)).size, 1, 'one batch, one chain');
    const bySeq = [...rows].sort((a, b) => Number(a.chain_seq) - Number(b.chain_seq));
    assert.deepEqual(bySeq.map((r) => r.event_id), events.map((e) => e.id), 'chained in the order delivered');
    for (let i = 1; i < bySeq.length; i++) {
      assert.equal(Number(bySeq[i]?.chain_seq), Number(bySeq[i - 1]?.chain_seq) + 1);
      assert.equal(bySeq[i]?.prev_hash, bySeq[i - 1]?.hash);
    }
    const head = (await chainHeads(db.schema)).find((h) => h.chain_id === rows[0]?.chain_id);
    assert.equal(head?.last_hash, bySeq.at(-1)?.hash);
    assert.deepEqual(await verify(), { ok: true, checked: 4, chains: 32, legacyRows: 0, firstBroken: null, from: null, to: null });
  });

  it('when a batch mixes valid and invalid entries, then each gets its own status and only the valid ones are stored', async () => {
    const good1 = taskCreated();
    const good2 = taskCreated();
    const broken = { ...taskCreated(), data: { after: { title: 42 } } };
    const body = bulkBody('task-events', [
      { entryId: 'a', event: cloudEvent('task-events', good1) },
      { entryId: 'b', event: cloudEvent('task-events', broken) },
      { entryId: 'c', event: { not: 'a cloud event' } },
      { entryId: 'd', event: cloudEvent('task-events', good2) },
    ]);
    assert.deepEqual(await bulkStatuses(await deliverBulk(audit.url, 'task-events', body)), { a: 'SUCCESS', b: 'DROP', c: 'DROP', d: 'SUCCESS' });
    assert.equal(await countRows(db.schema, 'event_id = ANY($1::uuid[])', [[good1.id, good2.id, broken.id]]), 2);
  });

  it('when a batch is redelivered, then nothing is stored twice, every entry is SUCCESS and no chain advances', async () => {
    const events = [taskCreated(), taskCreated(), taskCreated()];
    const entries = events.map((e) => ({ event: cloudEvent('task-events', e) }));
    await bulkStatuses(await deliverBulk(audit.url, 'task-events', bulkBody('task-events', entries)));
    const heads = await chainHeads(db.schema);
    const total = await countRows(db.schema);

    // daprd gives a redelivery new entry ids; the same events inside, plus one repeated within the batch.
    const again = bulkBody('task-events', [...entries, entries[0]!].map((e) => ({ event: e.event })));
    const statuses = await bulkStatuses(await deliverBulk(audit.url, 'task-events', again));
    assert.deepEqual(Object.values(statuses), ['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    assert.equal(await countRows(db.schema), total);
    assert.deepEqual(await chainHeads(db.schema), heads);
  });

  it('when a batch holds both new and already recorded events, then only the new ones advance the chain', async () => {
    const old = taskCreated();
    await bulkStatuses(await deliverBulk(audit.url, 'task-events', bulkBody('task-events', [{ event: cloudEvent('task-events', old) }])));
    const heads = await chainHeads(db.schema);
    const fresh = taskCreated();
    const body = bulkBody('task-events', [{ event: cloudEvent('task-events', old) }, { event: cloudEvent('task-events', fresh) }]);
    await bulkStatuses(await deliverBulk(audit.url, 'task-events', body));
    const [row] = await rowsOf([fresh.id]);
    const headBefore = heads.find((h) => h.chain_id === row?.chain_id);
    assert.equal(Number(row?.chain_seq), Number(headBefore?.last_seq) + 1, 'exactly one position taken');
    assert.equal(row?.prev_hash, headBefore?.last_hash);
    assert.equal((await verify()).ok, true);
  });

  it('when one chain is held by another writer, then a batch goes to a free chain instead of waiting', async () => {
    const event = taskCreated();
    await admin(async (c) => {
      await c.query('BEGIN');
      await c.query('SELECT * FROM chain_heads WHERE chain_id = 0 FOR UPDATE');
      try {
        const res = await Promise.race([
          deliverBulk(audit.url, 'task-events', bulkBody('task-events', [{ event: cloudEvent('task-events', event) }])),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the batch waited for the locked chain')), 3000)),
        ]);
        assert.deepEqual(Object.values(await bulkStatuses(res)), ['SUCCESS']);
      } finally {
        await c.query('ROLLBACK');
      }
    }, db.schema);
    const [row] = await rowsOf([event.id]);
    assert.notEqual(row?.chain_id, 0);
  });

  it('when many batches arrive at once, then all succeed on different chains and the trail verifies', async () => {
    const batches = Array.from({ length: 6 }, () => Array.from({ length: 25 }, () => taskCreated()));
    const results = await Promise.all(
      batches.map((events) => deliverBulk(audit.url, 'task-events', bulkBody('task-events', events.map((e) => ({ event: cloudEvent('task-events', e) }))))),
    );
    for (const res of results) assert.ok(Object.values(await bulkStatuses(res)).every((s) => s === 'SUCCESS'));
    const rows = await rowsOf(batches.flat().map((e) => e.id));
    assert.equal(rows.length, 150);
    // Each batch is contiguous on its own chain.
    for (const events of batches) {
      const mine = rows.filter((r) => events.some((e) => e.id === r.event_id));
      assert.equal(new Set(mine.map((r) => r.chain_id)).size, 1);
    }
    assert.ok(new Set(rows.map((r) => r.chain_id)).size > 1, 'concurrent batches used more than one chain');
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
  });

  it('when the same batch is delivered twice at the same moment, then each event is stored once and the chains stay whole', async () => {
    const events = Array.from({ length: 20 }, () => taskCreated());
    const entries = events.map((e) => ({ event: cloudEvent('task-events', e) }));
    const answers = await Promise.all([1, 2, 3].map(() => deliverBulk(audit.url, 'task-events', bulkBody('task-events', entries))));
    for (const res of answers) {
      // A loser of the race is told to retry (its chain would otherwise have a hole); the retry is a duplicate.
      for (const status of Object.values(await bulkStatuses(res))) assert.ok(status === 'SUCCESS' || status === 'RETRY', status);
    }
    const again = await bulkStatuses(await deliverBulk(audit.url, 'task-events', bulkBody('task-events', entries)));
    assert.ok(Object.values(again).every((s) => s === 'SUCCESS'));
    assert.equal(await countRows(db.schema, 'event_id = ANY($1::uuid[])', [events.map((e) => e.id)]), 20);
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
  });

  it('when one event of a batch breaks the contract, then only that entry is DROP and the rest are stored', async () => {
    // Year 0000 (which Postgres has not) from a producer that skipped validation: without isolation the whole batch would retry forever.
    const impossible = { ...taskCreated(), time: '0000-06-01T00:00:00.000Z' };
    const fine = [taskCreated(), taskCreated()];
    const body = bulkBody('task-events', [
      { entryId: 'x', event: cloudEvent('task-events', fine[0]) },
      { entryId: 'y', event: cloudEvent('task-events', impossible) },
      { entryId: 'z', event: cloudEvent('task-events', fine[1]) },
    ]);
    assert.deepEqual(await bulkStatuses(await deliverBulk(audit.url, 'task-events', body)), { x: 'SUCCESS', y: 'DROP', z: 'SUCCESS' });
    assert.equal(await countRows(db.schema, 'event_id = ANY($1::uuid[])', [fine.map((e) => e.id)]), 2);
    assert.equal((await verify()).ok, true);
  });

  it('when the bulk route is called without the app token, then 401 and nothing is stored', async () => {
    const event = taskCreated();
    const res = await deliverBulk(audit.url, 'task-events', bulkBody('task-events', [{ event: cloudEvent('task-events', event) }]), null);
    assert.equal(res.status, 401);
    assert.equal(await countRows(db.schema, 'event_id = $1', [event.id]), 0);
  });

  it('when an event carries unpaired UTF-16 surrogates, then the contract refuses it (DROP: the dead-letter topic records it) and the trail still verifies', async () => {
    const valid = taskCreated();
    const event = { ...valid, data: { after: { ...valid.data.after, title: 'broken \ud800 text' } } };
    const statuses = await bulkStatuses(await deliverBulk(audit.url, 'task-events', bulkBody('task-events', [{ event: cloudEvent('task-events', event) }])));
    assert.deepEqual(Object.values(statuses), ['DROP']);
    assert.equal(await countRows(db.schema, 'event_id = $1', [event.id]), 0);
    assert.equal((await verify()).ok, true);
  });
});
