// Writes the files scripts/dev.sh needs: the broker's run file and the gateway config (with the dev JWKS
// beside it in the prefix dir, which the gateway serves).
//   tsx render.ts run-file <broker> <out>    tsx render.ts gateway <prefix-dir> <out>
//   tsx render.ts jwks <out>   (the dev key's public JWKS alone, e.g. docker/gateway/jwks/jwks.json for compose)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateDevKey } from '../dev-jwt-key.ts';
import { JWKS_FILE, renderGatewayConfig } from '../gateway-config.ts';
import { renderRunFile } from '../run-file.ts';
import { brokers, loadRunTemplate, type Broker } from '../run-template.ts';
import { loadStackEnv } from '../stack-env.ts';

const [what, arg, out] = process.argv.slice(2);
if (what === 'jwks' && arg) {
  mkdirSync(path.dirname(arg), { recursive: true });
  writeFileSync(arg, JSON.stringify(loadOrCreateDevKey().jwks));
  process.exit(0);
}
if (!out || (what !== 'run-file' && what !== 'gateway')) {
  console.error('usage: render.ts run-file <broker> <out> | gateway <prefix-dir> <out> | jwks <out>');
  process.exit(2);
}
let content: string;
if (what === 'run-file') {
  if (!(brokers as readonly string[]).includes(arg ?? '')) {
    console.error(`unknown broker "${arg}": expected one of ${brokers.join(', ')}`);
    process.exit(2);
  }
  content = renderRunFile(arg as Broker);
} else {
  const prefix = path.resolve(arg ?? '.');
  content = renderGatewayConfig(loadRunTemplate(), { port: loadStackEnv().LIFELINE_GATEWAY_PORT, prefix });
  mkdirSync(path.dirname(path.join(prefix, JWKS_FILE)), { recursive: true });
  writeFileSync(path.join(prefix, JWKS_FILE), JSON.stringify(loadOrCreateDevKey().jwks));
}
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, content);
