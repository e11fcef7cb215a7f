// The deployments' trust settings, rendered for real: the chart (by the helm scripts/install/helm.sh
// builds) and docker-compose.yml take people's tokens from a JWKS, check revocations, mount the shared
// revocations store, and give each app a Dapr accessControl that denies by default and allows exactly
// the kit's INVOCATION_GRANTS; the gateway serves the dev JWKS and routes logout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { INVOCATION_GRANTS } from '@lifeline/kit';
import { parse, parseAllDocuments } from 'yaml';
import { renderGatewayConfig } from '../src/gateway-config.ts';
import { fromRoot } from '../src/repo-root.ts';
import { loadRunTemplate } from '../src/run-template.ts';

const template = loadRunTemplate();
const appIds = template.apps.map((a) => a.appId);
const JWKS = 'https://idp.example.com/.well-known/jwks.json';
const REQUIRED = ['--set', 'jwt.secret=0123456789abcdef0123456789abcdef', '--set', 'database.admin.password=x', '--set', 'mail.smtpUrl=smtp://relay:587'];

function helm(args: string[]) {
  const version = /^HELM_VERSION=(\S+)/m.exec(readFileSync(fromRoot('scripts/install/helm.sh'), 'utf8'))?.[1];
  const cache = process.env.LIFELINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'lifeline');
  const bin = path.join(cache, 'helm', version ?? '', 'helm');
  if (!existsSync(bin)) assert.equal(spawnSync('bash', [fromRoot('scripts/install/helm.sh')], { stdio: 'inherit', timeout: 15 * 60_000 }).status, 0);
  return spawnSync(bin, ['template', 'lifeline', fromRoot('charts/lifeline'), '--namespace', 'care', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

type Doc = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
interface Operation { name: string; httpVerb: string[]; action: string }
interface Policy { appId: string; defaultAction: string; trustDomain: string; namespace: string; operations: Operation[] }

test('when the chart is rendered without jwt.jwksUrl, then it refuses, naming it', () => {
  const r = helm(REQUIRED);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /jwt\.jwksUrl is required/);
});

test('when the chart is rendered, then every app takes people\'s tokens from the JWKS, checks revocations, and may be invoked only as granted', () => {
  const r = helm([...REQUIRED, '--set', `jwt.jwksUrl=${JWKS}`]);
  assert.equal(r.status, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc | null).filter((d): d is Doc => d !== null);

  const revocations = docs.find((d) => d.kind === 'Component' && d.metadata.name === 'revocations');
  assert.ok(revocations, 'no revocations state store');
  assert.deepEqual((revocations.spec.metadata as { name: string; value: string }[]).find((m) => m.name === 'keyPrefix')?.value, 'name', 'one denylist shared by every app id');

  for (const id of appIds) {
    const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === `lifeline-${id}`);
    assert.ok(deployment, `no Deployment for ${id}`);
    const env = new Map(((deployment.spec.template as { spec: { containers: { name: string; env: { name: string; value?: string }[] }[] } }).spec.containers.find((c) => c.name === id)?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.get('JWT_JWKS_URL'), JWKS, id);
    assert.equal(env.get('TOKEN_REVOCATION'), 'true', id);

    const config = docs.find((d) => d.kind === 'Configuration' && d.metadata.name === `lifeline-${id}`);
    assert.ok(config, `no Configuration for ${id}`);
    const acl = config.spec.accessControl as { defaultAction: string; trustDomain: string; policies: Policy[] };
    assert.equal(acl.defaultAction, 'deny', id);
    const grants = INVOCATION_GRANTS[id] ?? [];
    assert.deepEqual(acl.policies.map((p) => p.appId).sort(), grants.map((g) => g.caller).sort(), `${id}: the callers the kit grants`);
    for (const grant of grants) {
      const policy = acl.policies.find((p) => p.appId === grant.caller)!;
      assert.equal(policy.defaultAction, 'deny');
      assert.equal(policy.namespace, 'care', 'the release namespace');
      assert.equal(policy.trustDomain, acl.trustDomain);
      const expected = grant.paths.flatMap((p) => [p.replace(/\/$/, ''), `${p.replace(/\/$/, '')}/**`]).sort();
      assert.deepEqual(policy.operations.map((o) => o.name).sort(), expected, `${grant.caller} -> ${id}: paths`);
      for (const o of policy.operations) {
        assert.equal(o.action, 'allow');
        assert.deepEqual([...o.httpVerb].sort(), [...grant.methods].sort(), `${grant.caller} -> ${id} ${o.name}: methods`);
      }
    }
  }
});

test('when docker-compose.yml is read, then every app takes people\'s tokens from a JWKS and checks revocations, and the sidecars get the revocations store', () => {
  const text = readFileSync(fromRoot('docker-compose.yml'), 'utf8');
  const compose = parse(text, { merge: true }) as { services: Record<string, { environment?: Record<string, string>; volumes?: string[] }> };
  for (const id of appIds) {
    const env = compose.services[id]?.environment ?? {};
    assert.match(String(env.JWT_JWKS_URL), /^\$\{JWT_JWKS_URL:-http:\/\/gateway:8080\/\.well-known\/jwks\.json\}$/, id);
    assert.equal(String(env.TOKEN_REVOCATION), 'true', id);
  }
  assert.match(text, /\.\/docker\/components\/common\/revocations\.yaml:\/components\/common\/revocations\.yaml:ro/);
  const original = parse(readFileSync(fromRoot('components/dapr/common/revocations.yaml'), 'utf8')) as { spec: { metadata: { name: string; value: string }[] } };
  const composed = parse(readFileSync(fromRoot('docker/components/common/revocations.yaml'), 'utf8')) as typeof original;
  const withoutHost = (c: typeof original) => c.spec.metadata.filter((m) => m.name !== 'redisHost');
  assert.deepEqual(withoutHost(composed), withoutHost(original));
});

test('when the gateway config is rendered, then it serves the JWKS file as JSON and sends logout to tasks', () => {
  const conf = renderGatewayConfig(template, { port: 8080, prefix: '/srv/gw' });
  assert.match(conf, /location = \/\.well-known\/jwks\.json \{ default_type application\/json;[^}]*alias \/srv\/gw\/jwks\/jwks\.json; \}/);
  assert.match(conf, /location = \/api\/v1\/auth\/revoke \{ proxy_pass http:\/\/tasks\$gateway_upstream_uri; \}/);
});
