// Emergency raise (issue 11): raises through the gateway at an open-loop rate (distinct people, each with 1-2
// outside contacts), raise latency, and raise-to-first-mail-delivered read from the SMTP capture's arrival
// times; beside it in the same run the notification ceiling (bench:notify's: the app's own email channel
// straight to the capture server), so the ratio shows what the pipeline costs over sending mail at all.
//   npm run bench:emergency -- [redis|kafka|rabbitmq]   (default: redis)
//   BENCH_RATE (50 raises/s), BENCH_SECONDS (30), BENCH_DIRECT (1000 mails per ceiling loop),
//   BENCH_CPU_PROF=emergency,notification (profile those apps with node --cpu-prof; where their time went is printed)
// Starts notification, location (the raise asks it for the trail) and emergency beside their daprd, and its own
// gateway; run it alone (it takes their dapr.yaml ports): flock /tmp/lifeline-e2e.lock npm run bench:emergency
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CaptureClient, type CapturedMessage } from '@lifeline/capture';
import { appDatabases, brokers, fromRoot, loadStackEnv, type Broker } from '@lifeline/platform';
import type { Platform } from '@lifeline/e2e/harness';
import { startBenchGateway } from './bench-gateway.ts';
import { prepareBenchPlatform } from './bench-platform.ts';
import { summarizeProfile } from './cpu-profile.ts';
import { jsonClient } from './http-post.ts';
import { APP_SMTP_CONNECTIONS, emailCeiling } from './notification-ceiling.ts';
import { runOpenLoop } from './open-loop.ts';
import { sampleSessions } from './pg-sessions.ts';
import { assertPortsFree } from './ports.ts';
import { childPids, cpuMeter, pidListeningOn, rssMb, selfCpuMeter } from './process-stats.ts';
import { ms, printTable, summarize } from './stats.ts';

const APPS = ['notification', 'location', 'emergency'] as const;
const GATEWAY_PORT = 28180;
/** The capture server keeps the newest 5000 mails: a run's first pages must all still be there when it reads them. */
const CAPTURE_KEEPS = 5000;
const WARM_UP_RAISES = 50;
const MAIL_WAIT_MS = 120_000;
const GOAL_P99_MS = 2000;
/** Every run's people start with it, so an interrupted run's rows are removed by the next. */
const BENCH_PEOPLE = 'bench-emergency-';
const MAIL_DOMAIN = 'bench.lifeline.test';

function int(name: string, min: number, max: number, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name}=${process.env[name]}: expected an integer ${min}-${max}`);
  return v;
}
const profiled = (process.env.BENCH_CPU_PROF ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
for (const app of profiled) if (!(APPS as readonly string[]).includes(app)) throw new Error(`BENCH_CPU_PROF=${app}: expected some of ${APPS.join(',')}`);
const settings = { rate: int('BENCH_RATE', 1, 500, 50), seconds: int('BENCH_SECONDS', 1, 120, 30), direct: int('BENCH_DIRECT', 1, CAPTURE_KEEPS, 1000), profiled };
// At most 2 contacts per person, every one paged in tier 1 (the default policy).
if ((settings.rate * settings.seconds + WARM_UP_RAISES) * 2 > CAPTURE_KEEPS) throw new Error(`BENCH_RATE x BENCH_SECONDS must stay below ${CAPTURE_KEEPS / 2 - WARM_UP_RAISES}`);

type Row = Record<string, string | number>;

interface Person {
  id: string;
  token: string;
  /** Outside contacts' addresses (lower case, as the capture filters them). */
  emails: string[];
  emergencyId?: string;
  /** Wall clock (ms) when the raise was due to be sent. */
  raisedAt?: number;
}

async function people(platform: Platform, prefix: string, phase: string, count: number): Promise<Person[]> {
  const out: Person[] = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${phase}-${i}`;
    // 1 or 2 contacts, alternating: half the raises page one mailbox, half page two.
    const emails = Array.from({ length: 1 + (i % 2) }, (_, k) => `${id}-c${k}@${MAIL_DOMAIN}`);
    out.push({ id, token: await platform.token(id, ['user']), emails });
  }
  return out;
}

async function createContacts(client: ReturnType<typeof jsonClient>, all: Person[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let p = all[next++]; p; p = all[next++]) {
      for (const [k, email] of p.emails.entries()) {
        const answer = await client.post('/emergencies/contacts', { authorization: `Bearer ${p.token}` }, { name: `Contact ${k + 1}`, email });
        if (answer.status !== 201) throw new Error(`POST /emergencies/contacts for ${p.id}: ${answer.status} ${answer.body}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Raises for every person at `rate`/s (open loop); latency from when each raise was due to its answer. */
async function raiseAll(client: ReturnType<typeof jsonClient>, all: Person[], rate: number) {
  const statuses = new Map<number, number>();
  const r = await runOpenLoop({
    rate,
    durationS: all.length / rate,
    fire: async (i) => {
      const p = all[i];
      if (!p) return false;
      p.raisedAt = Date.now();
      const answer = await client.post('/emergencies', { authorization: `Bearer ${p.token}` }, { type: 'sos', message: 'benchmark raise' });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status !== 201) return false;
      p.emergencyId = (JSON.parse(answer.body) as { id: string }).id;
      return true;
    },
  });
  const errors = [...statuses].filter(([code]) => code !== 201).map(([code, n]) => `${n}x${code}`);
  return { ...r, errorText: errors.join(', ') || '0' };
}

/** The bench mails since `since`, once every person has one (or the wait is over). */
async function mailsFor(capture: CaptureClient, since: Date, all: Person[], perPerson: (p: Person) => number): Promise<CapturedMessage[]> {
  const wanted = all.reduce((n, p) => n + perPerson(p), 0);
  const deadline = Date.now() + MAIL_WAIT_MS;
  for (;;) {
    const mails = (await capture.messages({ since: since.toISOString() })).filter((m) => m.to.some((t) => t.toLowerCase().endsWith(`@${MAIL_DOMAIN}`)));
    if (mails.length >= wanted || Date.now() >= deadline) return mails;
    await sleep(500);
  }
}

/** Per raised person: first arrival at any of their contacts' mailboxes minus when the raise was due. */
function firstMailLatencies(all: Person[], mails: CapturedMessage[]) {
  const firstAt = new Map<string, number>();
  let count = 0;
  const mine = new Set(all.flatMap((p) => p.emails));
  for (const m of mails) {
    for (const to of m.to.map((t) => t.toLowerCase())) {
      if (!mine.has(to)) continue;
      count++;
      const at = Date.parse(m.receivedAt);
      if (at < (firstAt.get(to) ?? Infinity)) firstAt.set(to, at);
    }
  }
  const latencies: number[] = [];
  let missing = 0;
  for (const p of all) {
    if (p.emergencyId === undefined || p.raisedAt === undefined) continue;
    const first = Math.min(...p.emails.map((e) => firstAt.get(e) ?? Infinity));
    if (first === Infinity) missing++;
    else latencies.push(first - p.raisedAt);
  }
  return { latencies, mails: count, missing };
}

async function cancelAll(client: ReturnType<typeof jsonClient>, all: Person[]): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    for (let p = all[next++]; p; p = all[next++]) {
      if (p.emergencyId === undefined) continue;
      const answer = await client.post(`/emergencies/${p.emergencyId}/cancel`, { authorization: `Bearer ${p.token}` }, { reason: 'benchmark' });
      if (answer.status !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return failed;
}

/** Every bench run's rows (an interrupted one's too): the people's emergencies, contacts, policies and their contacts' deliveries. */
async function removeBenchRows(adminUrl: string): Promise<void> {
  const schema = (app: string) => appDatabases().find((d) => d.app === app)?.schema ?? app;
  const [em, no] = [schema('emergency'), schema('notification')];
  const db = new pg.Client({ connectionString: adminUrl });
  await db.connect();
  try {
    const like = `${BENCH_PEOPLE}%`;
    await db.query(`DELETE FROM ${no}.deliveries WHERE user_id LIKE $1 OR user_id IN (SELECT 'contact:' || id FROM ${em}.contacts WHERE person_id LIKE $1)`, [like]);
    for (const table of ['emergencies', 'contacts', 'policies']) await db.query(`DELETE FROM ${em}.${table} WHERE person_id LIKE $1`, [like]);
  } finally {
    await db.end();
  }
}

async function bench(broker: Broker): Promise<void> {
  const platform = await prepareBenchPlatform(broker);
  await assertPortsFree(platform, APPS, [GATEWAY_PORT]);
  const profileDir = fromRoot(`.run/bench/profiles/emergency-${Date.now()}`);
  for (const app of settings.profiled) {
    const definition = platform.template.apps.find((a) => a.appId === app);
    if (!definition) throw new Error(`no ${app} in dapr.yaml`);
    mkdirSync(path.join(profileDir, app), { recursive: true });
    // Node refuses --cpu-prof in NODE_OPTIONS: it goes on dapr.yaml's command, right after `node`.
    const [node, ...args] = definition.command;
    definition.command = [node ?? 'node', '--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, app)}`, ...args];
  }
  const capture = new CaptureClient(`http://127.0.0.1:${loadStackEnv().LIFELINE_CAPTURE_PORT}`);
  const prefix = `${BENCH_PEOPLE}${randomUUID().slice(0, 8)}`;
  let gateway: Awaited<ReturnType<typeof startBenchGateway>> | undefined;
  const rows: Row[] = [];
  try {
    await removeBenchRows(platform.adminUrl);
    // bench:notify's ceiling, first, while nothing else runs.
    const ceiling = await emailCeiling(platform, capture, `${prefix}-direct`, settings.direct);
    rows.push(...ceiling.rows);

    for (const app of APPS) await platform.start(app);
    gateway = await startBenchGateway('gateway', platform.template, GATEWAY_PORT);
    const client = jsonClient(gateway.apiUrl);
    try {
      const warm = await people(platform, prefix, 'warm', WARM_UP_RAISES);
      const measured = await people(platform, prefix, 'raise', settings.rate * settings.seconds);
      const t0 = performance.now();
      await createContacts(client, [...warm, ...measured]);
      console.log(`${warm.length + measured.length} people's contacts created through the gateway in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

      // JIT, pools, consumer groups and the SMTP pool: 10 raises/s, then every first page delivered.
      const warmSince = new Date();
      await raiseAll(client, warm, 10);
      await mailsFor(capture, warmSince, warm, () => 1);

      const pid = async (app: string, which: 'appPort' | 'daprHttpPort') => pidListeningOn(platform.app(app)[which]);
      const procs = {
        emergency: await pid('emergency', 'appPort'),
        'emergency daprd': await pid('emergency', 'daprHttpPort'),
        notification: await pid('notification', 'appPort'),
        'notification daprd': await pid('notification', 'daprHttpPort'),
        location: await pid('location', 'appPort'),
        nginx: (await childPids(gateway.pid))[0],
      };
      const cpu = await cpuMeter(procs);
      const loadCpu = selfCpuMeter();
      const sessions = await sampleSessions(platform.adminUrl, 'emergency_app');
      const since = new Date();
      const raised = await raiseAll(client, measured, settings.rate);
      const raiseCpu = await cpu.busyPct();
      const dbSessions = await sessions.stop();
      const loadPct = loadCpu.busyPct();
      const mails = await mailsFor(capture, since, measured, (p) => p.emails.length);
      const first = firstMailLatencies(measured, mails);
      const lastMailMs = Math.max(...mails.map((m) => Date.parse(m.receivedAt)));
      const pipelineMailsPerS = Math.round(first.mails / ((lastMailMs - since.getTime()) / 1000));

      const raise = summarize(raised.latenciesMs);
      const toMail = summarize(first.latencies);
      const expectedMails = measured.filter((p) => p.emergencyId).reduce((n, p) => n + p.emails.length, 0);
      rows.push({
        path: `raise through the gateway, open loop ${settings.rate}/s for ${settings.seconds} s`,
        mails: '-',
        'mails/s': '-',
        p50: ms(raise.p50),
        p99: ms(raise.p99),
        'latency of': 'POST /emergencies -> 201',
        captured: '-',
        'mail bytes': '-',
        'not sent': raised.errorText === '0' ? '0' : `raise errors: ${raised.errorText}`,
      });
      rows.push({
        path: `raise -> first page mail delivered (goal p99 < ${GOAL_P99_MS / 1000} s)`,
        mails: first.mails,
        'mails/s': pipelineMailsPerS,
        p50: ms(toMail.p50),
        p99: ms(toMail.p99),
        'latency of': 'raise due -> capture receivedAt',
        captured: mails.length,
        'mail bytes': mails[0]?.size ?? '-',
        'not sent': `${first.missing} raises without a mail, ${Math.max(0, expectedMails - first.mails)} of ${expectedMails} mails missing`,
      });
      const raisedAts = measured.flatMap((p) => (p.raisedAt === undefined ? [] : [p.raisedAt]));
      console.log(
        `raises sent from ${new Date(Math.min(...raisedAts)).toISOString()} to ${new Date(Math.max(...raisedAts)).toISOString()}; ` +
          `page mails arrived from ${new Date(Math.min(...mails.map((m) => Date.parse(m.receivedAt)))).toISOString()} to ${new Date(lastMailMs).toISOString()}`,
      );
      const oneInFlight = ceiling.loops.find((l) => l.inFlight === 1)?.result;
      const pool = ceiling.loops.find((l) => l.inFlight === APP_SMTP_CONNECTIONS)?.result;
      const send = summarize(oneInFlight?.latenciesMs ?? []);
      const poolPerS = pool ? Math.round(pool.sent / pool.elapsedS) : 0;
      printTable(`emergency raise (${broker}; ${measured.length} people with 1-2 outside contacts; ceiling ${settings.direct} mails per loop)`, rows);
      printTable('emergency raise: ratios to the notification ceiling, and who used the CPU while raising', [
        {
          'raise->mail p50 / one send p50': `${(toMail.p50 / send.p50).toFixed(0)}x (${ms(toMail.p50)} / ${ms(send.p50)})`,
          'raise->mail p99 / one send p99': `${(toMail.p99 / send.p99).toFixed(0)}x`,
          'pipeline mails/s / ceiling mails/s': `${pipelineMailsPerS} / ${poolPerS} (offered ${Math.round(settings.rate * 1.5)}/s)`,
          'goal p99 < 2 s': toMail.p99 < GOAL_P99_MS ? 'met' : 'not met',
          'cpu % of a core': Object.entries({ ...raiseCpu, 'load gen': loadPct }).map(([k, v]) => `${k} ${v}`).join(', '),
          'emergency RSS': `${(procs.emergency && (await rssMb(procs.emergency))) ?? '-'} MB`,
          'emergency daprd RSS': `${(procs['emergency daprd'] && (await rssMb(procs['emergency daprd']))) ?? '-'} MB`,
        },
      ]);

      printTable("emergency raise: the emergency app's Postgres sessions (emergency_app) while raising, sampled every 250 ms, by state / wait", [dbSessions.states]);

      // Nothing of the run may page anyone later: every emergency is cancelled (its all-clear mailed) before the apps stop.
      const cancelSince = new Date();
      const all = [...warm, ...measured];
      const cancelFailed = await cancelAll(client, all);
      const allClear = await mailsFor(capture, cancelSince, all.filter((p) => p.emergencyId), (p) => p.emails.length);
      console.log(`cleanup: ${all.filter((p) => p.emergencyId).length - cancelFailed} emergencies cancelled (${cancelFailed} failed), ${allClear.length} all-clear mails`);
    } finally {
      client.close();
    }
  } finally {
    await gateway?.stop();
    await platform.stopAll();
    await removeBenchRows(platform.adminUrl).catch((err: unknown) => console.error(`could not remove the bench rows (${BENCH_PEOPLE}*):`, err));
  }
  for (const app of settings.profiled) {
    const dir = path.join(profileDir, app);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
      console.log(`\n${app} (${path.join(dir, f)}), the whole run:`);
      summarizeProfile(path.join(dir, f));
    }
  }
}

const [selected = 'redis', ...rest] = process.argv.slice(2);
if (rest.length > 0 || !brokers.includes(selected as Broker)) throw new Error(`usage: bench:emergency -- [${brokers.join('|')}]`);
await bench(selected as Broker);
