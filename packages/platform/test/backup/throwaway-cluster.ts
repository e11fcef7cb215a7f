/**
 * A PostgreSQL cluster of the backup drill's own (initdb into a temp dir, another loopback port, the stack's
 * binaries and TimescaleDB when it loads), so the drill can crash it, wipe it and restore it without touching
 * the shared stack's server on 25432.
 */
import { execFile } from 'node:child_process';
import { chownSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const SUPERUSER = 'postgres';
export const PASSWORD = 'lifeline';
const IS_ROOT = process.getuid?.() === 0;

/** initdb and postgres refuse root: as root, run them as the postgres OS user (like scripts/stack/postgres.sh). */
export function asPostgres(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return IS_ROOT ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);
}

/** The postgres OS user must own what the server writes to (and be able to reach it). */
export function giveToPostgres(path: string): void {
  if (!IS_ROOT) return;
  const { uid, gid } = postgresIds;
  chownSync(path, uid, gid);
}
const postgresIds = await (async () => {
  if (!IS_ROOT) return { uid: -1, gid: -1 };
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: g } = await run('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
})();

/** A loopback port below the ephemeral range that nothing listens on now. */
export async function freePort(from = 25500, to = 25999): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

export async function timescaledbLoads(): Promise<boolean> {
  try {
    await run('bash', [`${REPO_ROOT}scripts/install/timescaledb.sh`, '--loads']);
    return true;
  } catch {
    return false;
  }
}

export function adminUrl(port: number, database = 'postgres'): string {
  return `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

export interface Cluster {
  dataDir: string;
  port: number;
  stop(): Promise<void>;
}

/** A running cluster on a data dir (a fresh one from initCluster, or one scripts/restore.sh started). */
export function clusterAt(dataDir: string, port: number): Cluster {
  return {
    dataDir,
    port,
    async stop() {
      await asPostgres(`${PG_BIN}/pg_ctl`, ['stop', '-D', dataDir, '-m', 'fast', '-s', '-t', '30']).catch(() => undefined);
    },
  };
}

export async function initCluster(dir: string, opts: { timescaledb: boolean }): Promise<Cluster> {
  const port = await freePort();
  const dataDir = `${dir}/data`;
  const pwfile = `${dir}/pwfile`;
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  giveToPostgres(pwfile);
  await asPostgres(`${PG_BIN}/initdb`, [
    '-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C.UTF-8',
  ]);
  // What the stack's lifeline.conf says that matters here; replication works with initdb's defaults
  // (wal_level replica, max_wal_senders 10, a pg_hba replication line for 127.0.0.1).
  appendFileSync(
    `${dataDir}/postgresql.conf`,
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = ''`,
      `timezone = 'UTC'`,
      ...(opts.timescaledb ? [`shared_preload_libraries = 'timescaledb'`, 'timescaledb.telemetry_level = off'] : []),
      '',
    ].join('\n'),
  );
  await asPostgres(`${PG_BIN}/pg_ctl`, ['start', '-D', dataDir, '-l', `${dir}/postgres.log`, '-s', '-w', '-t', '60']);
  return clusterAt(dataDir, port);
}

/** kill -9 of the postmaster: the disaster, before its data directory goes too. */
export async function crash(cluster: Cluster): Promise<void> {
  const { stdout } = await run('head', ['-n', '1', `${cluster.dataDir}/postmaster.pid`]);
  const pid = Number(stdout.trim());
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`postmaster ${pid} survived SIGKILL`);
}
