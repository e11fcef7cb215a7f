// Every manifest the chart renders (each broker) decoded strictly against the Kubernetes API's Go types and
// Dapr's, and docker-compose.yml loaded by compose-spec's Go loader (scripts/check-manifests.sh): a field
// the API server or compose would drop without a word fails here, named.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import { fromRoot } from '../src/index.ts';

const run = promisify(execFile);
const CHECK = fromRoot('scripts/check-manifests.sh');
// The first run builds the checkers (and helm) from the Go module cache.
const BUILD = { timeout: 900_000 };
type Failure = { code?: number; stdout?: string; stderr?: string };
const fails = (p: Promise<unknown>) => p.then(() => undefined as Failure | undefined, (err: Failure) => err);

let dir = '';
let rendered = '';
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'check-manifests-'));
  const helmVersion = /^HELM_VERSION=(\S+)/m.exec(readFileSync(fromRoot('scripts/install/helm.sh'), 'utf8'))?.[1];
  const cache = process.env.LIFELINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'lifeline');
  const helm = path.join(cache, 'helm', helmVersion!, 'helm');
  // A fresh machine: build helm first (scripts/install/helm.sh, a few minutes; cached after).
  if (!existsSync(helm)) await run('bash', [fromRoot('scripts/install/helm.sh')], { timeout: BUILD.timeout });
  await run('bash', [CHECK, '--binary'], { timeout: BUILD.timeout });
  const { stdout } = await run(helm, [
    'template', 'lifeline', fromRoot('charts/lifeline'),
    '--set', 'jwt.secret=0123456789abcdef0123456789abcdef', '--set', 'jwt.jwksUrl=https://idp.example.com/.well-known/jwks.json', '--set', 'database.admin.password=x', '--set', 'mail.smtpUrl=smtp://relay:587',
  ], { maxBuffer: 64 * 1024 * 1024 });
  rendered = stdout;
});
process.on('exit', () => dir && rmSync(dir, { recursive: true, force: true }));

function plant(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('when the chart is rendered for every broker and compose loaded for every broker, then every manifest decodes strictly', BUILD, async () => {
  const { stdout } = await run('bash', [CHECK], { cwd: fromRoot(), maxBuffer: 8 * 1024 * 1024, timeout: BUILD.timeout });
  for (const broker of ['redis', 'kafka', 'rabbitmq']) assert.match(stdout, new RegExp(`chart, broker.type=${broker}:\\n.*every field is one daprd knows\\n\\d+ Kubernetes manifest\\(s\\) and \\d+ Dapr resource\\(s\\): every field is one the API knows`));
  assert.match(stdout, /chart, existingSecret, no ServiceAccounts, NetworkPolicies, PriorityClasses or HPAs:\n.*every field is one daprd knows\n\d+ Kubernetes manifest\(s\)/);
  assert.equal(stdout.match(/\d+ annotated pod template\(s\): every dapr\.io annotation is one the injector reads/g)?.length, 4, stdout);
  assert.equal(stdout.match(/every field one the compose spec knows/g)?.length, 3, stdout);
});

test('when a Deployment misspells topologySpreadConstraints, then the check fails naming the field and the Deployment', BUILD, async () => {
  const planted = rendered.replace('topologySpreadConstraints:', 'topologySpreadConstraint:');
  assert.notEqual(planted, rendered, 'the chart renders topologySpreadConstraints');
  const failure = await fails(run('bash', [CHECK, plant('misspelt.yaml', planted)]));
  assert.equal(failure?.code, 1);
  assert.match(failure?.stdout ?? '', /misspelt\.yaml \(document \d+, Deployment lifeline-\w+\): strict decoding error: unknown field "spec\.template\.spec\.topologySpreadConstraint"/);
});

test('when a manifest uses an apiVersion the API does not serve, then the check refuses it', BUILD, async () => {
  const planted = rendered.replace('apiVersion: autoscaling/v2\n', 'apiVersion: autoscaling/v2beta1\n');
  assert.notEqual(planted, rendered);
  const failure = await fails(run('bash', [CHECK, plant('old-api.yaml', planted)]));
  assert.equal(failure?.code, 1);
  assert.match(failure?.stdout ?? '', /HorizontalPodAutoscaler.*no kind "HorizontalPodAutoscaler" is registered for version "autoscaling\/v2beta1"/);
});

test('when a pod template misspells a Dapr annotation or gives a port that is no number, then the check names both (the injector would ignore them)', BUILD, async () => {
  const planted = rendered.replace('dapr.io/sidecar-cpu-limit:', 'dapr.io/sidecar-cpu-limt:').replace('dapr.io/app-port: "3101"', 'dapr.io/app-port: "http"');
  assert.notEqual(planted, rendered);
  const failure = await fails(run('bash', [CHECK, plant('annotations.yaml', planted)]));
  assert.equal(failure?.code, 1);
  assert.match(failure?.stdout ?? '', /Deployment lifeline-\w+\): annotation "dapr\.io\/sidecar-cpu-limt" is not one Dapr's sidecar injector reads/);
  assert.match(failure?.stdout ?? '', /Deployment lifeline-tasks\): annotation "dapr\.io\/app-port": "http" is not an integer/);
});

test('when a Dapr resource among the manifests has a field Dapr does not know, then the Dapr checker names it', BUILD, async () => {
  const planted = rendered.replace(/^(\s+)policy: exponential$/m, '$1policy: exponential\n$1initialInterval: 200ms');
  assert.notEqual(planted, rendered, 'the chart renders an exponential retry policy');
  const failure = await fails(run('bash', [CHECK, plant('dapr.yaml', planted)]));
  assert.equal(failure?.code, 1);
  assert.match(failure?.stdout ?? '', /dapr\.yaml-document-\d+-Resiliency-lifeline\.yaml.*unknown field "initialInterval"/);
});

test('when docker-compose.yml has a field the compose spec does not know, then the loader refuses it', BUILD, async () => {
  const compose = readFileSync(fromRoot('docker-compose.yml'), 'utf8');
  const planted = compose.replace(/^( {4})restart: unless-stopped$/m, '$1restart: unless-stopped\n$1restrat: always');
  assert.notEqual(planted, compose);
  const binary = (await run('bash', [CHECK, '--binary'])).stdout.trim();
  // Beside it, the broker file it includes.
  mkdirSync(path.join(dir, 'docker/compose'), { recursive: true });
  copyFileSync(fromRoot('docker/compose/broker-redis.yml'), path.join(dir, 'docker/compose/broker-redis.yml'));
  const env = { ...process.env, LIFELINE_BROKER: 'redis' };
  assert.equal((await fails(run(binary, ['-compose', plant('docker-compose.yml', compose)], { env }))), undefined, 'the copy loads before the field is planted');
  const failure = await fails(run(binary, ['-compose', plant('docker-compose.yml', planted)], { env }));
  assert.equal(failure?.code, 1);
  assert.match(failure?.stdout ?? '', /validating .*docker-compose\.yml: services\.[\w-]+\.restrat /);
});

test('when LIFELINE_BROKER alone names the broker, then compose runs that broker\'s containers and every sidecar mounts its components', BUILD, async () => {
  const binary = (await run('bash', [CHECK, '--binary'])).stdout.trim();
  const own = { redis: [], kafka: ['kafka'], rabbitmq: ['rabbitmq', 'rabbitmq-provision'] } as const;
  for (const broker of ['redis', 'kafka', 'rabbitmq'] as const) {
    const env = { ...process.env, LIFELINE_BROKER: broker, COMPOSE_PROFILES: '' };
    const { stdout } = await run(binary, ['-compose', fromRoot('docker-compose.yml'), '-compose-summary'], { env });
    const summary = JSON.parse(stdout) as { services: Record<string, string[]> };
    const names = Object.keys(summary.services);
    const brokerContainers = names.filter((n) => ['kafka', 'rabbitmq', 'rabbitmq-provision'].includes(n)).sort();
    assert.deepEqual(brokerContainers, [...own[broker]], `LIFELINE_BROKER=${broker}: broker containers`);
    assert.ok(names.includes('broker-ready'), `LIFELINE_BROKER=${broker}: broker-ready`);
    const sidecars = names.filter((n) => n.endsWith('-dapr'));
    assert.equal(sidecars.length, 6);
    for (const s of sidecars) assert.ok(summary.services[s]!.includes(`docker/components/${broker}`), `${s} mounts docker/components/${broker}`);
  }
  const failure = await fails(run(binary, ['-compose', fromRoot('docker-compose.yml')], { env: { ...process.env, LIFELINE_BROKER: 'nats' } }));
  assert.equal(failure?.code, 1);
  assert.match(failure?.stdout ?? '', /broker-nats\.yml: no such file/);
});
