// The compose gateway's nginx.conf: the local gateway's config (packages/platform/src/gateway-config.ts,
// rendered from dapr.yaml) with compose service names for upstreams, listening on every interface, and
// logging to the container's stdout/stderr. nginx.conf next to this file is its committed output;
// packages/platform/test/deploy-compose.test.ts fails when the two differ. Regenerate with
//   npx tsx docker/gateway/render.ts docker/gateway/nginx.conf
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderGatewayConfig } from '../../packages/platform/src/gateway-config.ts';
import { loadRunTemplate, type RunTemplate } from '../../packages/platform/src/run-template.ts';

export const GATEWAY_PORT = 8080;
/** nginx's pid and temp files; the compose service creates it before starting nginx. */
export const GATEWAY_PREFIX = '/tmp/gateway';

/** Replaces exactly `count` occurrences, so a changed local renderer fails loudly instead of leaking 127.0.0.1. */
function replaceExactly(text: string, pattern: RegExp, replacement: (...m: string[]) => string, count: number): string {
  const global = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
  const found = text.match(global)?.length ?? 0;
  if (found !== count) {
    throw new Error(`gateway renderer changed: expected ${count} match(es) of ${pattern}, found ${found}; update docker/gateway/render.ts`);
  }
  return text.replace(global, replacement as (substring: string, ...args: unknown[]) => string);
}

export function renderComposeGatewayConfig(template: RunTemplate = loadRunTemplate()): string {
  let conf = renderGatewayConfig(template, { port: GATEWAY_PORT, prefix: GATEWAY_PREFIX });
  conf = replaceExactly(conf, /^# Rendered from dapr\.yaml .*$/m, () =>
    '# Rendered from dapr.yaml by docker/gateway/render.ts for docker-compose; edit the renderers, not this file.', 1);
  conf = replaceExactly(conf, /listen 127\.0\.0\.1:(\d+);/, (_m, port) => `listen ${port};`, 1);
  conf = replaceExactly(conf, /upstream ([a-z][a-z0-9-]*) \{ server 127\.0\.0\.1:(\d+);/, (_m, app, port) =>
    `upstream ${app} { server ${app}:${port};`, template.apps.length);
  conf = replaceExactly(conf, /error_log \S+ warn;/, () => 'error_log /dev/stderr warn;', 1);
  conf = replaceExactly(conf, /access_log \S+ (\w+);/, (_m, format) => `access_log /dev/stdout ${format};`, 1);
  if (conf.includes('127.0.0.1')) throw new Error('compose gateway config still points at 127.0.0.1');
  return conf;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2];
  const conf = renderComposeGatewayConfig();
  if (out) writeFileSync(out, conf);
  else process.stdout.write(conf);
}
