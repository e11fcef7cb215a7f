// The chart's share of issue 13's gateway section, rendered by the pinned helm: every app gets the rate
// limits (counters' Redis URL from its own Secret, the seed's policies, the trusted ingress network), the
// ingress carries the CORS lists, body limit and connect timeout, and the schema refuses bad values.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadRunTemplate } from '../src/run-template.ts';
import { ensureHelm, helmTemplate as templateWith, renderChart } from './support/helm.ts';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Manifest {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { template?: { spec: { containers: Array<{ name: string; env?: EnvVar[] }> } } };
  stringData?: Record<string, string>;
}

let helm = '';
const helmTemplate = (args: string[]) => templateWith(helm, args);
const render = (args: string[] = []) => renderChart<Manifest>(helm, args);

before(() => {
  helm = ensureHelm();
});

describe('the chart\'s rate limits, CORS and edge limits', () => {
  test('when rendered with defaults, then every app counts in Redis db 4 through its own Secret, at the seed\'s limits, trusting the pod network', () => {
    const docs = render();
    const apps = loadRunTemplate().apps.map((a) => a.appId);
    for (const id of apps) {
      const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === `lifeline-${id}`);
      assert.ok(deployment, `Deployment lifeline-${id}`);
      const env = deployment.spec?.template?.spec.containers.find((c) => c.name === id)?.env ?? [];
      const byName = new Map(env.map((e) => [e.name, e]));
      const url = byName.get('RATE_LIMIT_REDIS_URL')?.valueFrom?.secretKeyRef;
      const dbUrl = byName.get('DATABASE_URL')?.valueFrom?.secretKeyRef;
      assert.ok(url && dbUrl, `${id}: RATE_LIMIT_REDIS_URL and DATABASE_URL from Secrets`);
      assert.equal(url.name, dbUrl.name, `${id}: from the app's own Secret`);
      assert.equal(url.key, 'rate-limit-redis-url');
      const secret = docs.find((d) => d.kind === 'Secret' && d.metadata.name === url.name);
      assert.equal(secret?.stringData?.['rate-limit-redis-url'], 'redis://redis-master:6379/4');
      assert.deepEqual(
        ['RATE_LIMIT_DEFAULT', 'RATE_LIMIT_TOKENLESS', 'RATE_LIMIT_EMERGENCY', 'RATE_LIMIT_LOCATION', 'RATE_LIMIT_TRUSTED_PROXIES'].map((n) => byName.get(n)?.value),
        ['1000/1m', '100/1m', '10/1m', '2/1s', '10.0.0.0/8'],
      );
    }
  });

  test('when rateLimits.enabled is false, then no app is told of the limits', () => {
    const env = render(['--set', 'rateLimits.enabled=false'])
      .filter((d) => d.kind === 'Deployment')
      .flatMap((d) => d.spec?.template?.spec.containers.flatMap((c) => c.env ?? []) ?? []);
    assert.ok(env.length > 0);
    assert.deepEqual(env.filter((e) => e.name.startsWith('RATE_LIMIT_')), []);
  });

  test('when the ingress has allowed origins, then ingress-nginx gets the gateway\'s CORS lists, body limit and connect timeout; without origins no CORS', () => {
    const withCors = render(['--set', 'ingress.enabled=true', '--set', 'ingress.cors.allowedOrigins={https://app.example.org,https://care.example.org}']);
    const annotations = withCors.find((d) => d.kind === 'Ingress')?.metadata.annotations ?? {};
    assert.equal(annotations['nginx.ingress.kubernetes.io/enable-cors'], 'true');
    assert.equal(annotations['nginx.ingress.kubernetes.io/cors-allow-origin'], 'https://app.example.org, https://care.example.org');
    assert.match(annotations['nginx.ingress.kubernetes.io/cors-expose-headers'] ?? '', /RateLimit, RateLimit-Policy/);
    assert.equal(annotations['nginx.ingress.kubernetes.io/proxy-body-size'], '1m');
    assert.equal(annotations['nginx.ingress.kubernetes.io/proxy-connect-timeout'], '2');
    const plain = render(['--set', 'ingress.enabled=true']).find((d) => d.kind === 'Ingress')?.metadata.annotations ?? {};
    assert.equal(plain['nginx.ingress.kubernetes.io/enable-cors'], undefined);
  });

  test('when a limit or an origin is malformed, then helm template refuses it naming the value', () => {
    for (const [set, name] of [
      ['rateLimits.default=lots', 'default'],
      ['rateLimits.location=2/1d', 'location'],
      ['ingress.cors.allowedOrigins={*}', 'allowedOrigins'],
      ['redis.rateLimitDb=16', 'rateLimitDb'],
      ['rateLimits.trustedProxies=the-ingress', 'trustedProxies'],
    ] as const) {
      const r = helmTemplate(['--set', set]);
      assert.notEqual(r.status, 0, `${set} was accepted`);
      assert.match(r.stderr, new RegExp(name), r.stderr);
    }
  });
});
