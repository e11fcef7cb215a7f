import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureAuditPartitions } from '../src/data/storage-maintenance.ts';
import { bulkBody, bulkStatuses, deliver, deliverBulk, getJson, startAudit, type RunningAudit } from './support/audit-app.ts';
import { createAuditSchema, migrationsDir, storageDatabase, type AuditSchema, type StorageEngine } from './support/database.ts';
import { cloudEvent, taskCreated } from './support/events.ts';

// Both storage paths in one run: the stack's database (TimescaleDB where the server preloads it) and a
// database with lifeline.storage = 'native'. Each case names the path it holds for.
const paths = { native: await storageDatabase('native'), timescaledb: await storageDatabase('timescaledb') };
const PATH_NAME: Record<StorageEngine, string> = { native: 'native partitions', timescaledb: 'a TimescaleDB hypertable' };

function monthName(offset: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return `audit_events_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function monthStart(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}

interface Verified {
  ok: boolean;
  checked: number;
  firstBroken: { reason: string } | null;
}

/** The tables that hold rows: partitions, or chunks and compressed chunks, schema-qualified. */
async function storageTables(db: AuditSchema): Promise<string[]> {
  const sql =
    db.engine === 'native'
      ? `SELECT c.oid::regclass::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`
      : `SELECT format('%I.%I', ch.schema_name, ch.table_name) AS name
         FROM _timescaledb_catalog.hypertable h
         JOIN _timescaledb_catalog.chunk ch ON ch.hypertable_id IN (h.id, h.compressed_hypertable_id)
         WHERE h.schema_name = current_schema() AND h.table_name = 'audit_events' ORDER BY 1`;
  return db.admin(async (c) => (await c.query<{ name: string }>(sql)).rows.map((r) => r.name));
}

for (const engine of ['native', 'timescaledb'] as const) {
  describe(`audit storage on ${PATH_NAME[engine]}`, { skip: paths[engine].unavailable ?? false }, () => {
    let db: AuditSchema;
    let audit: RunningAudit;

    before(async () => {
      db = await createAuditSchema(`storage_${engine === 'native' ? 'nat' : 'ts'}`, migrationsDir, engine);
      audit = await startAudit({ DATABASE_URL: db.appUrl, DB_SCHEMA: db.schema });
    });
    after(async () => {
      await audit?.close();
      await db?.drop();
    });

    const record = async (...events: ReturnType<typeof taskCreated>[]) => {
      const statuses = await bulkStatuses(await deliverBulk(audit.url, 'task-events', bulkBody('task-events', events.map((e) => ({ event: cloudEvent('task-events', e) })))));
      assert.ok(Object.values(statuses).every((s) => s === 'SUCCESS'), JSON.stringify(statuses));
    };
    const verify = async (): Promise<Verified> => {
      const res = await getJson(audit.url, '/audit/verify', ['compliance']);
      assert.equal(res.status, 200);
      return (await res.json()) as Verified;
    };
    const count = () => db.admin(async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events')).rows[0]?.n ?? 0);

    it(`when migrated for ${PATH_NAME[engine]}, then audit_events has that storage`, async () => {
      const { rows } = await db.admin(async (c) => {
        const timescale = (await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)).rowCount === 1;
        return c.query<{ kind: string; hypertable: boolean }>(
          `SELECT relkind AS kind, ${timescale ? `EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_schema = current_schema() AND hypertable_name = 'audit_events')` : 'false'} AS hypertable
           FROM pg_class WHERE oid = 'audit_events'::regclass`,
        );
      });
      assert.equal(db.engine, engine);
      assert.deepEqual(rows[0], engine === 'native' ? { kind: 'p', hypertable: false } : { kind: 'r', hypertable: true });
    });

    it(`when events from 2001, now and next year are recorded on ${PATH_NAME[engine]}, then each lands in storage for its time and all verify`, async (t) => {
      const events = ['2001-02-03T04:05:06.789Z', new Date().toISOString(), new Date(Date.now() + 300 * 86_400_000).toISOString()].map((time) => taskCreated({ time }));
      await record(...events);
      const homes = await db.admin(async (c) => (await c.query<{ id: string; home: string }>('SELECT event_id::text AS id, tableoid::regclass::text AS home FROM audit_events')).rows);
      const homeOf = (id: string) => homes.find((h) => h.id === id)?.home;
      if (engine === 'native') {
        assert.equal(homeOf(events[0]!.id), 'audit_events_default');
        assert.equal(homeOf(events[1]!.id), monthName(0));
      } else {
        // Three 7-day chunks, one per event.
        assert.equal(new Set(homes.map((h) => h.home)).size, 3);
        assert.ok(homes.every((h) => h.home.startsWith('_timescaledb_internal._hyper_')), JSON.stringify(homes));
      }
      t.diagnostic(`${engine}: ${(await storageTables(db)).length} partitions/chunks after 3 events`);
      const report = await verify();
      assert.deepEqual({ ok: report.ok, checked: report.checked }, { ok: true, checked: 3 });
    });

    it(`when the app role tries to UPDATE, DELETE or TRUNCATE audit rows on ${PATH_NAME[engine]}, then permission is denied, for the table and each partition or chunk`, async () => {
      await record(taskCreated());
      const tables = await storageTables(db);
      await db.asApp(async (c) => {
        await assert.rejects(c.query(`UPDATE audit_events SET actor_id = 'someone-else'`), { code: '42501', message: /permission denied/ });
        await assert.rejects(c.query('DELETE FROM audit_events'), { code: '42501', message: /permission denied/ });
        await assert.rejects(c.query('TRUNCATE audit_events'), { code: '42501' });
        for (const table of tables) {
          await assert.rejects(c.query(`TRUNCATE ${table}`), { code: '42501' }, table);
          await assert.rejects(c.query(`DELETE FROM ${table}`), { code: '42501' }, table);
        }
        await assert.rejects(c.query('UPDATE dead_letters SET reason = NULL'), { code: '42501' });
        // What it may do: read and append.
        await c.query('SELECT count(*) FROM audit_events');
      });
    });

    it(`when even the migration owner tries to rewrite history on ${PATH_NAME[engine]}, then the append-only triggers refuse UPDATE, DELETE and TRUNCATE of the table and of every partition or chunk`, async () => {
      await record(taskCreated({ time: '2003-03-03T03:03:03.000Z' }), taskCreated());
      const before = await count();
      const tables = await storageTables(db);
      assert.ok(tables.length >= 2);
      await db.admin(async (c) => {
        await assert.rejects(c.query(`UPDATE audit_events SET actor_id = 'someone-else'`), { message: /append-only/ });
        await assert.rejects(c.query('DELETE FROM audit_events'), { message: /append-only/ });
        await assert.rejects(c.query('TRUNCATE audit_events'), { message: /append-only/ });
        for (const table of tables) {
          await assert.rejects(c.query(`TRUNCATE ${table}`), { message: /append-only/ }, `TRUNCATE ${table}`);
          // A row trigger only has something to refuse where there are rows.
          const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
          if ((rows[0]?.n ?? 0) > 0) await assert.rejects(c.query(`DELETE FROM ${table}`), { message: /append-only/ }, `DELETE FROM ${table}`);
        }
      });
      assert.equal(await count(), before);
      assert.equal((await verify()).ok, true);
    });

    it(`when a partition or chunk lies wholly before the retention on ${PATH_NAME[engine]}, then drop_expired_audit_partitions drops it with receipts, keeps the rest, and the chain still verifies`, async (t) => {
      if (engine === 'native') {
        await db.admin((c) => c.query(`CREATE TABLE audit_events_p200001 PARTITION OF audit_events FOR VALUES FROM ('2000-01-01Z') TO ('2000-02-01Z')`));
      }
      // Both in one 7-day chunk (chunks start on epoch-aligned weeks: 1999-12-30 here).
      await record(taskCreated({ time: '2000-01-03T00:00:00.000Z' }), taskCreated(), taskCreated({ time: '2000-01-04T00:00:00.000Z' }));
      const before = await count();
      const tablesBefore = await storageTables(db);
      const dropped = await db.asApp(async (c) => (await c.query<{ n: number }>('SELECT drop_expired_audit_partitions(2555) AS n')).rows[0]?.n);
      // Native: the January 2000 partition (the 2001/2003 rows sit in the default one, which is never
      // dropped). TimescaleDB: the 2000, 2001 and 2003 chunks.
      assert.equal(dropped, engine === 'native' ? 1 : 3);
      const tablesAfter = await storageTables(db);
      t.diagnostic(`${engine}: ${tablesBefore.length} partitions/chunks before retention, ${tablesAfter.length} after`);
      // (a compressed chunk goes with the chunk it belongs to)
      const holders = (tables: string[]) => tables.filter((n) => !n.includes('compress_hyper_')).length;
      assert.equal(holders(tablesAfter), holders(tablesBefore) - (dropped ?? 0));
      const receipts = await db.admin(async (c) => (await c.query<{ n: number }>('SELECT coalesce(sum(row_count), 0)::int AS n FROM audit_retention_receipts')).rows[0]?.n ?? 0);
      assert.equal(await count(), before - receipts);
      assert.equal(receipts, engine === 'native' ? 2 : 4);
      const report = await verify();
      assert.deepEqual({ ok: report.ok, checked: report.checked }, { ok: true, checked: before - receipts });
      // The floor holds whoever asks.
      await db.asApp((c) => assert.rejects(c.query('SELECT drop_expired_audit_partitions(1)'), { code: '42501' }));
    });

    it(`when export runs on ${PATH_NAME[engine]}, then it streams every row of the range`, async () => {
      const res = await getJson(audit.url, `/audit/export?from=1990-01-01&to=2100-01-01&format=ndjson`, ['compliance']);
      assert.equal(res.status, 200);
      const lines = (await res.text()).split('\n').filter((l) => l !== '');
      assert.equal(lines.length, await count());
    });

    if (engine === 'native') {
      it('when the app ran past the created partitions on native partitions, then ensuring more re-homes the rows parked in the default partition', async () => {
        const later = new Date(monthStart(5).getTime() + 86_400_000).toISOString();
        const event = taskCreated({ time: later });
        await deliver(audit.url, 'task-events', cloudEvent('task-events', event));
        const homeOf = async () => db.admin(async (c) => (await c.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM audit_events WHERE event_id = $1', [event.id])).rows.map((r) => r.part));
        assert.deepEqual(await homeOf(), ['audit_events_default']);

        // The app role may create partitions ahead (through the definer function), nothing more.
        const created = await ensureAuditPartitions(audit.prisma, 6);
        assert.equal(created, 3); // months 4, 5 and 6
        assert.deepEqual(await homeOf(), [monthName(5)]);
        // Replicas all ensure at start; they must not trip over each other.
        const racing = await Promise.all([1, 2, 3].map(() => ensureAuditPartitions(audit.prisma, 8)));
        assert.equal(racing.reduce((a, b) => a + b, 0), 2); // months 7 and 8, each created once
        assert.equal(await ensureAuditPartitions(audit.prisma, 8), 0);
      });

      it('when migrated natively, then monthly partitions exist for this month and the months ahead, plus a default', async () => {
        const names = (await storageTables(db)).map((n) => n.replace(/^.*\./, ''));
        for (const offset of [0, 1, 2, 3]) assert.ok(names.includes(monthName(offset)), `${monthName(offset)} in ${names.join(', ')}`);
        assert.ok(names.includes('audit_events_default'));
      });
    } else {
      const jobs = () =>
        db.admin(async (c) =>
          (
            await c.query<{ id: number; proc: string; config: Record<string, string> }>(
              `SELECT job_id AS id, proc_name AS proc, config FROM timescaledb_information.jobs
               WHERE (hypertable_schema = current_schema() AND hypertable_name = 'audit_events') OR proc_schema = current_schema() ORDER BY proc_name`,
            )
          ).rows,
        );

      it('when migrated for a TimescaleDB hypertable, then it has 7-day chunks, compression segmented by entity_type by a job that compresses after 30 days and guards what it made, and no built-in policy (retention is the guarded function)', async () => {
        assert.deepEqual((await jobs()).map((j) => [j.proc, j.config.compress_after]), [['compress_audit_chunks', '30 days']]);
        const settings = await db.admin(async (c) =>
          (
            await c.query<{ interval: string; segmentby: string[] }>(
              `SELECT d.time_interval::text AS interval, (SELECT array_agg(attname::text) FROM timescaledb_information.compression_settings s WHERE s.hypertable_schema = current_schema() AND s.hypertable_name = 'audit_events' AND s.segmentby_column_index IS NOT NULL) AS segmentby
               FROM timescaledb_information.dimensions d WHERE d.hypertable_schema = current_schema() AND d.hypertable_name = 'audit_events'`,
            )
          ).rows[0],
        );
        assert.deepEqual(settings, { interval: '7 days', segmentby: ['entity_type'] });
      });

      it('when the compression job runs (run_job) on a TimescaleDB hypertable, then old chunks are compressed, still verify and export, and their compressed chunks refuse TRUNCATE, UPDATE and DELETE at once', async (t) => {
        await record(taskCreated({ time: new Date(Date.now() - 60 * 86_400_000).toISOString() }), taskCreated({ time: new Date(Date.now() - 45 * 86_400_000).toISOString() }));
        const rows = await count();
        const [policy] = await jobs();
        // The background scheduler of this build may fail ("cannot drop portal", see
        // ../shared/timescaledb/README.md): run the policy's procedure directly.
        await db.admin((c) => c.query(`CALL public.run_job(${Number(policy?.id)})`));
        const compressed = await db.admin(async (c) =>
          (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_schema = current_schema() AND hypertable_name = 'audit_events' AND is_compressed`)).rows[0]?.n ?? 0,
        );
        assert.ok(compressed >= 1, 'chunks older than 30 days are compressed');
        assert.equal(await count(), rows);
        assert.equal((await verify()).ok, true);

        const compressedChunks = (await storageTables(db)).filter((n) => n.includes('compress_hyper_'));
        t.diagnostic(`timescaledb: ${compressed} compressed chunks, ${compressedChunks.length} compressed chunk tables, ${(await storageTables(db)).length} chunk tables in all`);
        assert.equal(compressedChunks.length, compressed);
        await db.admin(async (c) => {
          for (const table of compressedChunks) {
            await assert.rejects(c.query(`TRUNCATE ${table}`), { message: /append-only/ }, table);
            await assert.rejects(c.query(`DELETE FROM ${table}`), { message: /append-only/ }, table);
            await assert.rejects(c.query(`UPDATE ${table} SET entity_type = 'x'`), { message: /append-only/ }, table);
          }
          // TRUNCATE of a compressed chunk's parent goes to the compressed chunk, which refuses it.
          for (const table of (await c.query<{ name: string }>(`SELECT format('%I.%I', chunk_schema, chunk_name) AS name FROM timescaledb_information.chunks WHERE hypertable_schema = current_schema() AND hypertable_name = 'audit_events' AND is_compressed`)).rows.map((r) => r.name)) {
            await assert.rejects(c.query(`TRUNCATE ${table}`), { message: /append-only/ }, `TRUNCATE ${table}`);
          }
          // Through the hypertable, a compressed row is decompressed first, then refused like any other.
          await assert.rejects(c.query(`DELETE FROM audit_events WHERE occurred_at < now() - interval '40 days'`), { message: /append-only/ });
        });
        assert.equal(await count(), rows);
        const res = await getJson(audit.url, `/audit/export?from=1990-01-01&to=2100-01-01&format=csv`, ['compliance']);
        assert.equal((await res.text()).trim().split('\r\n').length, rows + 1);
      });

      it('when a superuser drops a whole chunk of a TimescaleDB hypertable outside retention, then verify reports the gap in the chain', async () => {
        await record(taskCreated({ time: '2024-06-01T00:00:00.000Z' }), taskCreated({ time: '2024-06-02T00:00:00.000Z' }));
        await record(taskCreated());
        assert.equal((await verify()).ok, true);
        const chunk = await db.admin(async (c) =>
          (
            await c.query<{ name: string }>(
              `SELECT format('%I.%I', chunk_schema, chunk_name) AS name FROM timescaledb_information.chunks WHERE hypertable_schema = current_schema() AND hypertable_name = 'audit_events' AND range_start <= '2024-06-01' AND range_end > '2024-06-01'`,
            )
          ).rows[0]?.name,
        );
        assert.ok(chunk);
        await db.admin((c) => c.query(`DROP TABLE ${chunk}`));
        const report = await verify();
        assert.equal(report.ok, false);
        assert.ok(['missing-predecessor', 'missing-head-row'].includes(report.firstBroken?.reason ?? ''), JSON.stringify(report.firstBroken));
      });
    }
  });
}
