// Location ingestion (issue 12, P1): batches of 50 fixes from simulated people with 3 fences each, open loop at
// stepped rates through the gateway (nginx -> app -> Postgres history + Redis latest/GEO + fence check),
// then single fixes; beside them in the same run the ceilings: the app's own writes straight to Redis and
// Postgres from this process (no HTTP), and the platform's gateway in front of a trivial handler.
//   npm run bench:location -- [redis|kafka|rabbitmq]   (default: redis; the broker only carries geofence-events)
//   BENCH_PEOPLE (2000), BENCH_RATES (2000,5000,10000 fixes/s in batches of 50), BENCH_SINGLE_RATES
//   (500,1000,2000 requests/s of one fix), BENCH_SECONDS (20 per step), BENCH_CEILING_SECONDS (10),
//   BENCH_CPU_PROF=1 (profile the app with node --cpu-prof and print where its time went),
//   BENCH_APP_NODE_OPTIONS (the app's NODE_OPTIONS instead of dapr.yaml's, e.g. V8 heap flags to weigh against RSS).
// Run it alone (it takes the location app's dapr.yaml ports): flock /tmp/lifeline-e2e.lock npm run bench:location
import { mkdirSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createPrismaClient, disconnect, rawSql } from '@lifeline/db';
import { appDatabases, appDatabaseUrl, brokers, fromRoot, type Broker } from '@lifeline/platform';
import { PrismaClient } from '../../apps/location/src/generated/prisma/client.ts';
import { startBenchGateway } from './bench-gateway.ts';
import { prepareBenchPlatform } from './bench-platform.ts';
import { summarizeProfile } from './cpu-profile.ts';
import { jsonClient } from './http-post.ts';
import { bareHttpCeiling, directWrites, type CeilingResult } from './location-ceiling.ts';
import { benchPeople, fencesOf, nextFixes, type BenchPerson } from './location-people.ts';
import { runOpenLoop } from './open-loop.ts';
import { sampleSessions } from './pg-sessions.ts';
import { assertPortsFree } from './ports.ts';
import { childPids, cpuMeter, pidListeningOn, rssMb, selfCpuMeter } from './process-stats.ts';
import { ms, printTable, summarize } from './stats.ts';

const APP = 'location';
const BATCH = 50;
const FENCES_PER_PERSON = 3;
/** Loopback ports of this run's own gateway and of the trivial handler's (below the ephemeral range, apart from the stack's). */
const GATEWAY_PORT = 28180;
const TRIVIAL_GATEWAY_PORT = 28181;
const TRIVIAL_HANDLER_PORT = 28182;
/** Device time of every person's first fix: hours back, so a run never reaches the 5-minute future limit. */
const FIRST_FIX_MS = Date.now() - 6 * 3_600_000;
/** Closed-loop workers of the ceilings: the app's DB_POOL_MAX for the direct writes; enough to keep nginx busy for HTTP. */
const DIRECT_CONCURRENCY = 10;
const HTTP_CONCURRENCY = 64;
/** A step whose p99 is past this (or that dropped requests) saturated the app: the higher ones are skipped. */
const SATURATED_P99_MS = 1000;
const GOAL_P99_MS = 50;
const GOAL_RSS_MB = 150;

function rates(name: string, fallback: string): number[] {
  const raw = process.env[name] ?? fallback;
  const list = raw.split(',').map(Number);
  if (list.some((r) => !Number.isInteger(r) || r < 1 || r > 50_000)) throw new Error(`${name}=${raw}: expected comma-separated integers 1-50000`);
  return list;
}
function int(name: string, min: number, max: number, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name}=${process.env[name]}: expected an integer ${min}-${max}`);
  return v;
}
const settings = {
  people: int('BENCH_PEOPLE', 10, 20_000, 2000),
  batchRates: rates('BENCH_RATES', '2000,5000,10000'),
  singleRates: rates('BENCH_SINGLE_RATES', '500,1000,2000'),
  seconds: int('BENCH_SECONDS', 1, 120, 20),
  ceilingSeconds: int('BENCH_CEILING_SECONDS', 1, 60, 10),
  profile: process.env.BENCH_CPU_PROF === '1',
  appNodeOptions: process.env.BENCH_APP_NODE_OPTIONS,
};

/** RSS split as the kernel counts it: anonymous (heaps, buffers: the app's own) and file-backed (node's code, mapped libraries). */
async function rssSplit(pid: number): Promise<string> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const mb = (field: string) => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024);
    return `anon ${mb('RssAnon')}, file ${mb('RssFile')}`;
  } catch {
    return '-';
  }
}

type Row = Record<string, string | number>;
const perS = (n: number, s: number) => Math.round(n / s);
const ratio = (a: number, b: number) => (b > 0 ? `${((a / b) * 100).toFixed(0)}%` : '-');

function ceilingRow(label: string, r: CeilingResult): { row: Row; fixesPerS: number } {
  const s = summarize(r.latenciesMs);
  const fixesPerS = perS(r.latenciesMs.length * r.perCall, r.elapsedS);
  const row: Row = {
    path: label,
    'fixes/s': fixesPerS,
    'requests/s': perS(r.latenciesMs.length, r.elapsedS),
    p50: ms(s.p50),
    p99: ms(s.p99),
    errors: r.errors ? `${r.errors} (${r.firstError ?? 'bad status'})` : 0,
    'load gen cpu': `${r.loadCpuPct}%`,
  };
  return { row, fixesPerS };
}

/** The app's group commit counters (its /metrics): requests and positions per transaction, per step. */
async function ingestCounters(appPort: number | undefined): Promise<{ groups: number; requests: number; positions: number } | undefined> {
  if (appPort === undefined) return undefined;
  try {
    const text = await (await fetch(`http://127.0.0.1:${appPort}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { groups: value('location_ingest_groups_total'), requests: value('location_ingest_requests_total'), positions: value('location_ingest_positions_total') };
  } catch {
    return undefined;
  }
}

interface Processes {
  app?: number;
  sidecar?: number;
  nginx?: number;
  appPort?: number;
  /** The server and role of the app's Postgres sessions, sampled during each step. */
  adminUrl: string;
  role: string;
}

/** One open-loop step through the gateway: `fixesPerS` offered in requests of `perRequest` fixes. */
async function step(client: ReturnType<typeof jsonClient>, people: BenchPerson[], tokens: Map<string, string>, fixesPerS: number, perRequest: number, seconds: number, procs: Processes) {
  let accepted = 0;
  let duplicates = 0;
  let crossings = 0;
  const statuses = new Map<number, number>();
  const cpu = selfCpuMeter();
  const others = await cpuMeter({ app: procs.app, sidecar: procs.sidecar, nginx: procs.nginx });
  const sessions = await sampleSessions(procs.adminUrl, procs.role);
  const countersBefore = await ingestCounters(procs.appPort);
  let next = 0;
  const r = await runOpenLoop({
    rate: fixesPerS / perRequest,
    durationS: seconds,
    maxInFlight: 1024,
    fire: async () => {
      const person = people[next++ % people.length];
      if (!person) return false;
      const fixes = nextFixes(person, perRequest, FIRST_FIX_MS);
      const [route, body] = perRequest === 1 ? ['/location/positions', fixes[0]] : ['/location/positions/batch', { positions: fixes }];
      const answer = await client.post(route, { authorization: `Bearer ${tokens.get(person.id) ?? ''}` }, body);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status !== 200) return false;
      const result = JSON.parse(answer.body) as { accepted: number; duplicates: number; crossings: unknown[] };
      accepted += result.accepted;
      duplicates += result.duplicates;
      crossings += result.crossings.length;
      return true;
    },
  });
  const s = summarize(r.latenciesMs);
  const split = await others.busyPct();
  const pool = await sessions.stop();
  const countersAfter = await ingestCounters(procs.appPort);
  const groups = countersBefore && countersAfter ? countersAfter.groups - countersBefore.groups : Number.NaN;
  const perGroup = (k: 'requests' | 'positions') => (countersBefore && countersAfter && groups > 0 ? ((countersAfter[k] - countersBefore[k]) / groups).toFixed(1) : '-');
  const notOk = [...statuses].filter(([code]) => code !== 200).map(([code, n]) => `${n}x${code}`);
  const dropped = r.sent - [...statuses.values()].reduce((a, b) => a + b, 0);
  return {
    acceptedPerS: perS(accepted, r.elapsedS),
    s,
    saturated: s.p99 > SATURATED_P99_MS || r.errors > 0.01 * r.sent,
    sessions: { 'offered fixes/s': fixesPerS, 'per request': perRequest, ...pool.states } as Row,
    row: {
      'offered fixes/s': fixesPerS,
      'requests/s': perS(r.sent, seconds),
      'accepted fixes/s': perS(accepted, r.elapsedS),
      p50: ms(s.p50),
      p99: ms(s.p99),
      max: ms(s.max),
      'errors': [...notOk, ...(dropped > 0 ? [`${dropped} not sent (in flight cap)`] : [])].join(', ') || 0,
      'dup/crossings': `${duplicates}/${crossings}`,
      'requests/fixes per commit': `${perGroup('requests')}/${perGroup('positions')}`,
      'cpu app/nginx/daprd/load': `${split.app ?? '-'}/${split.nginx ?? '-'}/${split.sidecar ?? '-'}/${cpu.busyPct()}%`,
    } as Row,
  };
}

async function createFences(client: ReturnType<typeof jsonClient>, people: BenchPerson[], tokens: Map<string, string>): Promise<number> {
  let next = 0;
  let created = 0;
  const worker = async () => {
    for (let p = people[next++]; p; p = people[next++]) {
      for (const fence of fencesOf(p)) {
        const answer = await client.post('/location/geofences', { authorization: `Bearer ${tokens.get(p.id) ?? ''}` }, fence);
        if (answer.status !== 201) throw new Error(`POST /location/geofences for ${p.id}: ${answer.status} ${answer.body}`);
        created++;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return created;
}

/** Removes every bench run's rows and keys (an interrupted run's too): people ids start with bench-location-. */
async function removeBenchData(adminUrl: string, redis: Redis, keyPrefix: string): Promise<void> {
  const db = new pg.Client({ connectionString: adminUrl });
  await db.connect();
  try {
    // On TimescaleDB the trail is a continuous aggregate (a view): it forgets the points with their positions.
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'location' AND table_type = 'BASE TABLE' AND table_name IN ('positions', 'trail', 'geofence_states', 'geofences')`,
    );
    for (const { table_name } of tables.rows) await db.query(`DELETE FROM location.${table_name} WHERE person_id LIKE 'bench-location-%'`);
  } finally {
    await db.end();
  }
  const geoKey = `${keyPrefix}geo`;
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}latest:{bench-location-*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) {
      await redis.del(...keys);
      await redis.zrem(geoKey, ...keys.map((k) => k.slice(`${keyPrefix}latest:{`.length, -1)));
    }
  } while (cursor !== '0');
}

async function bench(broker: Broker): Promise<void> {
  const platform = await prepareBenchPlatform(broker);
  await assertPortsFree(platform, [APP], [GATEWAY_PORT, TRIVIAL_GATEWAY_PORT, TRIVIAL_HANDLER_PORT]);
  const definition = platform.template.apps.find((a) => a.appId === APP);
  if (!definition) throw new Error(`no ${APP} in dapr.yaml`);
  const redisUrl = definition.env.REDIS_URL;
  if (!redisUrl) throw new Error(`no REDIS_URL for ${APP} in dapr.yaml`);
  const keyPrefix = 'location:'; // the app's REDIS_KEY_PREFIX default: the ceiling writes into the same GEO set
  const profileDir = fromRoot(`.run/bench/profiles/location-${Date.now()}`);
  if (settings.profile) {
    mkdirSync(profileDir, { recursive: true });
    // Node refuses --cpu-prof in NODE_OPTIONS: it goes on dapr.yaml's command, right after `node`.
    const [node, ...args] = definition.command;
    definition.command = [node ?? 'node', '--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...args];
  }
  if (settings.appNodeOptions !== undefined) definition.env.NODE_OPTIONS = settings.appNodeOptions;
  const nodeOptions = definition.env.NODE_OPTIONS ?? platform.template.commonEnv.NODE_OPTIONS ?? '';
  const database = appDatabases().find((d) => d.app === APP);
  if (!database) throw new Error(`no ${APP} database`);
  const prisma = createPrismaClient(PrismaClient, { connectionString: appDatabaseUrl(platform.adminUrl, database), schema: database.schema, poolMax: DIRECT_CONCURRENCY });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const run = `bench-location-${randomUUID().slice(0, 8)}`;
  const people = benchPeople(run, settings.people);
  const directPeople = benchPeople(`${run}-direct`, settings.people);
  const tokens = new Map<string, string>();
  for (const p of people) tokens.set(p.id, await platform.token(p.id, ['user']));
  const admin = new pg.Client({ connectionString: platform.adminUrl });
  await admin.connect();
  const engine = (await admin.query<{ engine: string }>('SELECT engine FROM location.location_storage')).rows[0]?.engine ?? '?';
  await admin.end();

  const ceilings: Row[] = [];
  const steps: Row[] = [];
  let gateway: Awaited<ReturnType<typeof startBenchGateway>> | undefined;
  try {
    await removeBenchData(platform.adminUrl, redis, keyPrefix);
    // Ceilings first, while nothing else runs.
    const sql = rawSql(prisma);
    const direct = (what: 'redis' | 'postgres' | 'both', batch: number) =>
      directWrites({ what, sql, redis, keyPrefix, people: directPeople, batch, startMs: FIRST_FIX_MS, concurrency: DIRECT_CONCURRENCY, durationS: settings.ceilingSeconds });
    await direct('both', BATCH); // JIT, pool, the script's SHA
    const directRedis = ceilingRow(`direct Redis only (Lua latest + GEO), ${BATCH}/call, ${DIRECT_CONCURRENCY} in flight`, await direct('redis', BATCH));
    const directPg = ceilingRow(`direct Postgres only (multi-row INSERT), ${BATCH}/call`, await direct('postgres', BATCH));
    const directBoth = ceilingRow(`direct Postgres + Redis (ceiling), ${BATCH}/call`, await direct('both', BATCH));
    const directSingle = ceilingRow('direct Postgres + Redis (ceiling), 1/call', await direct('both', 1));
    const http = await bareHttpCeiling({
      template: platform.template,
      gatewayPort: TRIVIAL_GATEWAY_PORT,
      handlerPort: TRIVIAL_HANDLER_PORT,
      token: (p) => tokens.get(p.id) ?? '',
      people,
      startMs: FIRST_FIX_MS,
      concurrency: HTTP_CONCURRENCY,
      durationS: settings.ceilingSeconds,
    });
    const httpBatch = ceilingRow(`gateway -> trivial handler (ceiling), ${BATCH}/request, ${HTTP_CONCURRENCY} in flight`, http.batch);
    const httpSingle = ceilingRow(`gateway -> trivial handler (ceiling), 1/request`, http.single);
    ceilings.push(...[directRedis, directPg, directBoth, directSingle, httpBatch, httpSingle].map((r) => r.row));

    await platform.start(APP);
    gateway = await startBenchGateway('gateway', platform.template, GATEWAY_PORT);
    const appDef = platform.app(APP);
    const procs: Processes = {
      app: await pidListeningOn(appDef.appPort),
      appPort: appDef.appPort,
      sidecar: await pidListeningOn(appDef.daprHttpPort),
      nginx: (await childPids(gateway.pid))[0],
      adminUrl: platform.adminUrl,
      role: database.role,
    };
    const idleRss = procs.app === undefined ? '-' : `${await rssMb(procs.app)} MB (${await rssSplit(procs.app)})`;
    const client = jsonClient(gateway.apiUrl, 1024);
    try {
      const fencesStarted = performance.now();
      const fences = await createFences(client, people, tokens);
      console.log(`${fences} fences of ${people.length} people created through the gateway in ${((performance.now() - fencesStarted) / 1000).toFixed(1)} s`);

      const warm = await step(client, people, tokens, settings.batchRates[0] ?? 2000, BATCH, 10, procs);
      steps.push({ phase: `warm-up, ${BATCH}/request`, ...warm.row });
      const sessionRows: Row[] = [];
      let best = { batch: 0, batchP99: Number.NaN, single: 0, singleP99: Number.NaN };
      for (const [perRequest, list] of [[BATCH, settings.batchRates], [1, settings.singleRates]] as const) {
        let saturated = false;
        for (const rate of list) {
          if (saturated) {
            steps.push({ phase: `${perRequest}/request`, 'offered fixes/s': rate, 'accepted fixes/s': 'skipped: the step below saturated' });
            continue;
          }
          const r = await step(client, people, tokens, rate, perRequest, settings.seconds, procs);
          const ceilingFixes = perRequest === 1 ? directSingle.fixesPerS : directBoth.fixesPerS;
          const ceilingHttp = perRequest === 1 ? httpSingle.fixesPerS : httpBatch.fixesPerS;
          sessionRows.push(r.sessions);
          steps.push({ phase: `${perRequest}/request`, ...r.row, 'of direct ceiling': ratio(r.acceptedPerS, ceilingFixes), 'of HTTP ceiling': ratio(r.acceptedPerS, ceilingHttp) });
          saturated = r.saturated;
          if (r.s.p99 < GOAL_P99_MS && !r.saturated) {
            if (perRequest === 1 && r.acceptedPerS > best.single) best = { ...best, single: r.acceptedPerS, singleP99: r.s.p99 };
            if (perRequest !== 1 && r.acceptedPerS > best.batch) best = { ...best, batch: r.acceptedPerS, batchP99: r.s.p99 };
          }
        }
      }
      const appRss = procs.app === undefined ? undefined : await rssMb(procs.app);
      const sidecarRss = procs.sidecar === undefined ? undefined : await rssMb(procs.sidecar);
      const appSplit = procs.app === undefined ? '-' : await rssSplit(procs.app);
      const title = `location ingestion (${broker}, ${engine} storage; ${people.length} people x ${FENCES_PER_PERSON} fences; ${settings.seconds} s per step, ceilings ${settings.ceilingSeconds} s)`;
      printTable(`${title}: ceilings in the same run`, ceilings);
      printTable(`${title}: open loop through the gateway`, steps);
      printTable(`location ingestion: the app's Postgres sessions (${database.role}, pool ${DIRECT_CONCURRENCY}) sampled every 250 ms per step, by state / wait`, sessionRows);
      printTable('location ingestion: summary', [
        {
          'best batch fixes/s with p99 < 50 ms': best.batch ? `${best.batch} (p99 ${ms(best.batchP99)})` : `none of ${settings.batchRates.join(', ')}`,
          'goal 10000/s': best.batch >= 10_000 ? 'met' : 'not met',
          'best single fixes/s with p99 < 50 ms': best.single ? `${best.single} (p99 ${ms(best.singleP99)})` : `none of ${settings.singleRates.join(', ')}`,
          'app RSS at end': appRss === undefined ? '-' : `${appRss} MB (${appSplit}; goal < ${GOAL_RSS_MB})`,
          'app RSS at start': idleRss,
          'app NODE_OPTIONS': nodeOptions || '-',
          'daprd RSS at end': sidecarRss === undefined ? '-' : `${sidecarRss} MB`,
        },
      ]);
    } finally {
      client.close();
    }
  } finally {
    await gateway?.stop();
    await platform.stopAll();
    await removeBenchData(platform.adminUrl, redis, keyPrefix).catch((err: unknown) => console.error('could not remove the bench rows (bench-location-*):', err));
    redis.disconnect();
    await disconnect(prisma);
  }
  if (settings.profile) {
    for (const f of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) summarizeProfile(path.join(profileDir, f));
  }
}

const [selected = 'redis', ...rest] = process.argv.slice(2);
if (rest.length > 0 || !brokers.includes(selected as Broker)) throw new Error(`usage: bench:location -- [${brokers.join('|')}]`);
await bench(selected as Broker);
