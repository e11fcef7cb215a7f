import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '@lifeline/db';
import { bulkBody, bulkStatuses, deliverBulk, getJson, startAudit, type RunningAudit } from './support/audit-app.ts';
import { admin, adminUrl, appUrl, createAuditSchema, migrationsDir, tamper, withClient, type AuditSchema } from './support/database.ts';
import { cloudEvent, taskCreated } from './support/events.ts';

interface Report {
  ok: boolean;
  checked: number;
  legacyRows: number;
  firstBroken: { chainId: number; reason: string } | null;
}

/**
 * A database migrated before the hash chain existed and holding rows (a developer's stack, the shared
 * test database) must still migrate: its rows become chain -1, sealed as a whole.
 */
describe('rows recorded before the hash chain existed', () => {
  let db: AuditSchema;
  let audit: RunningAudit;
  let firstOnly: string;

  before(async () => {
    const all = (await readdir(migrationsDir)).filter((name) => /^\d+_/.test(name)).sort();
    firstOnly = await mkdtemp(join(tmpdir(), 'audit-migrations-'));
    await cp(join(migrationsDir, all[0]!), join(firstOnly, all[0]!), { recursive: true });
    db = await createAuditSchema('legacy', firstOnly);
    await admin(
      (c) =>
        c.query(
          `INSERT INTO audit_events (event_id, occurred_at, source_app, event_type, action, entity_type, entity_id, actor_id, actor_kind, after, metadata)
           SELECT gen_random_uuid(), '2026-01-01Z'::timestamptz + g * interval '1 minute', 'tasks', 'task.created', 'created', 'task',
                  'task-' || g, 'early-bird', 'user', jsonb_build_object('n', g), '{}'
           FROM generate_series(1, 25) g`,
        ),
      db.schema,
    );
    await migrate({ databaseUrl: adminUrl, migrationsDir, schema: db.schema });
    audit = await startAudit({ DB_SCHEMA: db.schema });
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
    await rm(firstOnly, { recursive: true, force: true });
  });

  const verify = async (): Promise<Report> => (await (await getJson(audit.url, '/audit/verify', ['compliance'])).json()) as Report;

  it('when the chain migration runs over existing rows, then they are kept as chain -1 and verify counts them as sealed', async () => {
    const { rows } = await admin((c) => c.query<{ n: number; chains: number[] }>('SELECT count(*)::int AS n, array_agg(DISTINCT chain_id) AS chains FROM audit_events'), db.schema);
    assert.deepEqual(rows[0], { n: 25, chains: [-1] });
    const event = taskCreated();
    await bulkStatuses(await deliverBulk(audit.url, 'task-events', bulkBody('task-events', [{ event: cloudEvent('task-events', event) }])));
    const report = await verify();
    assert.deepEqual({ ok: report.ok, checked: report.checked, legacyRows: report.legacyRows }, { ok: true, checked: 1, legacyRows: 25 });
  });

  it('when a new row claims to be from before the chain, then the seal no longer matches', async () => {
    await withClient(
      appUrl(),
      (c) =>
        c.query(
          `INSERT INTO audit_events (event_id, occurred_at, recorded_at, source_app, event_type, action, entity_type, entity_id, actor_id, actor_kind, metadata, chain_id, chain_seq, prev_hash, hash)
           VALUES (gen_random_uuid(), '2026-01-01Z', '2026-01-01Z', 'tasks', 'task.created', 'created', 'task', 'forged', 'x', 'user', '{}', -1, 0, repeat('0', 64), repeat('0', 64))`,
        ),
      db.schema,
    );
    const report = await verify();
    assert.equal(report.ok, false);
    assert.deepEqual([report.firstBroken?.chainId, report.firstBroken?.reason], [-1, 'legacy-rows-changed']);
    // Retention will not reseal over a changed pre-chain trail.
    await withClient(appUrl(), (c) => assert.rejects(c.query('SELECT drop_expired_audit_partitions(2555)'), { message: /pre-chain audit rows changed/ }), db.schema);
    await tamper(db.schema, `DELETE FROM audit_events WHERE entity_id = 'forged'`);
    assert.equal((await verify()).ok, true);
  });

  it('when a pre-chain row is changed, then verify reports it', async () => {
    await tamper(db.schema, `UPDATE audit_events SET actor_id = 'someone-else' WHERE entity_id = 'task-7'`);
    const report = await verify();
    assert.equal(report.firstBroken?.reason, 'legacy-rows-changed');
  });
});
