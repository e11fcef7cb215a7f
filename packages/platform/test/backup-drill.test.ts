/**
 * The restore drill: scripts/backup.sh and scripts/restore.sh against a cluster of the drill's own, with the
 * real audit migrations and rows written by the real audit app. Batch 1, base backup, batch 2 (in the WAL
 * archive only), then the disaster: the server is killed and its data directory deleted. A restore to the
 * latest WAL must bring back both batches with an intact hash chain and the same row count in every table;
 * a point-in-time restore to between the batches exactly the first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { migrate } from '@lifeline/db';
import { withClient } from '@lifeline/db/testing';
import { startAuditProcess, type AuditProcess } from './backup/audit-process.ts';
import {
  PG_BIN, REPO_ROOT, adminUrl, clusterAt, crash, freePort, giveToPostgres, initCluster, timescaledbLoads, type Cluster,
} from './backup/throwaway-cluster.ts';

const run = promisify(execFile);
const BATCH_1 = 2000;
const BATCH_2 = 1000;
const DATABASE = 'lifeline';
const SCHEMA = 'audit';
const APP_PASSWORD = 'audit-drill-password';

const available = existsSync(`${PG_BIN}/pg_basebackup`) && existsSync(`${PG_BIN}/initdb`);

function appUrl(port: number): string {
  return `postgres://audit_app:${APP_PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

/** Rows per table of the audit schema: what must survive the restore, table by table. */
async function countsPerTable(port: number): Promise<Record<string, number>> {
  return withClient(adminUrl(port, DATABASE), async (c) => {
    const tables = (await c.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, [SCHEMA])).rows;
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      counts[name] = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${SCHEMA}"."${name}"`)).rows[0]!.n;
    }
    return counts;
  });
}

function dirSize(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    total += entry.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function script(name: string, args: string[], backupDir: string): Promise<{ stdout: string; ms: number }> {
  const t0 = performance.now();
  const { stdout } = await run('bash', [`${REPO_ROOT}scripts/${name}`, ...args], {
    env: { ...process.env, LIFELINE_BACKUP_DIR: backupDir },
    timeout: 120_000,
  });
  return { stdout, ms: Math.round(performance.now() - t0) };
}

describe('backup and restore drill', { skip: available ? false : `PostgreSQL 15 tools not in ${PG_BIN}` }, () => {
  let dir: string;
  let backupDir: string;
  let cluster: Cluster;
  const restored: Cluster[] = [];
  let audit: AuditProcess | undefined;
  let afterBatch1: Record<string, number>;
  let afterBatch2: Record<string, number>;
  let betweenBatches: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeline-backup-drill-'));
    // The postgres OS user writes the cluster, the archive and the restores in here.
    chmodSync(dir, 0o755);
    giveToPostgres(dir);
    backupDir = join(dir, 'backups');
    cluster = await initCluster(dir, { timescaledb: await timescaledbLoads() });
    await withClient(adminUrl(cluster.port), async (c) => {
      await c.query(`CREATE DATABASE ${DATABASE}`);
      await c.query(`CREATE ROLE audit_app LOGIN PASSWORD '${APP_PASSWORD}'`);
    });
    await migrate({ databaseUrl: adminUrl(cluster.port, DATABASE), migrationsDir: `${REPO_ROOT}prisma/audit/migrations`, schema: SCHEMA });
  });

  after(async () => {
    await audit?.stop();
    for (const c of restored) await c.stop();
    await cluster?.stop();
    for (const archive of [backupDir, dir && join(dir, 'backups-retention')]) {
      if (archive) await script('backup.sh', ['wal', 'stop'], archive).catch(() => undefined);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('backs up batch 1 and archives batch 2 in the WAL', async (t) => {
    audit = await startAuditProcess(appUrl(cluster.port), SCHEMA);
    await audit.record(BATCH_1);
    afterBatch1 = await countsPerTable(cluster.port);
    assert.equal(afterBatch1.audit_events, BATCH_1);
    const kind = await withClient(adminUrl(cluster.port, DATABASE), async (c) =>
      (await c.query<{ k: string }>(`SELECT relkind::text AS k FROM pg_class WHERE oid = to_regclass('audit.audit_events')`)).rows[0]?.k,
    );
    t.diagnostic(`audit storage: ${kind === 'p' ? 'native partitions' : 'TimescaleDB hypertable'}; tables: ${JSON.stringify(afterBatch1)}`);

    const backup = await script('backup.sh', ['--port', String(cluster.port), '--keep', '2'], backupDir);
    assert.match(backup.stdout, /base backup \S+: .* verified \(pg_verifybackup\)/);
    const size = dirSize(join(backupDir, 'base'));
    t.diagnostic(`base backup of ${BATCH_1} audit rows: ${mb(size)} in ${backup.ms} ms (pg_basebackup -Ft -z + pg_verifybackup)`);

    betweenBatches = await withClient(adminUrl(cluster.port), async (c) => (await c.query<{ t: string }>(`SELECT clock_timestamp()::text AS t`)).rows[0]!.t);
    await audit.record(BATCH_2);
    afterBatch2 = await countsPerTable(cluster.port);
    assert.equal(afterBatch2.audit_events, BATCH_1 + BATCH_2);
    const live = await audit.verify();
    assert.equal(live.ok, true);
    assert.equal(live.checked, BATCH_1 + BATCH_2);

    // The receiver runs --synchronous: once it reports the server's current position flushed, batch 2 is on
    // the archive's disk.
    await withClient(adminUrl(cluster.port), async (c) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { rows } = await c.query<{ behind: boolean }>(
          `SELECT flush_lsn < pg_current_wal_lsn() AS behind FROM pg_stat_replication WHERE application_name = 'pg_receivewal'`,
        );
        if (rows[0]?.behind === false) return;
        if (Date.now() > deadline) throw new Error(`WAL receiver still behind after 15s: ${JSON.stringify(rows)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  });

  it('the disaster: the server is killed and its data directory is gone', async () => {
    await audit?.stop();
    audit = undefined;
    await crash(cluster);
    rmSync(cluster.dataDir, { recursive: true, force: true });
    await script('backup.sh', ['wal', 'stop'], backupDir);
    await assert.rejects(withClient(adminUrl(cluster.port), (c) => c.query('SELECT 1')));
  });

  it('restores to the latest WAL: both batches, the chain intact, every table counted the same', async (t) => {
    const port = await freePort();
    const dataDir = join(dir, 'restore-latest');
    const res = await script('restore.sh', ['--latest', '--data-dir', dataDir, '--port', String(port)], backupDir);
    restored.push(clusterAt(dataDir, port));
    assert.match(res.stdout, /restored in /);
    t.diagnostic(`restore --latest (${BATCH_1} rows from the base backup + ${BATCH_2} from WAL): ${res.ms} ms`);

    assert.deepEqual(await countsPerTable(port), afterBatch2);
    audit = await startAuditProcess(appUrl(port), SCHEMA);
    const report = await audit.verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
    assert.equal(report.checked, BATCH_1 + BATCH_2);
    // The restored trail takes new rows on the same chain.
    await audit.record(10, 10);
    assert.equal((await audit.verify()).checked, BATCH_1 + BATCH_2 + 10);
    await audit.stop();
    audit = undefined;
  });

  it('restores to a point in time between the batches: exactly batch 1', async (t) => {
    const port = await freePort();
    const dataDir = join(dir, 'restore-pitr');
    const res = await script('restore.sh', ['--target-time', betweenBatches, '--data-dir', dataDir, '--port', String(port)], backupDir);
    restored.push(clusterAt(dataDir, port));
    assert.match(res.stdout, /recovery stopping before commit/);
    t.diagnostic(`restore --target-time (between the batches): ${res.ms} ms`);

    assert.deepEqual(await countsPerTable(port), afterBatch1);
    audit = await startAuditProcess(appUrl(port), SCHEMA);
    const report = await audit.verify();
    assert.equal(report.ok, true, JSON.stringify(report.firstBroken));
    assert.equal(report.checked, BATCH_1);
  });

  it('keeps the newest N backups and the WAL they need, re-verifies them, and drops its slot on request', async () => {
    // The restored cluster (a new timeline) gets an archive of its own.
    const source = restored[0]!;
    const archive = join(dir, 'backups-retention');
    const port = ['--port', String(source.port)];
    await script('backup.sh', [...port, '--keep', '1'], archive);
    await new Promise((r) => setTimeout(r, 1100)); // backups are named by the second
    await withClient(adminUrl(source.port), (c) => c.query(`SELECT pg_switch_wal()`));
    await script('backup.sh', [...port, '--keep', '1'], archive);
    const kept = readdirSync(join(archive, 'base'));
    assert.equal(kept.length, 1);
    const info = readFileSync(join(archive, 'base', kept[0]!, 'backup.info'), 'utf8');
    const startWal = /^start_wal_file=(\w{24})$/m.exec(info)?.[1];
    assert.ok(startWal, info);
    const segments = readdirSync(join(archive, 'wal')).filter((f) => /^[0-9A-F]{24}/.test(f));
    assert.ok(segments.length > 0);
    assert.deepEqual(segments.filter((f) => f.slice(8, 24) < startWal.slice(8, 24)), [], `WAL before ${startWal} kept`);

    assert.match((await script('backup.sh', ['verify'], archive)).stdout, /verified/);
    // A flipped byte in the middle of the stored tarball: verify must refuse it.
    const tarball = join(archive, 'base', kept[0]!, 'base.tar.gz');
    const bytes = readFileSync(tarball);
    const middle = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
    writeFileSync(tarball, bytes);
    await assert.rejects(script('backup.sh', ['verify'], archive), /failed verification/);

    await script('backup.sh', ['wal', 'stop', '--drop-slot', ...port], archive);
    const slots = await withClient(adminUrl(source.port), async (c) => (await c.query<{ slot_name: string }>(`SELECT slot_name FROM pg_replication_slots`)).rows);
    assert.deepEqual(slots, []);
  });

  it('refuses a restore into a directory that is not empty, and a target before every backup', async () => {
    const port = await freePort();
    await assert.rejects(script('restore.sh', ['--latest', '--data-dir', join(dir, 'restore-latest'), '--port', String(port)], backupDir), /is not empty/);
    await assert.rejects(script('restore.sh', ['--target-time', '2000-01-01 00:00:00+00', '--data-dir', join(dir, 'never'), '--port', String(port)], backupDir), /no base backup/);
    assert.equal(existsSync(join(dir, 'never')), false);
  });
});
