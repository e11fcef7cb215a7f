// charts/lifeline rendered by a real helm (built from its Go module by scripts/install/helm.sh) for each
// broker, checked against dapr.yaml (app ids and ports) and components/dapr (Dapr settings).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { appDatabases } from '../src/migrate-all.ts';
import { fromRoot } from '../src/repo-root.ts';
import { brokers, loadRunTemplate } from '../src/run-template.ts';
import { CHART, ensureHelm, REQUIRED_VALUES, renderChart } from './support/helm.ts';

type Dict = Record<string, unknown>;
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Dict & { metadata?: { name: string; value?: unknown; secretKeyRef?: { name: string; key: string } }[] };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: Dict;
  securityContext?: Dict;
}

const template = loadRunTemplate();
const REQUIRED = REQUIRED_VALUES;
/** Fields that locate or authenticate against a server: the cluster's own (url: the push binding's endpoint). */
const CONNECTION_FIELDS = new Set(['redisHost', 'brokers', 'connectionString', 'host', 'redisPassword', 'url', 'securityToken', 'securityTokenHeader']);

let helm = '';
function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const render = (args: string[] = []) => renderChart<Manifest>(helm, args);

const ofKind = (docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind);
function one(docs: Manifest[], kind: string, name: string): Manifest {
  const found = docs.filter((d) => d.kind === kind && d.metadata.name === name);
  assert.equal(found.length, 1, `expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
}

function podOf(deployment: Manifest): { annotations: Record<string, string>; spec: { containers: Container[]; securityContext?: Dict; serviceAccountName?: string } } {
  const t = (deployment.spec as { template: { metadata: { annotations: Record<string, string> }; spec: { containers: Container[] } } }).template;
  return { annotations: t.metadata.annotations, spec: t.spec };
}

function secretValue(docs: Manifest[], name: string, key: string): string {
  const s = one(docs, 'Secret', name);
  if (s.stringData?.[key] !== undefined) return s.stringData[key];
  const b64 = s.data?.[key];
  assert.ok(b64 !== undefined, `Secret ${name} has no key ${key}`);
  return Buffer.from(b64, 'base64').toString('utf8');
}

function originalDoc(rel: string): Manifest {
  return parse(readFileSync(fromRoot('components/dapr', rel), 'utf8')) as Manifest;
}

/** Component metadata as name -> value, without the fields that locate a server. */
function settings(doc: Manifest): Record<string, unknown> {
  return Object.fromEntries((doc.spec?.metadata ?? []).filter((m) => !CONNECTION_FIELDS.has(m.name)).map((m) => [m.name, String(m.value)]));
}

before(() => {
  helm = ensureHelm();
});

test('when values.yaml lists apps, then they are exactly the apps of dapr.yaml with the same ports', () => {
  const values = parse(readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as { apps: Record<string, { port: number }>; broker: { type: string } };
  assert.deepEqual(Object.keys(values.apps).sort(), template.apps.map((a) => a.appId).sort(), 'values.yaml apps vs dapr.yaml apps');
  for (const app of template.apps) assert.equal(values.apps[app.appId]?.port, app.appPort, `values.yaml apps.${app.appId}.port vs dapr.yaml appPort`);
  assert.ok((brokers as readonly string[]).includes(values.broker.type));
  const chart = parse(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as Dict;
  assert.equal(chart.apiVersion, 'v2');
  assert.equal(chart.name, 'lifeline');
  // files/dapr is a link to components/dapr, so the chart ships the very files dapr run loads.
  assert.deepEqual(readdirSync(path.join(CHART, 'files/dapr')).sort(), readdirSync(fromRoot('components/dapr')).sort());
});

for (const broker of brokers) {
  describe(`when the chart is rendered with broker.type=${broker}`, () => {
    let docs: Manifest[] = [];
    before(() => {
      docs = render(['--set', `broker.type=${broker}`]);
    });

    test('then helm lint passes', () => {
      const r = run(['lint', CHART, '--strict', ...REQUIRED, '--set', `broker.type=${broker}`]);
      assert.equal(r.status, 0, `helm lint failed:\n${r.stdout}\n${r.stderr}`);
    });

    test('then every app of dapr.yaml has a Deployment with Dapr annotations matching dapr.yaml', () => {
      const configName = originalDoc('common/configuration.yaml').metadata.name;
      const deployments = ofKind(docs, 'Deployment');
      assert.equal(deployments.length, template.apps.length, 'one Deployment per app');
      for (const app of template.apps) {
        const matches = deployments.filter((d) => podOf(d).annotations['dapr.io/app-id'] === app.appId);
        assert.equal(matches.length, 1, `Deployments with dapr.io/app-id=${app.appId}`);
        const { annotations: a, spec } = podOf(matches[0]!);
        assert.equal(a['dapr.io/enabled'], 'true');
        assert.equal(a['dapr.io/app-port'], String(app.appPort), `${app.appId}: dapr.io/app-port vs dapr.yaml`);
        assert.equal(a['dapr.io/app-protocol'], 'http');
        // Its own Configuration: the common one, its secret stores allowing the app's own Secret only.
        const config = one(docs, 'Configuration', a['dapr.io/config']!);
        assert.equal(config.metadata.name, `${configName}-${app.appId}`);
        assert.equal(a['dapr.io/enable-app-health-check'], 'true');
        assert.equal(a['dapr.io/app-health-check-path'], '/health/live');
        for (const ann of ['dapr.io/api-token-secret', 'dapr.io/app-token-secret']) {
          assert.ok(secretValue(docs, a[ann]!, 'token').length >= 32, `${app.appId}: ${ann} must name a rendered Secret with a "token"`);
        }
        const [c] = spec.containers;
        assert.ok(c && spec.containers.length === 1, `${app.appId}: one app container (daprd is injected)`);
        assert.equal(c.ports?.[0]?.containerPort, app.appPort);
        assert.equal(c.readinessProbe?.httpGet?.path, '/health/ready');
        assert.equal(c.livenessProbe?.httpGet?.path, '/health/live');
        assert.ok(c.resources && Object.keys(c.resources).length > 0, `${app.appId}: resources`);
        assert.equal((spec.securityContext)?.runAsNonRoot, true, `${app.appId}: runAsNonRoot`);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
        const env = new Map((c.env ?? []).map((e) => [e.name, e]));
        assert.equal(env.get('APP_ID')?.value, app.appId);
        assert.equal(env.get('APP_PORT')?.value, String(app.appPort));
        for (const name of ['JWT_ISSUER', 'JWT_AUDIENCE', 'LOG_LEVEL']) assert.ok(env.get(name)?.value, `${app.appId}: ${name}`);
        // The app authenticates with the very tokens the sidecar is given.
        assert.equal(env.get('DAPR_API_TOKEN')?.valueFrom?.secretKeyRef?.name, a['dapr.io/api-token-secret']);
        assert.equal(env.get('APP_API_TOKEN')?.valueFrom?.secretKeyRef?.name, a['dapr.io/app-token-secret']);
        const jwt = env.get('JWT_SECRET')?.valueFrom?.secretKeyRef;
        assert.ok(jwt && secretValue(docs, jwt.name, jwt.key).length >= 32, `${app.appId}: JWT_SECRET from a Secret of >= 32 characters`);
        const dbRef = env.get('DATABASE_URL')?.valueFrom?.secretKeyRef;
        assert.ok(dbRef, `${app.appId}: DATABASE_URL from a Secret`);
        assert.equal(dbRef.name, `lifeline-${app.appId}`, `${app.appId}: DATABASE_URL from the app's own Secret`);
        assert.deepEqual((config.spec as { secrets?: unknown }).secrets, {
          scopes: ['kubernetes', 'secretstore'].map((storeName) => ({ storeName, defaultAccess: 'deny', allowedSecrets: [dbRef.name] })),
        }, `${app.appId}: Dapr secret scopes`);
        const url = new URL(secretValue(docs, dbRef.name, dbRef.key));
        assert.equal(decodeURIComponent(url.username), `${app.appId}_app`);
        assert.equal(decodeURIComponent(url.password), secretValue(docs, dbRef.name, `${app.appId}-db-password`), `${app.appId}: URL password vs the one migrations set`);
        // What dapr.yaml gives the app locally, the chart gives it too, from values or the Secret.
        for (const [name, local] of Object.entries(app.env)) {
          const e = env.get(name);
          const ref = e?.valueFrom?.secretKeyRef;
          const value = ref ? secretValue(docs, ref.name, ref.key) : e?.value;
          assert.ok(value, `${app.appId}: ${name} (set in dapr.yaml) is not set`);
          if (!/^[a-z]+:\/\//.test(local)) continue;
          const [l, c] = [new URL(local), new URL(value)];
          assert.deepEqual([c.protocol, c.pathname], [l.protocol, l.pathname], `${app.appId}: ${name} may differ from dapr.yaml only in host and credentials`);
        }
        assert.ok(one(docs, 'Service', matches[0]!.metadata.name), `${app.appId}: Service`);
        assert.ok(one(docs, 'PodDisruptionBudget', matches[0]!.metadata.name), `${app.appId}: PodDisruptionBudget`);
      }
    });

    test(`then the pub/sub Components are exactly those of components/dapr/${broker} (pubsub, fanout), of type pubsub.${broker} with their files' settings`, () => {
      const originals = readdirSync(fromRoot('components/dapr', broker)).filter((f) => f.endsWith('.yaml')).map((f) => originalDoc(`${broker}/${f}`));
      const names = originals.map((o) => o.metadata.name).sort();
      assert.ok(names.includes('pubsub') && names.includes('fanout'), `components/dapr/${broker} holds pubsub and fanout: ${names.join(', ')}`);
      const pubsubs = ofKind(docs, 'Component').filter((c) => String((c.spec as Dict).type).startsWith('pubsub.'));
      assert.deepEqual(pubsubs.map((p) => p.metadata.name).sort(), names, 'no pub/sub of another broker folder');
      for (const original of originals) {
        const rendered = one(docs, 'Component', original.metadata.name);
        assert.equal(rendered.apiVersion, 'dapr.io/v1alpha1');
        assert.equal((rendered.spec as Dict).type, `pubsub.${broker}`);
        // Consumer groups included: {appID} shares the work among replicas, fanout's {uuid} gives each replica everything.
        assert.deepEqual(settings(rendered), settings(original), `${original.metadata.name}: settings differ from the component folder`);
        assert.deepEqual(rendered.scopes, original.scopes, `${original.metadata.name}: scopes`);
        const originalFields = (original.spec?.metadata ?? []).filter((m) => CONNECTION_FIELDS.has(m.name)).map((m) => m.name);
        for (const field of originalFields) assert.ok(rendered.spec?.metadata?.some((m) => m.name === field), `${original.metadata.name} lacks ${field}`);
      }
    });

    test('then the push binding posts to FCM with its token from the Secret', () => {
      const push = one(docs, 'Component', 'push');
      const field = (name: string) => push.spec?.metadata?.find((m) => m.name === name);
      assert.equal(field('url')?.value, 'https://fcm.googleapis.com');
      assert.equal(field('securityTokenHeader')?.value, 'Authorization');
      const ref = field('securityToken')?.secretKeyRef;
      assert.ok(ref, 'securityToken comes from a Secret');
      assert.equal(secretValue(docs, ref.name, ref.key), '', 'no token unless one is set');
      assert.deepEqual(push.scopes, ['notification']);
    });

    test('then the common components, Configuration and Resiliency are those of components/dapr/common', () => {
      // Ordinary release resources: upgraded, rolled back and uninstalled with the release.
      for (const d of docs.filter((x) => x.apiVersion.startsWith('dapr.io/'))) {
        assert.equal(d.metadata.annotations?.['helm.sh/hook'], undefined, `${d.kind} ${d.metadata.name} is a hook`);
      }
      for (const file of readdirSync(fromRoot('components/dapr/common')).filter((f) => f.endsWith('.yaml'))) {
        const original = originalDoc(`common/${file}`);
        if (original.kind === 'Configuration') {
          // One per app (tested with the Deployments), each the file's spec plus the app's secret scope and
          // its accessControl (dapr.invocationGrants; trust-config.test.ts).
          const perApp = ofKind(docs, 'Configuration').filter((c) => c.metadata.name.startsWith(`${original.metadata.name}-`));
          assert.equal(perApp.length, template.apps.length, `${file}: one Configuration per app`);
          for (const c of perApp) assert.deepEqual({ ...c.spec, secrets: undefined, accessControl: undefined }, { ...original.spec, secrets: undefined, accessControl: undefined }, `${c.metadata.name}: spec differs from ${file}`);
          continue;
        }
        const rendered = one(docs, original.kind, original.metadata.name);
        assert.equal(rendered.apiVersion, original.apiVersion);
        if (original.kind !== 'Component') {
          assert.deepEqual(rendered.spec, original.spec, `${file}: spec differs`);
        } else if (String((original.spec as Dict).type).startsWith('secretstores.')) {
          assert.equal((rendered.spec as Dict).type, 'secretstores.kubernetes', `${file}: the chart reads Kubernetes secrets`);
        } else {
          assert.equal((rendered.spec as Dict).type, (original.spec as Dict).type);
          assert.deepEqual(settings(rendered), settings(original), `${file}: settings differ`);
        }
      }
    });

    test('then nothing points at the local stack\'s loopback addresses', () => {
      const text = JSON.stringify(docs);
      assert.doesNotMatch(text, /127\.0\.0\.1|localhost/);
    });

    test('then migrations run as a pre-install/pre-upgrade hook with every app\'s role password', () => {
      const job = one(docs, 'Job', 'lifeline-migrate');
      assert.match(job.metadata.annotations?.['helm.sh/hook'] ?? '', /^pre-install,pre-upgrade$/);
      const secretWeight = Number(one(docs, 'Secret', 'lifeline-secrets').metadata.annotations?.['helm.sh/hook-weight']);
      assert.ok(secretWeight < Number(job.metadata.annotations?.['helm.sh/hook-weight']), 'the Secret hook runs before the Job');
      const [c] = (job.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
      assert.deepEqual(c!.command, ['node', '--import', 'tsx', 'packages/platform/src/cli/migrate.ts']);
      assert.match(c!.image, /\/migrate:/);
      const env = new Set((c!.env ?? []).map((e) => e.name));
      assert.ok(env.has('DATABASE_ADMIN_URL'));
      for (const db of appDatabases()) {
        if (!template.apps.some((a) => a.appId === db.app)) continue;
        assert.ok(env.has(`${db.app.toUpperCase()}_DB_PASSWORD`), `migrate Job lacks ${db.app.toUpperCase()}_DB_PASSWORD`);
      }
    });

    test(`then a RabbitMQ provisioning Job is ${broker === 'rabbitmq' ? '' : 'not '}rendered`, () => {
      const jobs = ofKind(docs, 'Job').filter((j) => j.metadata.name === 'lifeline-rabbitmq-provision');
      assert.equal(jobs.length, broker === 'rabbitmq' ? 1 : 0);
      if (broker !== 'rabbitmq') return;
      const [c] = (jobs[0]!.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
      assert.match(JSON.stringify(c!.command), /docker\/rabbitmq-provision\.ts/);
      assert.match(jobs[0]!.metadata.annotations?.['helm.sh/hook'] ?? '', /pre-install/);
      const pubsub = ofKind(docs, 'Component').find((x) => x.metadata.name === 'pubsub')!;
      const ref = pubsub.spec?.metadata?.find((m) => m.name === 'connectionString')?.secretKeyRef;
      assert.ok(ref, 'connectionString comes from a Secret');
      const url = new URL(secretValue(docs, ref.name, ref.key));
      assert.equal(url.protocol, 'amqp:');
      assert.equal(url.pathname, '', 'no path: the default vhost "/"');
    });
  });
}

test('when ingress is enabled, then /api/v1/<app>/... reaches that app at /<app>/...', () => {
  const docs = render(['--set', 'ingress.enabled=true', '--set', 'ingress.host=api.example.com']);
  const ingress = one(docs, 'Ingress', 'lifeline');
  const rewrite = ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/rewrite-target'] ?? '';
  const rules = (ingress.spec as { rules: { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { number: number } } } }[] } }[] }).rules;
  assert.equal(rules[0]?.host, 'api.example.com');
  const paths = rules[0].http.paths;
  for (const app of template.apps) {
    const service = one(docs, 'Service', `lifeline-${app.appId}`);
    const route = paths.find((p) => p.backend.service.name === service.metadata.name);
    assert.ok(route, `no ingress path for ${app.appId}`);
    assert.equal(route.backend.service.port.number, app.appPort);
    // ingress-nginx anchors the regex at the start; apply it as nginx would.
    const re = new RegExp(`^${route.path}`);
    const rewritten = (p: string) => (re.test(p) ? p.replace(re, rewrite) : null);
    assert.equal(rewritten(`/api/v1/${app.appId}/v1/things?x=1`), `/${app.appId}/v1/things?x=1`);
    assert.equal(rewritten(`/api/v1/${app.appId}`), `/${app.appId}`);
    assert.equal(rewritten(`/api/v1/${app.appId}extra/x`), null);
  }
});

test('when push.url and push.securityToken are set, then the push binding uses them', () => {
  const docs = render(['--set', 'push.url=https://push.example.com', '--set', 'push.securityToken=Bearer ya29.token']);
  const push = one(docs, 'Component', 'push');
  assert.equal(push.spec?.metadata?.find((m) => m.name === 'url')?.value, 'https://push.example.com');
  const ref = push.spec?.metadata?.find((m) => m.name === 'securityToken')?.secretKeyRef;
  assert.equal(secretValue(docs, ref!.name, ref!.key), 'Bearer ya29.token');
});

test('when a required value is missing or the broker is unknown, then rendering fails with a clear message', () => {
  const noJwt = run(['template', 'lifeline', CHART, '--set', 'database.admin.password=x']);
  assert.notEqual(noJwt.status, 0);
  assert.match(noJwt.stderr, /jwt\.secret is required/);
  const shortJwt = run(['template', 'lifeline', CHART, '--set', 'database.admin.password=x', '--set', 'jwt.secret=short']);
  assert.notEqual(shortJwt.status, 0);
  const badBroker = run(['template', 'lifeline', CHART, ...REQUIRED, '--set', 'broker.type=nats']);
  assert.notEqual(badBroker.status, 0);
  assert.match(badBroker.stderr, /at '\/broker\/type': value must be one of 'redis', 'kafka', 'rabbitmq'/);
  const base = ['--set', 'jwt.secret=0123456789abcdef0123456789abcdef', '--set', 'jwt.jwksUrl=https://idp.example.com/.well-known/jwks.json', '--set', 'database.admin.password=x'];
  const noSmtp = run(['template', 'lifeline', CHART, ...base]);
  assert.notEqual(noSmtp.status, 0);
  assert.match(noSmtp.stderr, /mail\.smtpUrl is required while the notification app is enabled/);
  // Without the notification app nothing sends mail, so nothing asks for a relay.
  const withoutNotification = run(['template', 'lifeline', CHART, ...base, '--set', 'apps.notification.enabled=false']);
  assert.equal(withoutNotification.status, 0, withoutNotification.stderr);
  assert.doesNotMatch(withoutNotification.stdout, /smtp-url/);
});

test('when a value has the wrong type, enum, range or name, then values.schema.json refuses it before anything renders, naming it', () => {
  for (const [value, message] of [
    ['apps.tasks.replicas=two', /at '\/apps\/tasks\/replicas': got string, want integer/],
    ['apps.tasks.port=abc', /at '\/apps\/tasks\/port': got string, want integer/],
    ['apps.tasks.port=70000', /at '\/apps\/tasks\/port'/],
    ['image.pullPolicy=Sometimes', /at '\/image\/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'/],
    ['apps.emergency.autoscaling.maxReplicas=0', /at '\/apps\/emergency\/autoscaling\/maxReplicas'/],
    ['apps.tasks.prot=3101', /apps\/tasks.*prot/s],
    ['apps.chat.port=3199', /invalid propertyName 'chat'/],
    ['dapr.logLevel=loud', /at '\/dapr\/logLevel'/],
  ] as const) {
    const r = run(['template', 'lifeline', CHART, ...REQUIRED, '--set', value]);
    assert.notEqual(r.status, 0, `${value} was accepted`);
    assert.match(r.stderr, /values don't meet the specifications of the schema/, value);
    assert.match(r.stderr, message, value);
  }
});

test('when an existing Secret is named, then the chart renders none of its own and every reference uses it', () => {
  const docs = render(['--set', 'secrets.existingSecret=ops-managed', '--set', 'broker.type=rabbitmq']);
  assert.equal(ofKind(docs, 'Secret').filter((s) => s.metadata.name === 'lifeline-secrets').length, 0);
  const refs = JSON.stringify(docs).match(/"name":"(lifeline-secrets|ops-managed)","key"/g) ?? [];
  assert.ok(refs.length > 0 && refs.every((r) => r.includes('ops-managed')), 'references to the existing Secret');
});
