// Writes the files scripts/dev.sh needs: the broker's run file and the gateway config.
//   tsx render.ts run-file <broker> <out>    tsx render.ts gateway <prefix-dir> <out>
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderGatewayConfig } from '../gateway-config.ts';
import { renderRunFile } from '../run-file.ts';
import { brokers, loadRunTemplate, type Broker } from '../run-template.ts';
import { loadStackEnv } from '../stack-env.ts';

const [what, arg, out] = process.argv.slice(2);
if (!out || (what !== 'run-file' && what !== 'gateway')) {
  console.error('usage: render.ts run-file <broker> <out> | gateway <prefix-dir> <out>');
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
  content = renderGatewayConfig(loadRunTemplate(), { port: loadStackEnv().LIFELINE_GATEWAY_PORT, prefix: path.resolve(arg ?? '.') });
}
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, content);
