// The pinned helm (scripts/install/helm.sh builds and caches it, same cache rules as
// scripts/lib/common.sh) and the chart rendered by it, for the chart suites.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fromRoot } from '../../src/repo-root.ts';

export const CHART = fromRoot('charts/lifeline');
/** The values the chart refuses to render without. */
export const REQUIRED_VALUES = [
  '--set', 'jwt.secret=0123456789abcdef0123456789abcdef',
  '--set', 'jwt.jwksUrl=https://idp.example.com/.well-known/jwks.json',
  '--set', 'database.admin.password=admin-password',
  '--set', 'mail.smtpUrl=smtp://relay.example.com:587',
];

export function helmPath(): string {
  const version = /^HELM_VERSION=(\S+)/m.exec(readFileSync(fromRoot('scripts/install/helm.sh'), 'utf8'))?.[1];
  assert.ok(version, 'no HELM_VERSION in scripts/install/helm.sh');
  const cache = process.env.LIFELINE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'lifeline');
  return path.join(cache, 'helm', version, 'helm');
}

/** The helm binary; on a fresh machine it is built first (a few minutes, cached after). */
export function ensureHelm(): string {
  const helm = helmPath();
  if (!existsSync(helm)) {
    const r = spawnSync('bash', [fromRoot('scripts/install/helm.sh')], { encoding: 'utf8', timeout: 15 * 60_000 });
    assert.equal(r.status, 0, `scripts/install/helm.sh failed:\n${r.stdout}\n${r.stderr}`);
  }
  return helm;
}

export function helmTemplate(helm: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(helm, ['template', 'lifeline', CHART, '--namespace', 'lifeline', ...REQUIRED_VALUES, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every manifest `helm template` renders with these values; a failed render or invalid YAML fails the test. */
export function renderChart<T>(helm: string, args: string[] = []): T[] {
  const r = helmTemplate(helm, args);
  assert.equal(r.status, 0, `helm template ${args.join(' ')} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => {
      assert.deepEqual(d.errors, [], `invalid YAML in rendered manifests: ${d.errors.join('; ')}`);
      return d.toJS() as T | null;
    })
    .filter((m): m is T => m !== null);
}
