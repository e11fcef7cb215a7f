import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAINTENANCE_BINDING } from '../src/subscriptions/maintenance.ts';
import { bulkBody, bulkStatuses, deliverBulk, startAudit, triggerBinding, type RunningAudit } from './support/audit-app.ts';
import { createAuditSchema, migrationsDir, type AuditSchema } from './support/database.ts';
import { cloudEvent, taskCreated } from './support/events.ts';

function monthName(d: Date): string {
  return `audit_events_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
function monthFromNow(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}

async function partitions(db: AuditSchema): Promise<string[]> {
  return db.admin(async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  });
}

// Monthly partitions are the native path's (lifeline.storage = 'native'); storage.test.ts holds retention,
// receipts and chunk guards on TimescaleDB.

describe('retention and what the app role may do, on native partitions', () => {
  let db: AuditSchema;
  before(async () => {
    db = await createAuditSchema('retention', migrationsDir, 'native');
  });
  after(async () => {
    await db?.drop();
  });

  it('when the app role asks for a retention below the floor, then the database refuses it, whoever asks', async () => {
    await db.asApp(async (c) => {
      await assert.rejects(c.query('SELECT drop_expired_audit_partitions(2554)'), { code: '42501', message: /floor is 2555 days/ });
      await assert.rejects(c.query('SELECT drop_expired_audit_partitions(1)'), { code: '42501' });
      await assert.rejects(c.query('SELECT drop_expired_audit_partitions(NULL)'), { code: '42501' });
    });
    // The floor binds the function itself, so even the owner goes through it.
    await db.admin((c) => assert.rejects(c.query('SELECT drop_expired_audit_partitions(30)'), { code: '42501' }));
  });

  it('when the app role tries to lower the floor, rewind a chain or forge a receipt, then the database refuses', async () => {
    await db.asApp(async (c) => {
      await assert.rejects(c.query('UPDATE audit_settings SET min_retention_days = 1'), { code: '42501' });
      await assert.rejects(c.query(`INSERT INTO audit_retention_receipts VALUES (0, 1, 1, repeat('0', 64), repeat('0', 64), 1, 'x')`), { code: '42501' });
      await assert.rejects(c.query('UPDATE chain_heads SET last_seq = 0 WHERE chain_id = 0'), { message: /only move forward/ });
      await assert.rejects(c.query('DELETE FROM chain_heads'), { code: '42501' });
      await assert.rejects(c.query('TRUNCATE chain_heads'), { code: '42501' });
      await assert.rejects(c.query('INSERT INTO chain_heads (chain_id) VALUES (99)'), { code: '42501' });
      await assert.rejects(c.query(`UPDATE audit_events SET hash = repeat('0', 64)`), { code: '42501' });
      await assert.rejects(c.query('DELETE FROM audit_events'), { code: '42501' });
      await assert.rejects(c.query('TRUNCATE audit_events'), { code: '42501' });
      await assert.rejects(c.query('TRUNCATE audit_events_default'), { code: '42501' });
      await assert.rejects(c.query('DROP TABLE audit_events_default'), { code: '42501' });
    });
  });

  it('when partitions lie wholly before the cutoff, then only those are dropped, with receipts for their rows', async () => {
    const cutoff = new Date(Date.now() - 2555 * 86_400_000);
    const straddling = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth(), 1));
    const straddlingEnd = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth() + 1, 1));
    await db.admin(async (c) => {
      await c.query(`CREATE TABLE audit_events_p200001 PARTITION OF audit_events FOR VALUES FROM ('2000-01-01Z') TO ('2000-02-01Z')`);
      await c.query(`CREATE TABLE audit_events_p200002 PARTITION OF audit_events FOR VALUES FROM ('2000-02-01Z') TO ('2000-03-01Z')`);
      await c.query(`CREATE TABLE ${monthName(straddling)} PARTITION OF audit_events FOR VALUES FROM ($$${straddling.toISOString()}$$) TO ($$${straddlingEnd.toISOString()}$$)`);
    });

    const audit = await startAudit({ DATABASE_URL: db.appUrl, DB_SCHEMA: db.schema });
    try {
      const old = ['2000-01-05', '2000-01-20', '2000-02-10', '1999-12-31'].map((d) => taskCreated({ time: `${d}T12:00:00.000Z` }));
      const recent = taskCreated({ time: new Date(straddlingEnd.getTime() - 1000).toISOString() });
      const body = bulkBody('task-events', [...old, recent].map((e) => ({ event: cloudEvent('task-events', e) })));
      assert.ok(Object.values(await bulkStatuses(await deliverBulk(audit.url, 'task-events', body))).every((s) => s === 'SUCCESS'));
    } finally {
      await audit.close();
    }

    const dropped = await db.asApp(async (c) => (await c.query<{ n: number }>('SELECT drop_expired_audit_partitions(2555) AS n')).rows[0]?.n);
    assert.equal(dropped, 2);
    const names = await partitions(db);
    assert.ok(!names.includes('audit_events_p200001') && !names.includes('audit_events_p200002'));
    assert.ok(names.includes(monthName(straddling)), 'a partition reaching past the cutoff is kept whole');
    assert.ok(names.includes('audit_events_default'), 'the default partition is never dropped');
    assert.ok(names.includes(monthName(monthFromNow(0))));

    const { rows } = await db.admin((c) => c.query<{ rows: string; sources: string[] }>(`SELECT sum(row_count)::text AS rows, array_agg(DISTINCT dropped_from ORDER BY dropped_from) AS sources FROM audit_retention_receipts`));
    assert.deepEqual(rows[0], { rows: '3', sources: ['audit_events_p200001', 'audit_events_p200002'] });
    const left = await db.admin(async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events')).rows[0]?.n);
    assert.equal(left, 2, 'the 1999 row (default partition) and the recent one remain');

    // Nothing more to drop: a second run is a no-op.
    assert.equal(await db.asApp(async (c) => (await c.query<{ n: number }>('SELECT drop_expired_audit_partitions(2555) AS n')).rows[0]?.n), 0);
  });

  it('when the owner lowers the floor, then the app may ask for the shorter retention', async () => {
    await db.admin((c) => c.query('UPDATE audit_settings SET min_retention_days = 30'));
    try {
      const dropped = await db.asApp(async (c) => (await c.query<{ n: number }>('SELECT drop_expired_audit_partitions(30) AS n')).rows[0]?.n);
      assert.equal(typeof dropped, 'number');
      await db.asApp((c) => assert.rejects(c.query('SELECT drop_expired_audit_partitions(29)'), { code: '42501' }));
    } finally {
      await db.admin((c) => c.query('UPDATE audit_settings SET min_retention_days = 2555'));
    }
  });

  it('when the storage is native, then setting the compression age is a no-op and nonsense is refused', async () => {
    await db.asApp(async (c) => {
      assert.equal((await c.query<{ changed: boolean }>('SELECT set_audit_compression_after(30) AS changed')).rows[0]?.changed, false);
      await assert.rejects(c.query('SELECT set_audit_compression_after(0)'), { code: '22023' });
    });
  });
});

describe('the maintenance cron binding, on native partitions', () => {
  let db: AuditSchema;
  let audit: RunningAudit;
  before(async () => {
    db = await createAuditSchema('maintenance', migrationsDir, 'native');
    audit = await startAudit({ DATABASE_URL: db.appUrl, DB_SCHEMA: db.schema, PARTITION_MONTHS_AHEAD: '6' });
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  it('when daprd fires audit-maintenance-cron, then partitions are created ahead and expired ones dropped', async () => {
    assert.equal(MAINTENANCE_BINDING, 'audit-maintenance-cron');
    assert.ok(!(await partitions(db)).includes(monthName(monthFromNow(6))));
    await db.admin((c) => c.query(`CREATE TABLE audit_events_p200001 PARTITION OF audit_events FOR VALUES FROM ('2000-01-01Z') TO ('2000-02-01Z')`));

    assert.equal((await fetch(`${audit.url}/${MAINTENANCE_BINDING}`, { method: 'OPTIONS' })).status, 200);
    const res = await triggerBinding(audit.url, MAINTENANCE_BINDING);
    assert.equal(res.status, 200);
    const names = await partitions(db);
    for (let m = 0; m <= 6; m++) assert.ok(names.includes(monthName(monthFromNow(m))), `${monthName(monthFromNow(m))} in ${names.join(', ')}`);
    assert.ok(!names.includes('audit_events_p200001'));
    // Replicas fire too; a second run changes nothing.
    assert.equal((await triggerBinding(audit.url, MAINTENANCE_BINDING)).status, 200);
    assert.deepEqual(await partitions(db), names);
  });

  it('when the binding is called without the app token, then 401 and nothing runs', async () => {
    assert.equal((await triggerBinding(audit.url, MAINTENANCE_BINDING, null)).status, 401);
  });

  it('when RETENTION_DAYS is below the floor, then the run fails loudly but partitions are still made', async () => {
    const low = await startAudit({ DATABASE_URL: db.appUrl, DB_SCHEMA: db.schema, PARTITION_MONTHS_AHEAD: '8', RETENTION_DAYS: '30' });
    try {
      const res = await triggerBinding(low.url, MAINTENANCE_BINDING);
      assert.equal(res.status, 500);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.ok((await partitions(db)).includes(monthName(monthFromNow(8))));
    } finally {
      await low.close();
    }
  });
});
