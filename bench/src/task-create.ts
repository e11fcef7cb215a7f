// Task create latency through the gateway, beside the same requests sent straight to the app (what the
// gateway costs) in the same run, on the platform started exactly as `npm run dev -- --background` does.
//   npm run bench:tasks -- [redis|kafka|rabbitmq ...]   (default: redis)
// Prints p50/p99 at 300 requests/s, then steps the rate up to find the highest with p99 under 100 ms.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { signToken } from '@lifeline/kit';
import { appById, brokers, fromRoot, loadOrCreateDevKey, loadRunTemplate, loadStackEnv, type Broker } from '@lifeline/platform';
import { jsonPoster } from './http-post.ts';
import { runOpenLoop } from './open-loop.ts';
import { ms, printTable, summarize } from './stats.ts';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const STEP_RATES = [300, 450, 600, 800, 1000, 1300, 1600];

async function createLoad(url: string, token: string, rate: number) {
  const client = jsonPoster(url, { authorization: `Bearer ${token}` }, { title: 'benchmark task', priority: 'normal', tags: ['bench'] });
  try {
    const r = await runOpenLoop({ rate, durationS: SECONDS, fire: async () => (await client.post()) === 201 });
    return { ...summarize(r.latenciesMs), errors: r.errors };
  } finally {
    client.close();
  }
}

async function benchBroker(broker: Broker) {
  await run('bash', [fromRoot('scripts/dev.sh'), '--background', '--broker', broker], { maxBuffer: 50 * 1024 * 1024 });
  try {
    const template = loadRunTemplate();
    // The dev stack takes people's tokens from its JWKS only (dapr.yaml JWT_JWKS_URL): signed with the dev key.
    const token = await signToken(loadOrCreateDevKey().signing, { sub: `bench-${randomUUID()}`, roles: ['user'] });
    const gateway = `http://127.0.0.1:${loadStackEnv().LIFELINE_GATEWAY_PORT}/api/v1/tasks`;
    const direct = `http://127.0.0.1:${appById(template, 'tasks').appPort}/tasks`;

    // Warm-up at the measured rate: JIT, pools and prepared plans settle. Printed too, as what the first
    // seconds after a start look like.
    const warmUp = await createLoad(gateway, token, 300);
    const viaGateway = await createLoad(gateway, token, 300);
    const straight = await createLoad(direct, token, 300);
    let highest = 0;
    const steps: Record<string, string | number>[] = [];
    for (const rate of STEP_RATES) {
      const s = await createLoad(gateway, token, rate);
      steps.push({ broker, rate, p50: ms(s.p50), p99: ms(s.p99), errors: s.errors });
      if (s.p99 >= 100 || s.errors > 0) break;
      highest = rate;
    }
    printTable(`task create step-up through the gateway (${broker}, ${SECONDS}s per rate)`, steps);
    return {
      broker,
      'warm-up p99 @300/s': ms(warmUp.p99),
      'gateway p50 @300/s': ms(viaGateway.p50),
      'gateway p99 @300/s': ms(viaGateway.p99),
      'direct p50 @300/s': ms(straight.p50),
      'direct p99 @300/s': ms(straight.p99),
      'highest rate with p99 < 100 ms': highest || `< ${STEP_RATES[0]}`,
      errors: warmUp.errors + viaGateway.errors + straight.errors,
    };
  } finally {
    await run('bash', [fromRoot('scripts/dev.sh'), 'stop']);
  }
}

const selected = (process.argv.slice(2).length ? process.argv.slice(2) : ['redis']) as Broker[];
for (const b of selected) if (!brokers.includes(b)) throw new Error(`unknown broker ${b}`);
const rows = [];
for (const broker of selected) rows.push(await benchBroker(broker));
printTable(`task create (${SECONDS}s per measurement)`, rows);
