import { startCapture } from './capture-server.ts';
import { CliConfigError, loadCliConfig } from './cli-config.ts';

function configOrExit() {
  try {
    return loadCliConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof CliConfigError)) throw err;
    process.stderr.write(`capture: ${err.message}\n`);
    process.exit(2);
  }
}

async function startOrExit(config: ReturnType<typeof configOrExit>) {
  try {
    return await startCapture(config);
  } catch (err) {
    // Mostly EADDRINUSE: the message names the port, a stack trace would add nothing.
    process.stderr.write(`capture: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const capture = await startOrExit(config);
// One line, read by people and by the stack script's log; the ports are the real ones when 0 was asked.
process.stdout.write(`capture: SMTP on ${config.host}:${capture.smtpPort}, HTTP API on http://${config.host}:${capture.httpPort}\n`);

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  capture.close().then(
    () => {
      process.stdout.write(`capture: stopped (${signal})\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`capture: failed to stop cleanly: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
