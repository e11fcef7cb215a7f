import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureAuditPartitions } from '../src/data/storage-maintenance.ts';
import { deliver, startAudit, type RunningAudit } from './support/audit-app.ts';
import { admin, appUrl, createAuditSchema, withClient, type AuditSchema } from './support/database.ts';
import { cloudEvent, taskCreated } from './support/events.ts';

function monthName(offset: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return `audit_events_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function monthStart(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}

describe('audit storage on plain Postgres', () => {
  let db: AuditSchema;
  let audit: RunningAudit;

  before(async () => {
    db = await createAuditSchema('storage');
    audit = await startAudit({ DB_SCHEMA: db.schema });
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  const partitions = () =>
    admin(async (c) => {
      const { rows } = await c.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`,
      );
      return rows.map((r) => r.name);
    }, db.schema);

  const partitionOf = (eventId: string) =>
    admin(async (c) => {
      const { rows } = await c.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM audit_events WHERE event_id = $1', [eventId]);
      return rows.map((r) => r.part);
    }, db.schema);

  it('when migrated without TimescaleDB, then monthly partitions exist for this month and three ahead, plus a default', async () => {
    const { rows } = await admin((c) => c.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = 'audit_events'::regclass`), db.schema);
    assert.equal(rows[0]?.relkind, 'p');
    const names = await partitions();
    for (const offset of [0, 1, 2, 3]) assert.ok(names.includes(monthName(offset)), `${monthName(offset)} in ${names.join(', ')}`);
    assert.ok(names.includes('audit_events_default'));
  });

  it('when an event happened far in the past, then it lands in the default partition and is still recorded', async () => {
    const event = taskCreated({ time: '2001-02-03T04:05:06.789Z' });
    const res = await deliver(audit.url, 'task-events', cloudEvent('task-events', event));
    assert.deepEqual(await res.json(), { status: 'SUCCESS' });
    assert.deepEqual(await partitionOf(event.id), ['audit_events_default']);
  });

  it('when an event happens now, then it lands in this month\'s partition', async () => {
    const event = taskCreated();
    await deliver(audit.url, 'task-events', cloudEvent('task-events', event));
    assert.deepEqual(await partitionOf(event.id), [monthName(0)]);
  });

  it('when the app role tries to UPDATE or DELETE audit rows, then permission is denied', async () => {
    await withClient(
      appUrl(),
      async (c) => {
        await assert.rejects(c.query(`UPDATE audit_events SET actor_id = 'someone-else'`), { code: '42501', message: /permission denied/ });
        await assert.rejects(c.query('DELETE FROM audit_events'), { code: '42501', message: /permission denied/ });
        await assert.rejects(c.query('TRUNCATE audit_events'), { code: '42501' });
        await assert.rejects(c.query('UPDATE dead_letters SET reason = NULL'), { code: '42501' });
        // What it may do: read and append.
        await c.query('SELECT count(*) FROM audit_events');
      },
      db.schema,
    );
  });

  it('when even the owner tries to rewrite history, then the append-only trigger refuses', async () => {
    await admin(async (c) => {
      await assert.rejects(c.query(`UPDATE audit_events SET actor_id = 'someone-else'`), { message: /append-only/ });
      await assert.rejects(c.query('DELETE FROM audit_events'), { message: /append-only/ });
      await assert.rejects(c.query('TRUNCATE audit_events'), { message: /append-only/ });
      await assert.rejects(c.query('TRUNCATE audit_events_default'), { message: /append-only/ });
    }, db.schema);
  });

  it('when the app ran past the created partitions, then ensuring more re-homes the rows parked in the default partition', async () => {
    const later = new Date(monthStart(5).getTime() + 86_400_000).toISOString();
    const event = taskCreated({ time: later });
    await deliver(audit.url, 'task-events', cloudEvent('task-events', event));
    assert.deepEqual(await partitionOf(event.id), ['audit_events_default']);

    // The app role may create partitions ahead (through the definer function), nothing more.
    const created = await ensureAuditPartitions(audit.prisma, 6);
    assert.equal(created, 3); // months 4, 5 and 6
    assert.deepEqual(await partitionOf(event.id), [monthName(5)]);
    // Replicas all ensure at start; they must not trip over each other.
    const racing = await Promise.all([1, 2, 3].map(() => ensureAuditPartitions(audit.prisma, 8)));
    assert.equal(racing.reduce((a, b) => a + b, 0), 2); // months 7 and 8, each created once
    assert.equal(await ensureAuditPartitions(audit.prisma, 8), 0);
    // The far-past row stayed where it was.
    const { rows } = await admin((c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events_default'), db.schema);
    assert.equal(rows[0]?.n, 1);
  });

  it('when a partition is older than the retention, then drop_expired_audit_partitions drops it and only it', async () => {
    await admin(async (c) => {
      await c.query(`CREATE TABLE audit_events_p200001 PARTITION OF audit_events FOR VALUES FROM ('2000-01-01Z') TO ('2000-02-01Z')`);
      const { rows } = await c.query<{ dropped: number }>('SELECT drop_expired_audit_partitions(2555) AS dropped');
      assert.equal(rows[0]?.dropped, 1);
    }, db.schema);
    const names = await partitions();
    assert.ok(!names.includes('audit_events_p200001'));
    assert.ok(names.includes(monthName(0)));
    await withClient(
      appUrl(),
      (c) => assert.rejects(c.query('SELECT drop_expired_audit_partitions(1)'), { code: '42501' }),
      db.schema,
    );
  });
});
