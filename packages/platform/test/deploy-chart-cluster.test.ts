// What a cluster does with charts/lifeline beyond running it: autoscaling, priority, spread, resources,
// NetworkPolicy, per-app credentials. Rendered by the real helm (scripts/install/helm.sh), for each broker.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { brokers, loadRunTemplate } from '../src/run-template.ts';
import { ensureHelm, helmTemplate, renderChart } from './support/helm.ts';

type Dict = Record<string, unknown>;
type Labels = Record<string, string>;
interface Peer { podSelector?: { matchLabels?: Labels }; namespaceSelector?: { matchLabels?: Labels }; ipBlock?: { cidr: string } }
interface Port { port: number; protocol?: string }
interface Rule { from?: Peer[]; to?: Peer[]; ports?: Port[] }
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels; annotations?: Labels };
  spec?: Dict;
  [key: string]: unknown;
}
interface Pod {
  metadata: { labels: Labels; annotations: Labels };
  spec: {
    serviceAccountName?: string;
    priorityClassName?: string;
    containers: { name: string; resources?: { requests?: Dict; limits?: Dict }; env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }[];
    topologySpreadConstraints?: { maxSkew: number; topologyKey: string; whenUnsatisfiable: string; labelSelector: { matchLabels: Labels }; matchLabelKeys?: string[] }[];
  };
}

const apps = loadRunTemplate().apps.map((a) => ({ id: a.appId, port: a.appPort }));
// The seed's replica ranges; every other app 3-10.
const SEED_REPLICAS: Record<string, [number, number]> = { emergency: [5, 15], location: [5, 20] };
// Service invocation in the code: emergency reads location (clients/location-*.ts), recurring creates tasks (clients/tasks-client.ts).
const INVOCATIONS = [['emergency', 'location'], ['recurring', 'tasks']];
const DAPR_INTERNAL_GRPC = 50002;
// Idle RSS of each app as its image runs it (values.yaml, appDefaults.resources: measured 2026-12-04).
const IDLE_RSS_MIB: Record<string, number> = { tasks: 210, audit: 209, recurring: 216, notification: 243, emergency: 151, location: 146 };

let helm = '';
before(() => {
  helm = ensureHelm();
});

const render = (args: string[] = []) => renderChart<Manifest>(helm, args);
const ofKind = (docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind);
function one(docs: Manifest[], kind: string, name: string): Manifest {
  const found = docs.filter((d) => d.kind === kind && d.metadata.name === name);
  assert.equal(found.length, 1, `expected one ${kind} ${name}, found ${found.length}`);
  return found[0]!;
}
const podOf = (d: Manifest) => (d.spec as { template: Pod }).template;
const cpu = (v: unknown) => (String(v).endsWith('m') ? Number(String(v).slice(0, -1)) / 1000 : Number(v));
const mebibytes = (v: unknown) => {
  const m = /^(\d+)(Mi|Gi)$/.exec(String(v));
  assert.ok(m, `memory ${String(v)} in Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};
const matches = (selector: Labels | undefined, labels: Labels) => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/** The NetworkPolicies selecting a pod with these labels (in the release's namespace). */
function policiesFor(docs: Manifest[], labels: Labels) {
  return ofKind(docs, 'NetworkPolicy')
    .map((p) => p.spec as { podSelector: { matchLabels?: Labels }; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] })
    .filter((p) => matches(p.podSelector.matchLabels, labels));
}

/** May a pod with `from` labels (same namespace) open `port` on a pod with `to` labels? Both sides' policies must allow it. */
function allowed(docs: Manifest[], from: Labels, to: Labels, port: number): boolean {
  const samePod = (peers: Peer[] | undefined, labels: Labels) => (peers ?? []).some((p) => !p.namespaceSelector && !p.ipBlock && p.podSelector && matches(p.podSelector.matchLabels, labels));
  const portOk = (r: Rule) => (r.ports ?? []).some((p) => p.port === port);
  const out = policiesFor(docs, from).filter((p) => p.policyTypes.includes('Egress'));
  const into = policiesFor(docs, to).filter((p) => p.policyTypes.includes('Ingress'));
  const egressOk = out.length === 0 || out.some((p) => (p.egress ?? []).some((r) => portOk(r) && (r.to === undefined || samePod(r.to, to))));
  const ingressOk = into.length === 0 || into.some((p) => (p.ingress ?? []).some((r) => portOk(r) && (r.from === undefined || samePod(r.from, from))));
  return egressOk && ingressOk;
}

for (const broker of brokers) {
  describe(`when the chart is rendered with broker.type=${broker}`, () => {
    let docs: Manifest[] = [];
    const labelsOf = (id: string) => podOf(one(docs, 'Deployment', `lifeline-${id}`)).metadata.labels;
    before(() => {
      docs = render(['--set', `broker.type=${broker}`]);
    });

    test('then every app has an HPA on its Deployment: CPU 70%, memory 80%, the seed\'s replica range, and the Deployment leaves replicas to it', () => {
      for (const { id } of apps) {
        const hpa = one(docs, 'HorizontalPodAutoscaler', `lifeline-${id}`).spec as { scaleTargetRef: Dict; minReplicas: number; maxReplicas: number; metrics: { type: string; containerResource: { name: string; container: string; target: Dict } }[] };
        assert.deepEqual(hpa.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: `lifeline-${id}` });
        assert.deepEqual([hpa.minReplicas, hpa.maxReplicas], SEED_REPLICAS[id] ?? [3, 10], `${id}: replica range`);
        // Of the app container alone: the sidecar's requests and use would blur the app's percentage.
        for (const m of hpa.metrics) assert.deepEqual([m.type, m.containerResource.container], ['ContainerResource', id], `${id}: ${m.containerResource.name} metric`);
        const targets = Object.fromEntries(hpa.metrics.map((m) => [m.containerResource.name, m.containerResource.target]));
        assert.deepEqual(targets, { cpu: { type: 'Utilization', averageUtilization: 70 }, memory: { type: 'Utilization', averageUtilization: 80 } }, id);
        assert.equal((one(docs, 'Deployment', `lifeline-${id}`).spec as Dict).replicas, undefined, `${id}: replicas set beside an HPA`);
      }
    });

    test('then emergency runs at the highest PriorityClass, location at the next, the others at the cluster default', () => {
      const value = (name: string | undefined) => (name ? Number(one(docs, 'PriorityClass', name).value) : 0);
      const of = (id: string) => value(podOf(one(docs, 'Deployment', `lifeline-${id}`)).spec.priorityClassName);
      assert.ok(of('emergency') > of('location'), 'emergency above location');
      for (const { id } of apps.filter((a) => a.id !== 'emergency' && a.id !== 'location')) assert.ok(of('location') > of(id), `location above ${id}`);
      for (const pc of ofKind(docs, 'PriorityClass')) assert.equal(pc.globalDefault, false, `${pc.metadata.name} must not become the cluster's default`);
    });

    test('then every app spreads over nodes and zones (ScheduleAnyway) counting its own pods only', () => {
      for (const { id } of apps) {
        const pod = podOf(one(docs, 'Deployment', `lifeline-${id}`));
        const spread = pod.spec.topologySpreadConstraints ?? [];
        assert.deepEqual(spread.map((c) => c.topologyKey).sort(), ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'], id);
        for (const c of spread) {
          assert.equal(c.whenUnsatisfiable, 'ScheduleAnyway', `${id} ${c.topologyKey}`);
          assert.equal(c.maxSkew, 1);
          assert.ok(matches(c.labelSelector.matchLabels, pod.metadata.labels), `${id}: the selector matches its pods`);
          assert.equal(c.labelSelector.matchLabels['app.kubernetes.io/component'], id, `${id}: counts its own pods, not the release's`);
          assert.deepEqual(c.matchLabelKeys, ['pod-template-hash']);
        }
      }
    });

    test('then every container has CPU and memory requests and limits (emergency 200m-1, 256Mi-1Gi), sidecars 128Mi-256Mi', () => {
      for (const { id } of apps) {
        const pod = podOf(one(docs, 'Deployment', `lifeline-${id}`));
        const r = pod.spec.containers[0]!.resources!;
        for (const k of ['requests', 'limits'] as const) assert.ok(r[k]?.cpu !== undefined && r[k].memory !== undefined, `${id}: ${k} cpu and memory`);
        assert.ok(cpu(r.limits!.cpu) >= cpu(r.requests!.cpu) && mebibytes(r.limits!.memory) >= mebibytes(r.requests!.memory), `${id}: limits below requests`);
        const a = pod.metadata.annotations;
        assert.deepEqual([a['dapr.io/sidecar-memory-request'], a['dapr.io/sidecar-memory-limit']], ['128Mi', '256Mi'], `${id}: sidecar memory`);
        assert.ok(cpu(a['dapr.io/sidecar-cpu-limit']) >= cpu(a['dapr.io/sidecar-cpu-request']), `${id}: sidecar CPU limit`);
      }
      // An idle app under the HPA's 80% memory target, with room: otherwise the HPA holds an idle cluster at its maximum.
      for (const { id } of apps) {
        const request = mebibytes(podOf(one(docs, 'Deployment', `lifeline-${id}`)).spec.containers[0]!.resources!.requests!.memory);
        assert.ok(IDLE_RSS_MIB[id]! / request < 0.7, `${id}: idle at ${IDLE_RSS_MIB[id]} MiB is ${Math.round((100 * IDLE_RSS_MIB[id]!) / request)}% of its ${request}Mi request`);
      }
      const e = podOf(one(docs, 'Deployment', 'lifeline-emergency')).spec.containers[0]!.resources!;
      assert.deepEqual([cpu(e.requests!.cpu), cpu(e.limits!.cpu), mebibytes(e.requests!.memory), mebibytes(e.limits!.memory)], [0.2, 1, 256, 1024]);
    });

    test('then a default deny holds every pod of the namespace, in and out', () => {
      const deny = one(docs, 'NetworkPolicy', 'lifeline-default-deny').spec as Dict;
      assert.deepEqual(deny, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      assert.equal(allowed(docs, { app: 'anything-else' }, labelsOf('tasks'), 3101), false, 'a stranger pod reaches an app');
    });

    test('then only the ingress controller reaches the apps, and only their HTTP ports', () => {
      const controller = { 'app.kubernetes.io/name': 'ingress-nginx' };
      for (const { id, port } of apps) {
        const rules = policiesFor(docs, labelsOf(id)).flatMap((p) => p.ingress ?? []);
        const fromController = rules.filter((r) => (r.from ?? []).some((p) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'ingress-nginx' && matches(p.podSelector?.matchLabels, controller)));
        assert.equal(fromController.length, 1, `${id}: one rule for the ingress controller`);
        assert.deepEqual(fromController[0]!.ports, [{ port, protocol: 'TCP' }], `${id}: the controller reaches the HTTP port only`);
        for (const r of rules) assert.ok(r.from && r.from.length > 0 && r.ports && r.ports.length > 0, `${id}: an ingress rule open to every source or port`);
      }
    });

    test('then sidecar to sidecar (Dapr\'s 50002) is open exactly for the service-invocation pairs', () => {
      for (const { id: from } of apps) {
        for (const { id: to } of apps) {
          if (from === to) continue;
          const expected = INVOCATIONS.some(([a, b]) => a === from && b === to);
          assert.equal(allowed(docs, labelsOf(from), labelsOf(to), DAPR_INTERNAL_GRPC), expected, `${from} -> ${to} on ${DAPR_INTERNAL_GRPC}`);
          assert.equal(allowed(docs, labelsOf(from), labelsOf(to), apps.find((a) => a.id === to)!.port), false, `${from} -> ${to}'s HTTP port`);
        }
      }
    });

    test(`then the apps reach DNS, the Dapr control plane, Postgres, Redis${broker === 'redis' ? '' : ` and ${broker}`}, on their ports, and nothing else leaves but the JWKS fetch and the notification app's mail and push`, () => {
      const brokerPort = { redis: [], kafka: [9092], rabbitmq: [5672] }[broker];
      for (const { id } of apps) {
        const egress = policiesFor(docs, labelsOf(id)).flatMap((p) => p.egress ?? []);
        const portsTo = (test: (p: Peer) => boolean) => egress.filter((r) => (r.to ?? []).some(test)).flatMap((r) => (r.ports ?? []).map((p) => p.port)).sort((a, b) => a - b);
        assert.deepEqual(portsTo((p) => p.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns'), [53, 53], `${id}: DNS over UDP and TCP`);
        assert.deepEqual(portsTo((p) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'dapr-system'), [6500, 50001, 50005, 50006], `${id}: Dapr control plane`);
        assert.deepEqual(portsTo((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'postgresql'), [5432], `${id}: Postgres`);
        // In any namespace: the namespace-wide deny would refuse a data store's own traffic, so they live elsewhere.
        const dataStores = egress.flatMap((r) => r.to ?? []).filter((p) => ['postgresql', 'redis', 'kafka', 'rabbitmq'].includes(p.podSelector?.matchLabels?.['app.kubernetes.io/name'] ?? ''));
        assert.ok(dataStores.length >= 2 && dataStores.every((p) => JSON.stringify(p.namespaceSelector) === '{}'), `${id}: data store peers in any namespace`);
        assert.deepEqual(portsTo((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'redis'), [6379], `${id}: Redis`);
        for (const other of ['kafka', 'rabbitmq']) {
          assert.deepEqual(portsTo((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === other), other === broker ? brokerPort : [], `${id}: ${other}`);
        }
        // jwt.jwksUrl is https://idp.example.com/...: 443, to any address unless networkPolicy.jwks.to narrows it.
        const anywhere = egress.filter((r) => r.to === undefined).flatMap((r) => r.ports!.map((p) => p.port));
        if (id === 'notification') assert.deepEqual(anywhere, [443, 443, 465, 587], 'the JWKS (443), FCM (443) and SMTP (465, 587)');
        else assert.deepEqual(anywhere, [443], `${id}: egress to anywhere but the JWKS`);
      }
    });

    test('then the migration Job reaches Postgres (and the provisioning Job RabbitMQ\'s management API) through the default deny', () => {
      const migrate = { 'app.kubernetes.io/name': 'lifeline', 'app.kubernetes.io/instance': 'lifeline', 'app.kubernetes.io/component': 'migrate' };
      const egress = policiesFor(docs, migrate).flatMap((p) => p.egress ?? []);
      assert.ok(egress.some((r) => r.to?.some((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'postgresql') && r.ports?.some((p) => p.port === 5432)));
      const provision = policiesFor(docs, { ...migrate, 'app.kubernetes.io/component': 'rabbitmq-provision' }).flatMap((p) => p.egress ?? []);
      assert.equal(provision.some((r) => r.ports?.some((p) => p.port === 15672)), broker === 'rabbitmq');
    });

    test('then every app runs as its own ServiceAccount, which may read its own Secret only, holding no other app\'s credential', () => {
      for (const { id } of apps) {
        const pod = podOf(one(docs, 'Deployment', `lifeline-${id}`));
        assert.equal(pod.spec.serviceAccountName, `lifeline-${id}`);
        one(docs, 'ServiceAccount', `lifeline-${id}`);
        const bindings = ofKind(docs, 'RoleBinding').filter((b) => (b.subjects as { kind: string; name: string }[]).some((s) => s.kind === 'ServiceAccount' && s.name === `lifeline-${id}`));
        assert.equal(bindings.length, 1, `${id}: one RoleBinding`);
        const role = one(docs, 'Role', (bindings[0]!.roleRef as { name: string }).name);
        assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['secrets'], resourceNames: [`lifeline-${id}`], verbs: ['get'] }], `${id}: Role`);
        const own = one(docs, 'Secret', `lifeline-${id}`);
        const keys = Object.keys((own.stringData as Dict | undefined) ?? {});
        for (const { id: other } of apps) if (other !== id) assert.ok(!keys.some((k) => k.startsWith(`${other}-`)), `${id}'s Secret holds ${other}'s credential`);
        assert.ok(keys.includes(`${id}-database-url`) && keys.includes(`${id}-db-password`), `${id}: its database credential`);
        // What it reads from Secrets: its own, or the shared one (JWT key) and the sidecar tokens, never another app's.
        for (const e of pod.spec.containers[0]!.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) assert.ok(!apps.some((a) => a.id !== id && ref.name === `lifeline-${a.id}`), `${id}: ${e.name} from another app's Secret`);
        }
      }
      const shared = one(docs, 'Secret', 'lifeline-secrets');
      assert.ok(!Object.keys((shared.stringData as Dict | undefined) ?? {}).some((k) => k.endsWith('-db-password') || k.endsWith('-database-url')), 'app credentials in the shared Secret');
    });
  });
}

test('when a Dapr resource changes (configurationOverrides), then every app\'s pods roll (sidecars read them at start only)', () => {
  const sum = (docs: Manifest[]) => ofKind(docs, 'Deployment').map((d) => podOf(d).metadata.annotations['checksum/dapr-resources']);
  const before = sum(render());
  const after = sum(render(['--set', 'dapr.configurationOverrides.tracing.samplingRate=0.5']));
  assert.ok(before.every((s) => /^[0-9a-f]{64}$/.test(s!)));
  for (const [i, s] of after.entries()) assert.notEqual(s, before[i]);
  assert.deepEqual(sum(render()), before, 'the checksum is stable across renders');
});

test('when the selectors are configured (in-cluster Postgres elsewhere, a managed Redis, the release\'s pods only), then the policies use them', () => {
  const docs = render([
    '--set-json', 'networkPolicy.postgres.to=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"databases"}}}]',
    '--set-json', 'networkPolicy.redis.to=[{"ipBlock":{"cidr":"10.20.0.0/16"}}]',
    '--set', 'networkPolicy.denyAllInNamespace=false',
    '--set', 'redis.host=cache:6380',
  ]);
  const deny = one(docs, 'NetworkPolicy', 'lifeline-default-deny').spec as { podSelector: { matchLabels: Labels } };
  assert.deepEqual(deny.podSelector.matchLabels, { 'app.kubernetes.io/name': 'lifeline', 'app.kubernetes.io/instance': 'lifeline' });
  const egress = (one(docs, 'NetworkPolicy', 'lifeline-tasks').spec as { egress: Rule[] }).egress;
  assert.ok(egress.some((r) => r.to?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'databases' && r.ports?.[0]?.port === 5432));
  assert.ok(egress.some((r) => r.to?.[0]?.ipBlock?.cidr === '10.20.0.0/16' && r.ports?.[0]?.port === 6380), 'Redis port from redis.host');
  // An empty peer list renders no rule at all (an empty `to` would mean anywhere).
  const none = render(['--set-json', 'networkPolicy.postgres.to=[]']);
  const rules = (one(none, 'NetworkPolicy', 'lifeline-tasks').spec as { egress: Rule[] }).egress;
  assert.ok(rules.every((r) => (r.to && r.to.length > 0) || r.ports?.every((p) => p.port === 443)), 'a rule open to anywhere (but the JWKS)');
  assert.ok(!rules.some((r) => r.ports?.some((p) => p.port === 5432)));
  assert.equal(ofKind(render(['--set', 'networkPolicy.enabled=false']), 'NetworkPolicy').length, 0);
});

test('when secrets.existingSecret is named, then every app\'s Role, Configuration and credential point at it', () => {
  const docs = render(['--set', 'secrets.existingSecret=ops-managed']);
  for (const { id } of apps) {
    assert.deepEqual((one(docs, 'Role', `lifeline-${id}-secret-reader`).rules as { resourceNames: string[] }[])[0]!.resourceNames, ['ops-managed']);
    assert.equal(ofKind(docs, 'Secret').filter((s) => s.metadata.name === `lifeline-${id}`).length, 0);
  }
});

test('when a NetworkPolicy, spread or invocation value is wrong, then values.schema.json refuses it, naming it', () => {
  for (const [value, message] of [
    ['appDefaults.topologySpread.zoneWhenUnsatisfiable=Sometimes', /at '\/appDefaults\/topologySpread\/zoneWhenUnsatisfiable': value must be one of 'ScheduleAnyway', 'DoNotSchedule'/],
    ['apps.emergency.invokes[0]=chat', /at '\/apps\/emergency\/invokes\/0'/],
    ['networkPolicy.daprInternalGrpcPort=abc', /at '\/networkPolicy\/daprInternalGrpcPort': got string, want integer/],
    ['networkPolicy.postgres.too=x', /networkPolicy\/postgres.*too/s],
    ['apps.tasks.autoscaling.targetMemoryUtilizationPercentage=180', /at '\/apps\/tasks\/autoscaling\/targetMemoryUtilizationPercentage'/],
  ] as const) {
    const r = helmTemplate(helm, ['--set', value]);
    assert.notEqual(r.status, 0, `${value} was accepted`);
    assert.match(r.stderr, message, value);
  }
});

test('when the cluster is older than 1.30 (no ContainerResource metrics for the HPAs), then the chart refuses to render', () => {
  const r = helmTemplate(helm, ['--kube-version', '1.29.0']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /chart requires kubeVersion: >=1\.30\.0-0 which is incompatible with Kubernetes v1\.29\.0/);
});

test('when jwt.jwksUrl names a port and networkPolicy.jwks.to the provider\'s addresses, then every app reaches exactly those for it', () => {
  const docs = render(['--set', 'jwt.jwksUrl=https://login.example.com:8443/keys', '--set-json', 'networkPolicy.jwks.to=[{"ipBlock":{"cidr":"203.0.113.0/24"}}]']);
  for (const { id } of apps) {
    const egress = (one(docs, 'NetworkPolicy', `lifeline-${id}`).spec as { egress: Rule[] }).egress;
    const jwks = egress.filter((r) => r.ports?.some((p) => p.port === 8443));
    assert.deepEqual(jwks, [{ ports: [{ port: 8443, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '203.0.113.0/24' } }] }], id);
    if (id !== 'notification') assert.deepEqual(egress.filter((r) => r.to === undefined), [], `${id}: egress to anywhere`);
  }
});
