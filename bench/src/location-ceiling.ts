// The ceilings beside the location app, in the same run: the app's own writes (its multi-row INSERT and its
// Lua latest + GEO script, imported rather than rebuilt so they cannot drift) straight to Postgres and Redis
// from this process with no HTTP; and the platform's gateway in front of a trivial handler.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { RunTemplate } from '@lifeline/platform';
import type { Pool } from '../../apps/location/src/data/db.ts';
import { redisLatestStore } from '../../apps/location/src/data/latest-store.ts';
import { insertPositions } from '../../apps/location/src/data/position-repository.ts';
import { inRecordedOrder, type Position } from '../../apps/location/src/domain/position.ts';
import { startBenchGateway, withAppPort } from './bench-gateway.ts';
import { runClosedLoop, type ClosedLoopResult } from './closed-loop.ts';
import { jsonClient } from './http-post.ts';
import { nextFixes, type BenchPerson } from './location-people.ts';
import { selfCpuMeter } from './process-stats.ts';

export interface CeilingResult extends ClosedLoopResult {
  /** Fixes per call. */
  perCall: number;
  loadCpuPct: number;
}

/** What the app stores for a fix once its input schema filled the optional fields. */
function asPosition(f: ReturnType<typeof nextFixes>[number]): Position {
  return { ...f, altitudeM: null, headingDeg: null };
}

/**
 * Batches of `batch` fixes of round-robin people, written by `concurrency` workers (the app's DB_POOL_MAX,
 * so Postgres sees the same parallelism): Redis only, Postgres only, or both one after the other as the app does.
 */
export async function directWrites(opts: {
  what: 'redis' | 'postgres' | 'both';
  sql: Pool;
  redis: Redis;
  keyPrefix: string;
  people: BenchPerson[];
  batch: number;
  startMs: number;
  concurrency: number;
  durationS: number;
}): Promise<CeilingResult> {
  const latest = redisLatestStore(opts.redis, opts.keyPrefix);
  const cpu = selfCpuMeter();
  const r = await runClosedLoop({
    concurrency: opts.concurrency,
    durationS: opts.durationS,
    fire: async (i) => {
      const person = opts.people[i % opts.people.length];
      if (!person) return false;
      const points = inRecordedOrder(nextFixes(person, opts.batch, opts.startMs).map(asPosition));
      if (opts.what !== 'redis') {
        const inserted = await insertPositions(opts.sql, person.id, points);
        if (inserted.size !== points.length) return false;
      }
      const newest = points[points.length - 1];
      if (opts.what !== 'postgres' && newest) await latest.offer(person.id, newest);
      return true;
    },
  });
  return { ...r, perCall: opts.batch, loadCpuPct: cpu.busyPct() };
}

/** The trivial handler as a process of its own; resolves once it listens. */
async function startTrivialServer(port: number) {
  const script = fileURLToPath(new URL('./trivial-server.ts', import.meta.url));
  const child = fork(script, [String(port)], { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`trivial server exited with ${code}`)));
  });
  return {
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The same requests as the app gets (same path, headers and bodies), through the platform's gateway config,
 * answered by the trivial handler: what HTTP through nginx costs on this machine before the app does anything.
 */
export async function bareHttpCeiling(opts: {
  template: RunTemplate;
  gatewayPort: number;
  handlerPort: number;
  token: (person: BenchPerson) => string;
  people: BenchPerson[];
  startMs: number;
  concurrency: number;
  durationS: number;
}): Promise<{ batch: CeilingResult; single: CeilingResult }> {
  const handler = await startTrivialServer(opts.handlerPort);
  const gateway = await startBenchGateway('trivial-gateway', withAppPort(opts.template, 'location', opts.handlerPort), opts.gatewayPort);
  const client = jsonClient(gateway.apiUrl);
  try {
    const run = async (batch: number): Promise<CeilingResult> => {
      const cpu = selfCpuMeter();
      const r = await runClosedLoop({
        concurrency: opts.concurrency,
        durationS: opts.durationS,
        fire: async (i) => {
          const person = opts.people[i % opts.people.length];
          if (!person) return false;
          const fixes = nextFixes(person, batch, opts.startMs);
          const [path, body] = batch === 1 ? ['/location/positions', fixes[0]] : ['/location/positions/batch', { positions: fixes }];
          return (await client.post(path, { authorization: `Bearer ${opts.token(person)}` }, body)).status === 200;
        },
      });
      return { ...r, perCall: batch, loadCpuPct: cpu.busyPct() };
    };
    return { batch: await run(50), single: await run(1) };
  } finally {
    client.close();
    await gateway.stop();
    await handler.stop();
  }
}
