// docker-compose.yml against dapr.yaml (the single source of app ids and ports) and components/dapr (the
// single source of Dapr settings). No Docker engine runs here, so these read the files the engine would.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { renderComposeGatewayConfig } from '../../../docker/gateway/render.ts';
import { appDatabases } from '../src/migrate-all.ts';
import { fromRoot } from '../src/repo-root.ts';
import { brokers, loadRunTemplate } from '../src/run-template.ts';

type Dict = Record<string, unknown>;
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string; args?: Dict };
  command?: string[] | string;
  environment?: Dict;
  volumes?: string[];
  depends_on?: Record<string, { condition?: string; required?: boolean }>;
  network_mode?: string;
  healthcheck?: { test?: string[] | string };
  profiles?: string[];
  ports?: string[];
}

const template = loadRunTemplate();
const composeText = readFileSync(fromRoot('docker-compose.yml'), 'utf8');
// Compose resolves YAML merge keys (<<: *anchor); the yaml package does when asked.
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes?: Dict; include?: { path: string; project_directory?: string }[] };
/** docker/compose/broker-<broker>.yml: the broker's containers, included for LIFELINE_BROKER=<broker>. */
const brokerFiles = Object.fromEntries(brokers.map((b) => [b, parse(readFileSync(fromRoot(`docker/compose/broker-${b}.yml`), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes?: Dict }]));
// Every service any broker choice can run (broker-ready, defined by each file, once).
const services: Record<string, Service> = Object.assign({}, ...brokers.map((b) => brokerFiles[b]!.services), compose.services) as Record<string, Service>;

/** Compose's ${VAR:-default} / ${VAR-default} / ${VAR} / $$ with an empty environment: the values a fresh `docker compose up` gets. */
function interpolate(value: unknown, env: Record<string, string> = {}): string {
  return String(value).replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (m, name: string | undefined, op: string | undefined, def: string | undefined) => {
    if (m === '$$') return '$';
    const v = env[name!];
    if (op === ':-') return v ? v : (def ?? '');
    if (op === '-') return v ?? def ?? '';
    if (op?.endsWith('?')) {
      if (v === undefined || (op === ':?' && v === '')) throw new Error(`compose requires ${name}: ${def}`);
      return v;
    }
    return v ?? '';
  });
}

function env(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
}

/** daprd flags as name -> values; accepts --flag=value, --flag value and single-dash -flag forms. */
function daprdFlags(command: Service['command']): Map<string, string[]> {
  const args = Array.isArray(command) ? command.map(String) : String(command ?? '').split(/\s+/).filter(Boolean);
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(args[i]!);
    if (!m) continue;
    let value = m[2];
    if (value === undefined) value = args[i + 1] && !args[i + 1]!.startsWith('-') ? args[++i]! : 'true';
    flags.set(m[1]!, [...(flags.get(m[1]!) ?? []), value]);
  }
  return flags;
}

function flag(flags: Map<string, string[]>, name: string): string | undefined {
  const values = flags.get(name);
  assert.ok(!values || values.length === 1, `--${name} given ${values?.length} times`);
  return values?.[0];
}

/** A volume "src:dst[:mode]" as [src, dst], with ${...} left in place. */
function mounts(service: Service): { src: string; dst: string }[] {
  return (service.volumes ?? []).map((v) => {
    // ${VAR:-default} holds a colon of its own.
    const [src = '', dst = ''] = v.match(/(?:\$\{[^}]*\}|[^:])+/g) ?? [];
    return { src, dst };
  });
}

function sidecarOf(appId: string): [string, Service] {
  const found = Object.entries(services).filter(([, s]) => s.network_mode === `service:${appId}`);
  assert.equal(found.length, 1, `expected exactly one daprd sidecar with network_mode "service:${appId}", found ${found.length}`);
  return found[0]!;
}

const appServices = () => Object.entries(services).filter(([, s]) => s.build?.dockerfile === 'docker/app.Dockerfile' && s.build.target === 'app');
const sidecars = () => Object.entries(services).filter(([, s]) => s.image?.startsWith('daprio/daprd'));

// ---- components -------------------------------------------------------------------------------------

/** Metadata fields that say where a server is (url: an HTTP binding's endpoint); everything else must be identical between variants. */
const CONNECTION_FIELDS = new Set(['redisHost', 'brokers', 'connectionString', 'host', 'url']);
const LOOPBACK = /127\.0\.0\.1|localhost/;

interface ComponentDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { type?: string; version?: string; metadata?: { name: string; value?: unknown }[] } & Dict;
}

function readDoc(file: string): ComponentDoc {
  return parse(readFileSync(file, 'utf8')) as ComponentDoc;
}

/** The component without its connection fields, for comparison. */
function withoutConnection(doc: ComponentDoc): ComponentDoc {
  const copy = structuredClone(doc);
  if (copy.spec.metadata) copy.spec.metadata = copy.spec.metadata.filter((m) => !CONNECTION_FIELDS.has(m.name));
  return copy;
}

function connectionFields(doc: ComponentDoc): Map<string, string> {
  return new Map((doc.spec.metadata ?? []).filter((m) => CONNECTION_FIELDS.has(m.name)).map((m) => [m.name, String(m.value)]));
}

/** The host of a connection value: "redis:6379", "kafka:9092,kafka2:9092", "amqp://u:p@rabbitmq:5672". */
function hostsOf(value: string): string[] {
  if (/^[a-z]+:\/\//.test(value)) return [new URL(value).hostname];
  return value.split(',').map((hp) => hp.trim().replace(/:\d+$/, ''));
}

const yamlFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort() : []);
const variantFolders = ['common', ...brokers];

test('when docker-compose.yml is read, then it is a compose-spec document whose references all resolve', () => {
  assert.equal((compose as Dict).version, undefined, 'the compose spec dropped the top-level "version" key');
  assert.ok(services && typeof services === 'object', 'no services');
  const declaredVolumes = new Set([compose.volumes, ...brokers.map((b) => brokerFiles[b]!.volumes)].flatMap((v) => Object.keys(v ?? {})));
  for (const [name, service] of Object.entries(services)) {
    assert.match(name, /^[a-z0-9][a-z0-9_.-]*$/, `service name ${name}`);
    assert.ok(service.image || service.build, `${name}: neither image nor build`);
    for (const [dep, spec] of Object.entries(service.depends_on ?? {})) {
      assert.ok(services[dep], `${name} depends on undefined service ${dep}`);
      assert.ok(['service_started', 'service_healthy', 'service_completed_successfully'].includes(spec.condition ?? ''), `${name} -> ${dep}: condition ${spec.condition}`);
      if (spec.condition === 'service_healthy') assert.ok(services[dep].healthcheck, `${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      // A dependency that only runs under a profile must be optional, or the default `up` refuses to start.
      if (services[dep].profiles?.length && !service.profiles?.length) assert.equal(spec.required, false, `${name} -> ${dep} (profile ${services[dep].profiles.join(',')}) must be required: false`);
    }
    if (service.network_mode?.startsWith('service:')) {
      const target = service.network_mode.slice('service:'.length);
      assert.ok(services[target], `${name}: network_mode names undefined service ${target}`);
      assert.equal(service.depends_on?.[target]?.condition !== undefined, true, `${name} must depend on ${target}, whose network it joins`);
      assert.equal(service.ports, undefined, `${name} shares ${target}'s network and cannot publish ports`);
    }
    for (const { src } of mounts(service)) {
      if (src.startsWith('.')) assert.ok(existsSync(fromRoot(interpolate(src))), `${name} mounts ${src}, which does not exist`);
      else assert.ok(declaredVolumes.has(src), `${name} mounts undeclared volume ${src}`);
    }
    if (service.build) assert.ok(existsSync(fromRoot(service.build.context ?? '.', service.build.dockerfile ?? 'Dockerfile')), `${name}: no Dockerfile`);
  }
});

test('when dapr.yaml lists an app, then compose runs it from the app Dockerfile with its id, port and full environment', () => {
  for (const app of template.apps) {
    const service = services[app.appId];
    assert.ok(service, `dapr.yaml app ${app.appId} has no compose service "${app.appId}"`);
    assert.equal(service.build?.dockerfile, 'docker/app.Dockerfile', `${app.appId}: built from docker/app.Dockerfile`);
    assert.equal(service.build?.args?.APP, app.appId, `${app.appId}: build arg APP`);
    const e = env(service);
    assert.equal(e.APP_ID, app.appId);
    assert.equal(e.APP_PORT, String(app.appPort), `${app.appId}: APP_PORT vs dapr.yaml appPort`);
    assert.equal(e.DAPR_HOST, '127.0.0.1', `${app.appId}: the sidecar shares the app's network namespace`);
    assert.equal(e.DAPR_HTTP_PORT, String(app.daprHttpPort), `${app.appId}: DAPR_HTTP_PORT vs dapr.yaml daprHTTPPort`);
    for (const name of ['DAPR_API_TOKEN', 'APP_API_TOKEN', 'JWT_SECRET', 'JWT_ISSUER', 'JWT_AUDIENCE', 'LOG_LEVEL', 'DATABASE_URL']) {
      assert.ok(e[name], `${app.appId}: ${name} is not set`);
    }
    assert.ok(e.JWT_SECRET!.length >= 32, `${app.appId}: JWT_SECRET must be at least 32 characters`);
    const db = new URL(e.DATABASE_URL!);
    assert.equal(db.hostname, 'postgres', `${app.appId}: DATABASE_URL must reach the postgres service`);
    assert.equal(decodeURIComponent(db.username), `${app.appId}_app`, `${app.appId}: connects as its own role`);

    const health = JSON.stringify(service.healthcheck?.test ?? '');
    assert.match(health, /\/health\/ready/, `${app.appId}: healthcheck must probe /health/ready`);
    assert.equal(service.depends_on?.migrate?.condition, 'service_completed_successfully', `${app.appId} must wait for migrate to complete`);
    assert.equal(service.depends_on?.postgres?.condition, 'service_healthy', `${app.appId} must wait for a healthy postgres`);

    // What dapr.yaml gives the app locally, compose gives it too; a URL may only move to a compose service.
    for (const [name, local] of Object.entries(app.env)) {
      const value = e[name];
      assert.ok(value, `${app.appId}: ${name} (set in dapr.yaml) is not set in compose`);
      if (!/^[a-z]+:\/\//.test(local)) continue;
      const [l, c] = [new URL(local), new URL(value)];
      assert.equal(c.protocol, l.protocol, `${app.appId}: ${name} protocol`);
      assert.equal(c.pathname, l.pathname, `${app.appId}: ${name} path`);
      assert.ok(services[c.hostname], `${app.appId}: ${name} names host ${c.hostname}, which is no compose service`);
      assert.ok(service.depends_on?.[c.hostname], `${app.appId} uses ${c.hostname} (${name}) but does not wait for it`);
    }
  }
  const known = new Set(template.apps.map((a) => a.appId));
  for (const [name, s] of appServices()) assert.ok(known.has(String(s.build?.args?.APP)), `compose service ${name} builds app ${String(s.build?.args?.APP)}, which dapr.yaml does not list`);
});

test('when an app runs in compose, then its daprd sidecar shares its network and matches dapr.yaml', () => {
  const daprdVersion = /^DAPRD_VERSION=(\S+)/m.exec(readFileSync(fromRoot('scripts/lib/dapr-versions.sh'), 'utf8'))?.[1];
  for (const app of template.apps) {
    const [name, sidecar] = sidecarOf(app.appId);
    assert.equal(sidecar.image, `daprio/daprd:${daprdVersion}`, `${name}: daprd image must be the pinned ${daprdVersion}`);
    const flags = daprdFlags(sidecar.command);
    assert.match(String(Array.isArray(sidecar.command) ? sidecar.command[0] : sidecar.command), /daprd$/, `${name}: runs daprd`);
    assert.equal(flag(flags, 'app-id'), app.appId, `${name}: --app-id`);
    assert.equal(flag(flags, 'app-port'), String(app.appPort), `${name}: --app-port vs dapr.yaml appPort`);
    assert.equal(flag(flags, 'dapr-http-port'), String(app.daprHttpPort), `${name}: --dapr-http-port`);
    assert.equal(flag(flags, 'dapr-grpc-port'), String(app.daprGrpcPort), `${name}: --dapr-grpc-port`);
    assert.equal(flag(flags, 'metrics-port'), String(app.metricsPort), `${name}: --metrics-port`);
    assert.equal(flag(flags, 'app-protocol'), 'http');
    assert.equal(flag(flags, 'enable-app-health-check'), 'true');
    assert.equal(flag(flags, 'app-health-check-path'), '/health/live');
    assert.deepEqual(flags.get('resources-path'), ['/components/common', '/components/broker'], `${name}: resource paths`);
    const dsts = new Set(mounts(sidecar).map((m) => m.dst));
    assert.ok(dsts.has(flag(flags, 'config')!), `${name}: --config ${flag(flags, 'config')} is not mounted`);

    // The tokens authenticate both directions, so app and sidecar must agree.
    const [a, s] = [env(services[app.appId]!), env(sidecar)];
    assert.equal(s.DAPR_API_TOKEN, a.DAPR_API_TOKEN, `${name}: DAPR_API_TOKEN differs from the app's`);
    assert.equal(s.APP_API_TOKEN, a.APP_API_TOKEN, `${name}: APP_API_TOKEN differs from the app's`);
  }
  const known = new Set(template.apps.map((a) => a.appId));
  for (const [name, s] of sidecars()) assert.ok(known.has(flag(daprdFlags(s.command), 'app-id') ?? ''), `sidecar ${name} runs an app id dapr.yaml does not list`);
});

test('when a sidecar starts, then it mounts every common component and the broker folder chosen by LIFELINE_BROKER', () => {
  const common = fromRoot('components/dapr/common');
  for (const app of template.apps) {
    const [name, sidecar] = sidecarOf(app.appId);
    const byDst = new Map(mounts(sidecar).map((m) => [m.dst, m.src]));
    for (const file of yamlFiles(common)) {
      const src = byDst.get(`/components/common/${file}`);
      assert.ok(src, `${name}: components/dapr/common/${file} is not mounted at /components/common/${file}`);
      // A component that names a loopback address needs its compose variant; any other is used as is.
      const needsVariant = LOOPBACK.test(readFileSync(path.join(common, file), 'utf8'));
      assert.equal(src, needsVariant ? `./docker/components/common/${file}` : `./components/dapr/common/${file}`, `${name}: source of ${file}`);
    }
    const extra = [...byDst.keys()].filter((d) => d.startsWith('/components/common/') && !yamlFiles(common).includes(path.basename(d)));
    assert.deepEqual(extra, [], `${name}: mounts common files components/dapr/common does not have`);
    assert.equal(byDst.get('/components/broker'), './docker/components/${LIFELINE_BROKER:-redis}', `${name}: broker folder`);
  }
  for (const broker of brokers) {
    const originals = yamlFiles(fromRoot('components/dapr', broker));
    assert.deepEqual(yamlFiles(fromRoot('docker/components', broker)), originals, `docker/components/${broker} must hold a variant of every file of components/dapr/${broker}`);
  }
});

test('when a compose component variant is compared with its original, then only connection fields differ', () => {
  let compared = 0;
  for (const folder of variantFolders) {
    for (const file of yamlFiles(fromRoot('docker/components', folder))) {
      const originalFile = fromRoot('components/dapr', folder, file);
      assert.ok(existsSync(originalFile), `docker/components/${folder}/${file} has no original in components/dapr/${folder}`);
      const [variant, original] = [readDoc(fromRoot('docker/components', folder, file)), readDoc(originalFile)];
      assert.deepEqual(withoutConnection(variant), withoutConnection(original), `docker/components/${folder}/${file} drifted from components/dapr/${folder}/${file}`);
      const [vc, oc] = [connectionFields(variant), connectionFields(original)];
      assert.deepEqual([...vc.keys()], [...oc.keys()], `${folder}/${file}: connection fields`);
      for (const [field, value] of vc) {
        assert.doesNotMatch(value, LOOPBACK, `${folder}/${file}: ${field} still points at loopback`);
        for (const host of hostsOf(value)) assert.ok(services[host], `${folder}/${file}: ${field} names host ${host}, which is no compose service`);
        if (/^[a-z]+:\/\//.test(value)) {
          const [v, o] = [new URL(value), new URL(oc.get(field)!)];
          assert.deepEqual([v.protocol, v.username, v.password, v.pathname], [o.protocol, o.username, o.password, o.pathname], `${folder}/${file}: ${field} may change only host and port`);
        }
      }
      compared++;
    }
  }
  assert.ok(compared >= 1 + brokers.length, `expected variants for statestore and every broker, compared ${compared}`);
});

test('when the variant comparison sees a changed delivery setting, then it reports drift', () => {
  // The comparison above must be able to fail: a variant that loses a loss-preventing setting.
  const original = readDoc(fromRoot('components/dapr/kafka/pubsub.yaml'));
  const drifted = structuredClone(original);
  drifted.spec.metadata = drifted.spec.metadata!.map((m) => (m.name === 'initialOffset' ? { ...m, value: 'newest' } : m));
  assert.throws(() => assert.deepEqual(withoutConnection(drifted), withoutConnection(original)));
  const moved = structuredClone(original);
  moved.spec.metadata = moved.spec.metadata!.map((m) => (m.name === 'brokers' ? { ...m, value: 'elsewhere:9092' } : m));
  assert.deepEqual(withoutConnection(moved), withoutConnection(original));
});

test('when migrate runs, then it is a one-shot with the admin URL and the password of every app role', () => {
  const migrate = services.migrate;
  assert.ok(migrate, 'no migrate service');
  assert.equal(migrate.build?.dockerfile, 'docker/app.Dockerfile');
  assert.equal(migrate.build?.target, 'migrate');
  assert.equal(migrate.depends_on?.postgres?.condition, 'service_healthy');
  const e = env(migrate);
  const admin = new URL(e.DATABASE_ADMIN_URL ?? '');
  assert.equal(admin.hostname, 'postgres');
  assert.equal(decodeURIComponent(admin.password), env(services.postgres!).POSTGRES_PASSWORD, 'admin password vs postgres service');
  for (const db of appDatabases()) {
    const password = e[`${db.app.toUpperCase()}_DB_PASSWORD`];
    assert.ok(password, `migrate: ${db.app.toUpperCase()}_DB_PASSWORD is not set (prisma/${db.app} has migrations)`);
    const app = services[db.app];
    if (!app) continue; // an app with migrations but not yet in dapr.yaml
    const url = new URL(env(app).DATABASE_URL!);
    assert.equal(decodeURIComponent(url.password), password, `${db.app}: DATABASE_URL password differs from the one migrate sets`);
    assert.equal(url.pathname, admin.pathname, `${db.app}: DATABASE_URL database differs from the migrated one`);
  }
});

test('when the notification app sends mail or push in compose, then both reach the capture service on its ports', () => {
  const capture = services.capture;
  assert.ok(capture, 'no capture service');
  assert.equal(capture.build?.dockerfile, 'docker/app.Dockerfile');
  assert.equal(capture.build?.target, 'capture');
  assert.ok(capture.healthcheck?.test, 'capture has no healthcheck');
  const ports = env(capture);
  const smtp = new URL(env(services.notification!).SMTP_URL ?? '');
  assert.deepEqual([smtp.protocol, smtp.hostname, smtp.port], ['smtp:', 'capture', ports.LIFELINE_SMTP_PORT]);
  assert.equal(services.notification?.depends_on?.capture?.condition, 'service_healthy', 'notification waits for capture');
  const push = readDoc(fromRoot('docker/components/common/push-binding.yaml'));
  const url = new URL(String(push.spec.metadata?.find((m) => m.name === 'url')?.value));
  assert.deepEqual([url.hostname, url.port], ['capture', ports.LIFELINE_CAPTURE_PORT], 'the push binding posts to capture');
  assert.ok((capture.ports ?? []).some((p) => interpolate(p) === `${ports.LIFELINE_CAPTURE_PORT}:${ports.LIFELINE_CAPTURE_PORT}`), 'the capture API is published on the host');
});

test('when LIFELINE_BROKER names a broker, then its file (the one setting) runs the broker (and RabbitMQ provisioning) before the sidecars', () => {
  assert.deepEqual(compose.include, [{ path: 'docker/compose/broker-${LIFELINE_BROKER:-redis}.yml', project_directory: '.' }]);
  for (const name of ['kafka', 'rabbitmq', 'rabbitmq-provision']) assert.equal(compose.services[name], undefined, `${name} belongs in its broker file`);
  const kafka = brokerFiles.kafka!.services;
  assert.match(kafka.kafka?.image ?? '', /^apache\/kafka:4\./);
  assert.equal(kafka['broker-ready']?.depends_on?.kafka?.condition, 'service_healthy');
  const rabbit = brokerFiles.rabbitmq!.services;
  assert.match(rabbit.rabbitmq?.image ?? '', /^rabbitmq:3[.-].*management/);
  const provision = rabbit['rabbitmq-provision'];
  assert.ok(provision, 'no rabbitmq-provision service');
  assert.equal(provision.depends_on?.rabbitmq?.condition, 'service_healthy');
  assert.match(JSON.stringify(provision.command), /docker\/rabbitmq-provision\.ts/);
  assert.ok(existsSync(fromRoot('docker/rabbitmq-provision.ts')));
  assert.equal(new URL(env(provision).RABBITMQ_MANAGEMENT_URL ?? '').hostname, 'rabbitmq');
  assert.equal(rabbit['broker-ready']?.depends_on?.['rabbitmq-provision']?.condition, 'service_completed_successfully');
  assert.equal(brokerFiles.redis!.services['broker-ready']?.depends_on?.redis?.condition, 'service_healthy');
  for (const b of brokers) assert.ok(!Object.values(brokerFiles[b]!.services).some((x) => x.profiles), `broker-${b}.yml: no profiles (LIFELINE_BROKER alone chooses)`);
  for (const [name, sidecar] of sidecars()) {
    assert.equal(sidecar.depends_on?.redis?.condition, 'service_healthy', `${name} -> redis`);
    assert.equal(sidecar.depends_on?.['broker-ready']?.condition, 'service_completed_successfully', `${name} -> broker-ready`);
  }
  for (const [name, s] of [['postgres', services.postgres], ['redis', services.redis]] as const) {
    assert.ok(s?.healthcheck?.test, `${name} has no healthcheck`);
  }
  assert.match(services.postgres?.image ?? '', /^postgres:15/);
  assert.match(services.redis?.image ?? '', /^redis:7/);
});

test('when the gateway starts, then its config is the local renderer\'s output with compose hostnames', () => {
  const committed = readFileSync(fromRoot('docker/gateway/nginx.conf'), 'utf8');
  assert.equal(committed, renderComposeGatewayConfig(template), 'docker/gateway/nginx.conf is stale: run npx tsx docker/gateway/render.ts docker/gateway/nginx.conf');
  for (const app of template.apps) {
    assert.ok(committed.includes(`upstream ${app.appId} { server ${app.appId}:${app.appPort};`), `gateway upstream for ${app.appId}`);
    assert.ok(committed.includes(`location /api/v1/${app.appId}/ {`), `gateway route for ${app.appId}`);
    assert.equal(services.gateway?.depends_on?.[app.appId]?.condition, 'service_healthy', `gateway waits for ${app.appId}`);
  }
  const gateway = services.gateway!;
  assert.ok(mounts(gateway).some((m) => m.src === './docker/gateway/nginx.conf'), 'gateway mounts docker/gateway/nginx.conf');
  assert.ok((gateway.ports ?? []).some((p) => interpolate(p) === '8080:8080'), 'gateway publishes 8080');
});

test('when nginx checks the compose gateway config, then it accepts it', (t) => {
  const nginx = spawnSync('nginx', ['-v']);
  if (nginx.error) {
    t.skip('nginx is not installed (scripts/install/system.sh installs it)');
    return;
  }
  // Same file, with the compose hostnames (unresolvable here) and container paths moved to a temp dir.
  const dir = mkdtempSync(path.join(tmpdir(), 'lifeline-gateway-'));
  try {
    let conf = readFileSync(fromRoot('docker/gateway/nginx.conf'), 'utf8').replaceAll('/tmp/gateway', dir);
    for (const app of template.apps) conf = conf.replaceAll(`server ${app.appId}:`, 'server 127.0.0.1:');
    writeFileSync(path.join(dir, 'nginx.conf'), conf);
    const r = spawnSync('nginx', ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { encoding: 'utf8' });
    // -t opens the pid path's directory and the temp dirs; the test only cares about syntax and directives.
    assert.doesNotMatch(r.stderr, /\[emerg\].*(unknown directive|invalid|unexpected|not allowed|no "events")/, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when the app image is built, then it installs the workspace, generates Prisma clients and runs the app as non-root', () => {
  const dockerfile = readFileSync(fromRoot('docker/app.Dockerfile'), 'utf8');
  const ignore = readFileSync(fromRoot('docker/app.Dockerfile.dockerignore'), 'utf8');
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-slim$/m);
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/gim)].map((m) => ({ image: m[1], stage: m[2] }));
  assert.ok(froms.every((f) => f.image === '${NODE_IMAGE}' || froms.some((g) => g.stage === f.image)), 'every stage derives from node:20-slim');
  assert.ok(froms.some((f) => f.stage === 'migrate') && froms.at(-1)?.stage === 'app', 'stages migrate and app (the default, last)');
  assert.match(dockerfile, /npm ci\b/);
  assert.match(dockerfile, /prisma generate --config/);
  const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(users.length > 0 && !/^(root|0)(:|$)/.test(users.at(-1)!), 'the final USER is not root');
  assert.match(dockerfile, /^WORKDIR \/srv\/apps\/\$\{APP\}$/m);
  assert.match(dockerfile, /^CMD \["node", "--import", "tsx", "src\/main\.ts"\]$/m);
  assert.match(dockerfile, /packages\/platform\/src\/cli\/migrate\.ts/);
  assert.ok(froms.some((f) => f.stage === 'capture'), 'a capture stage');
  assert.match(dockerfile, /^CMD \["node", "--import", "tsx", "tools\/capture\/src\/main\.ts"\]$/m);
  // npm ci installs every workspace of the lockfile, tools/capture included: its manifest must be in the context.
  for (const line of ignore.split('\n')) assert.ok(!['tools', 'tools/', 'tools/capture', 'tools/*'].includes(line.trim()), `dockerignore excludes tools/capture (${line})`);
  for (const pattern of ['**/node_modules', '.git', '**/src/generated']) assert.ok(ignore.split('\n').includes(pattern), `dockerignore lacks ${pattern}`);
});
